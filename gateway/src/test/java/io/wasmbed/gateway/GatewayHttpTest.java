package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthReadinessAndPrometheusMetricsOverHttp() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(dir)) {
      var creds = gw.register("sensor-1");
      var impostor = GatewayFixture.issue(gw.pki, "nobody", Keys.generate(KeyAlgorithm.ED25519));
      try (RawDevice device = gw.introduce(creds, Map.of())) {
        RawDevice refused = gw.introduce(impostor, Map.of());
        await().atMost(WAIT).until(() -> !refused.isActive());
        await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));
        int port = gw.server.httpPort();

        HttpResponse<String> health = get(port, "/healthz");
        HttpResponse<String> ready = get(port, "/readyz");
        HttpResponse<String> metrics = get(port, "/metrics");

        assertThat(device.isActive()).isTrue();
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse(""))
            .startsWith("text/plain");
        assertThat(metrics.body())
            .contains("wasmbed_gateway_connected_devices 1.0")
            .contains("wasmbed_gateway_refusals_total{reason=\"unknown_key\"} 1.0")
            .contains("wasmbed_gateway_sessions_opened_total 1.0")
            .contains("wasmbed_gateway_frames_in_total{type=\"DeviceInfo\"}")
            .contains("wasmbed_gateway_handshake_seconds_count");
      }
    }
  }

  @Test
  void metricsAreServedWhenTheGivenRegistryIsNotPrometheus() throws Exception {
    var pki = io.wasmbed.pki.Pki.loadOrCreate(dir.resolve("pki"), java.time.Clock.systemUTC());
    try (var store =
        io.wasmbed.store.SqliteResourceStore.open(
            dir.resolve("store.db"), java.time.Clock.systemUTC())) {
      GatewayServer server =
          new GatewayServer(
              new GatewayConfig(
                  "gw-simple",
                  "127.0.0.1",
                  0,
                  0,
                  Duration.ofSeconds(90),
                  1024 * 1024,
                  Duration.ofSeconds(30)),
              store,
              pki.gatewayCredentials("gw-simple", List.of("localhost")),
              pki.deviceTrust(),
              java.time.Clock.systemUTC(),
              new SimpleMeterRegistry());
      HttpResponse<String> metrics;
      try {
        server.start();
        metrics = get(server.httpPort(), "/metrics");
      } finally {
        server.close();
      }

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("wasmbed_gateway_connected_devices 0.0");
      assertThat(
              store.get(io.wasmbed.store.Kind.GATEWAY, "gw-simple").orElseThrow().status().ready())
          .isFalse();
    }
  }
}

package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wasmbed.pki.Pki;
import io.wasmbed.store.SqliteResourceStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the gateway listens, and what it says when it cannot. */
class GatewayListenTest {
  private final Clock clock = Clock.systemUTC();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;
  private Pki pki;
  private SqliteResourceStore store;

  @BeforeEach
  void open() {
    pki = Pki.loadOrCreate(dir.resolve("pki"), clock);
    store = SqliteResourceStore.open(dir.resolve("store.db"), clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void constructorsKeepTheHttpPortOnTheDeviceHostUnlessToldOtherwise() {
    GatewayConfig defaults = GatewayConfig.defaults("gw-1");
    GatewayConfig seven =
        new GatewayConfig(
            "gw-1", "10.0.0.5", 1, 2, Duration.ofSeconds(90), 1024, Duration.ofSeconds(5));

    assertThat(defaults.httpBindHost()).isEqualTo("0.0.0.0");
    assertThat(seven.httpBindHost()).isEqualTo("10.0.0.5");
    assertThat(seven.withHttpBindHost("127.0.0.1").httpBindHost()).isEqualTo("127.0.0.1");
    assertThat(seven.withHttpBindHost("127.0.0.1").withPorts(3, 4).httpBindHost())
        .isEqualTo("127.0.0.1");
    assertThat(seven.withHttpBindHost("127.0.0.1").bindHost()).isEqualTo("10.0.0.5");
    assertThatThrownBy(() -> seven.withHttpBindHost(" ")).hasMessageContaining("httpBindHost: ' '");
  }

  @Test
  void httpServerListensOnItsOwnHost() throws Exception {
    GatewayConfig config = config("gw-http", 0, 0).withHttpBindHost("127.0.0.2");
    try (GatewayServer server = server(config)) {
      server.start();
      int port = server.httpPort();

      HttpResponse<String> health = get("127.0.0.2", port, "/healthz");

      assertThat(health.statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get("127.0.0.1", port, "/metrics"))
          .isInstanceOf(ConnectException.class);
      assertThat(reachable("127.0.0.1", server.port())).isTrue();
    }
  }

  @Test
  void occupiedDevicePortNamesTheAddressAndWhatToDo() throws IOException {
    try (ServerSocket taken = occupy()) {
      int port = taken.getLocalPort();
      GatewayServer server = server(config("gw-busy", port, 0));

      assertThatThrownBy(server::start)
          .isInstanceOf(GatewayException.class)
          .hasMessage(
              "cannot listen on 127.0.0.1:"
                  + port
                  + " for devices: address already in use (choose another with --port)");
      server.close();
    }
  }

  @Test
  void occupiedHttpPortReleasesTheDevicePortItAlreadyBound() throws IOException {
    int devicePort = freePort();
    try (ServerSocket taken = occupy()) {
      int httpPort = taken.getLocalPort();
      GatewayServer server = server(config("gw-busy", devicePort, httpPort));

      assertThatThrownBy(server::start)
          .isInstanceOf(GatewayException.class)
          .hasMessage(
              "cannot listen on 127.0.0.1:"
                  + httpPort
                  + " for health and metrics: address already in use"
                  + " (choose another with --http-port)");

      assertThat(reachable("127.0.0.1", devicePort)).isFalse();
      try (ServerSocket again = new ServerSocket()) {
        again.bind(new InetSocketAddress("127.0.0.1", devicePort));
      }
      server.close();
    }
    // Nothing of the failed gateway is left: another one starts on the same ports.
    try (GatewayServer next = server(config("gw-next", devicePort, 0))) {
      next.start();
      assertThat(next.port()).isEqualTo(devicePort);
    }
  }

  private GatewayConfig config(String name, int port, int httpPort) {
    return new GatewayConfig(
        name, "127.0.0.1", port, httpPort, Duration.ofSeconds(90), 1 << 20, Duration.ofSeconds(5));
  }

  private GatewayServer server(GatewayConfig config) {
    return new GatewayServer(
        config,
        store,
        pki.gatewayCredentials(config.name(), List.of("localhost")),
        pki.deviceTrust(),
        clock,
        new SimpleMeterRegistry());
  }

  private HttpResponse<String> get(String host, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ServerSocket occupy() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    return socket;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = occupy()) {
      return socket.getLocalPort();
    }
  }

  private static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

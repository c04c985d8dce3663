package io.wasmbed.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wasmbed.controlplane.apps.DeployRequest;
import io.wasmbed.pki.Pki;
import io.wasmbed.store.Application;
import io.wasmbed.store.Json;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {

  @TempDir Path dataDir;
  private final Clock clock = Clock.systemUTC();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void firstStartCreatesTheAdminKeyOnceAndLaterStartsKeepIt() throws Exception {
    Path keyFile = dataDir.resolve(ControlPlane.ADMIN_KEY_FILE);
    String adminKey;
    try (ResourceStore store = SqliteResourceStore.open(dataDir.resolve("store.db"), clock);
        ControlPlane first = start(store)) {
      adminKey = first.initialAdminKey().orElseThrow();
      assertThat(Files.readString(keyFile, StandardCharsets.US_ASCII).strip()).isEqualTo(adminKey);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
          .isEqualTo("rw-------");
      assertThat(whoami(first.apiPort(), adminKey).path("role").asText()).isEqualTo("admin");
    }
    try (ResourceStore store = SqliteResourceStore.open(dataDir.resolve("store.db"), clock);
        ControlPlane second = start(store)) {
      assertThat(second.initialAdminKey()).isEmpty();
      assertThat(Files.readString(keyFile, StandardCharsets.US_ASCII).strip()).isEqualTo(adminKey);
      assertThat(whoami(second.apiPort(), adminKey).path("name").asText()).isEqualTo("admin");
    }
    byte[] keyDb = Files.readAllBytes(dataDir.resolve(ControlPlane.API_KEYS_FILE));
    assertThat(new String(keyDb, StandardCharsets.ISO_8859_1))
        .doesNotContain(adminKey.substring(3));
  }

  @Test
  void runsTheControllerOnTheGivenStore() {
    try (ResourceStore store = SqliteResourceStore.open(dataDir.resolve("store.db"), clock);
        ControlPlane plane = start(store)) {
      Fixtures.device(store, "a", Map.of(), io.wasmbed.store.Device.Phase.Connected);
      plane
          .applications()
          .deploy(
              new DeployRequest(
                  "app",
                  Fixtures.EMPTY_WASM,
                  new Application.Targets(List.of("a"), null, 0),
                  null,
                  null,
                  null,
                  null));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> store.get(Kind.APPLICATION, "app").orElseThrow().status().placements(),
              p -> p.equals(List.of("a")));
    }
  }

  @Test
  void startCreatesANewAdminKeyWhenTheOnlyOneHasExpired() throws Exception {
    MutableClock later = new MutableClock(clock.instant());
    try (var keys =
        io.wasmbed.controlplane.auth.ApiKeys.open(
            dataDir.resolve(ControlPlane.API_KEYS_FILE), later)) {
      keys.create("admin", io.wasmbed.controlplane.auth.Role.admin, java.time.Duration.ofHours(1));
    }
    later.advance(java.time.Duration.ofHours(2));

    try (ResourceStore store = SqliteResourceStore.open(dataDir.resolve("store.db"), later);
        ControlPlane plane =
            ControlPlane.start(
                dataDir,
                store,
                Pki.loadOrCreate(dataDir.resolve("pki"), later),
                later,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                0)) {
      String fresh = plane.initialAdminKey().orElseThrow();
      assertThat(whoami(plane.apiPort(), fresh).path("role").asText()).isEqualTo("admin");
    }
  }

  private ControlPlane start(ResourceStore store) {
    return ControlPlane.start(
        dataDir,
        store,
        Pki.loadOrCreate(dataDir.resolve("pki"), clock),
        clock,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        0);
  }

  private JsonNode whoami(int port, String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/whoami"))
            .header("Authorization", "Bearer " + key)
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Json.mapper().readTree(response.body());
  }
}

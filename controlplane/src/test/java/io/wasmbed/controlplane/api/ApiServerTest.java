package io.wasmbed.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wasmbed.controlplane.Fixtures;
import io.wasmbed.controlplane.MutableClock;
import io.wasmbed.controlplane.apps.AppLogs;
import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.controlplane.auth.ApiKeys;
import io.wasmbed.controlplane.auth.Role;
import io.wasmbed.controlplane.devices.DeviceRegistry;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pem;
import io.wasmbed.pki.Pki;
import io.wasmbed.store.Json;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerTest {

  private static final long MAX_BODY = 64 * 1024;

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ResourceStore store;
  private Pki pki;
  private ApiKeys keys;
  private ApiServer server;
  private String admin;
  private String operator;
  private String viewer;

  @BeforeEach
  void setUp() {
    store = SqliteResourceStore.open(dir.resolve("store.db"), clock);
    // The PKI checks certificate validity against real time; the API runs on the test's clock.
    pki = Pki.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
    keys = ApiKeys.open(dir.resolve("api-keys.db"), clock);
    admin = keys.create("admin", Role.admin, null).plaintext();
    operator = keys.create("ops", Role.operator, null).plaintext();
    viewer = keys.create("dashboard", Role.viewer, null).plaintext();
    server = start(new ApiServer.Config("127.0.0.1", 0, MAX_BODY, 1000, 1000));
  }

  @AfterEach
  void tearDown() {
    server.close();
    keys.close();
    store.close();
  }

  private ApiServer start(ApiServer.Config config) {
    AppLogs logs =
        app -> List.of(new AppLogs.Line("dev-1", "LOG", app + " says hi", Instant.EPOCH));
    return new ApiServer(
            config,
            keys,
            store,
            new ApplicationService(store, clock),
            new DeviceRegistry(store, pki, clock),
            logs,
            meters)
        .start();
  }

  @Test
  void healthzNeedsNoKey() throws Exception {
    HttpResponse<String> response = send("GET", "/healthz", null, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void missingInvalidAndExpiredKeysGet401AndAreCounted() throws Exception {
    String expiring = keys.create("temp", Role.admin, Duration.ofMinutes(5)).plaintext();
    clock.advance(Duration.ofMinutes(5));

    HttpResponse<String> missing = send("GET", "/api/v1/devices", null, null);
    HttpResponse<String> invalid = send("GET", "/api/v1/devices", "wb_" + "x".repeat(43), null);
    HttpResponse<String> expired = send("GET", "/api/v1/devices", expiring, null);

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(json(missing).path("error").asText()).isEqualTo("unauthorized");
    assertThat(json(missing).path("message").asText()).contains("missing API key");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(json(invalid).path("message").asText()).isEqualTo("invalid API key");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(json(expired).path("message").asText()).contains("expired");
    assertThat(refusals("missing_key")).isEqualTo(1);
    assertThat(refusals("unknown_key")).isEqualTo(1);
    assertThat(refusals("expired_key")).isEqualTo(1);

    String metrics = send("GET", "/metrics", viewer, null).body();
    assertThat(metrics).contains("wasmbed_api_refusals_total{reason=\"expired_key\"} 1.0");
  }

  @Test
  void viewerMayReadButNotWrite() throws Exception {
    assertThat(send("GET", "/api/v1/applications", viewer, null).statusCode()).isEqualTo(200);
    HttpResponse<String> post = send("POST", "/api/v1/applications", viewer, deployBody("x"));
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(json(post).path("error").asText()).isEqualTo("forbidden");
    assertThat(json(post).path("message").asText()).contains("write applications");
    assertThat(refusals("forbidden")).isEqualTo(1);
    assertThat(send("GET", "/api/v1/keys", operator, null).statusCode()).isEqualTo(403);
  }

  @Test
  void applicationLifecycleOverHttp() throws Exception {
    HttpResponse<String> created =
        send("POST", "/api/v1/applications", operator, deployBody("blink"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode module = json(created).path("spec").path("module");
    assertThat(module.path("digest").asText()).startsWith("sha256:93a44bbb");
    assertThat(module.path("size").asInt()).isEqualTo(8);
    assertThat(module.has("inline")).isFalse();

    assertThat(
            json(send("GET", "/api/v1/applications/blink", viewer, null))
                .path("metadata")
                .path("name")
                .asText())
        .isEqualTo("blink");
    assertThat(json(send("GET", "/api/v1/applications", viewer, null))).hasSize(1);
    assertThat(json(send("GET", "/api/v1/applications?selector=team=edge", viewer, null)))
        .hasSize(1);
    assertThat(json(send("GET", "/api/v1/applications?selector=team=none", viewer, null)))
        .isEmpty();

    HttpResponse<String> stopped = send("POST", "/api/v1/applications/blink/stop", operator, null);
    assertThat(json(stopped).path("spec").path("stopped").asBoolean()).isTrue();
    HttpResponse<String> started = send("POST", "/api/v1/applications/blink/start", operator, null);
    assertThat(json(started).path("spec").path("stopped").asBoolean()).isFalse();

    JsonNode output = json(send("GET", "/api/v1/applications/blink/output", viewer, null));
    assertThat(output.get(0).path("text").asText()).isEqualTo("blink says hi");

    HttpResponse<String> deleted = send("DELETE", "/api/v1/applications/blink", operator, null);
    assertThat(deleted.statusCode()).isEqualTo(202);
    assertThat(json(deleted).path("metadata").path("deletionTimestamp").asText())
        .isEqualTo("2026-01-01T00:00:00Z");

    HttpResponse<String> missing = send("GET", "/api/v1/applications/nope", viewer, null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).path("error").asText()).isEqualTo("not_found");
    assertThat(send("GET", "/api/v1/applications/nope/output", viewer, null).statusCode())
        .isEqualTo(404);
    assertThat(send("POST", "/api/v1/applications", operator, deployBody("blink")).statusCode())
        .isEqualTo(409);
  }

  @Test
  void deviceRegistrationOverHttp() throws Exception {
    String csr = Pem.encode(Csrs.parse(Csrs.create(Keys.generate(), "dev-1")));
    String body =
        Json.mapper()
            .writeValueAsString(Map.of("name", "dev-1", "csr", csr, "labels", Map.of("zone", "a")));

    HttpResponse<String> created = send("POST", "/api/v1/devices", operator, body);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode enrollment = json(created);
    assertThat(enrollment.path("device").path("status").path("phase").asText())
        .isEqualTo("Enrolled");
    assertThat(Pem.parseCertificates(enrollment.path("chain").get(0).asText())).hasSize(1);
    assertThat(enrollment.path("gatewayCa").asText()).startsWith("-----BEGIN CERTIFICATE-----");

    assertThat(send("POST", "/api/v1/devices", operator, body).statusCode()).isEqualTo(409);
    assertThat(
            json(send("GET", "/api/v1/devices/dev-1", viewer, null))
                .path("spec")
                .path("publicKey")
                .asText())
        .isNotEmpty();
    HttpResponse<String> revoked = send("POST", "/api/v1/devices/dev-1/revoke", operator, null);
    assertThat(json(revoked).path("status").path("phase").asText()).isEqualTo("Revoked");
    assertThat(send("DELETE", "/api/v1/devices/dev-1", operator, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/devices/dev-1", viewer, null).statusCode()).isEqualTo(404);
    assertThat(store.get(Kind.DEVICE, "dev-1")).isEmpty();
  }

  @Test
  void badRequestsGet400NamingTheProblem() throws Exception {
    assertBadRequest("{\"name\": \"x\", ", "body: malformed JSON at line 1");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"count\":\"many\"}}",
        "targets.count:");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"devices\":[\"a\"]},\"stoped\":1}",
        "stoped: unknown field");
    assertBadRequest("{\"name\":\"x\",\"targets\":{\"devices\":[\"a\"]}}", "module: missing");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"!!!\",\"targets\":{\"devices\":[\"a\"]}}", "module:");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{}}", "targets: empty");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"devices\":[null]}}",
        "targets.devices[0]: null");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"devices\":[\"a\"]},"
            + "\"limits\":{\"maxMemoryPages\":-1}}",
        "limits.maxMemoryPages: -1");
    assertBadRequest(
        "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"devices\":[\"a\"]},"
            + "\"labels\":{\"a\":null}}",
        "labels.a: null");
    assertBadRequest("[]", "body:");
    assertBadRequest("", "body: empty");
    HttpResponse<String> badSelector = send("GET", "/api/v1/devices?selector=zone", viewer, null);
    assertThat(badSelector.statusCode()).isEqualTo(400);
    assertThat(json(badSelector).path("message").asText()).startsWith("selector:");
  }

  @Test
  void nonJsonBodiesGet415() throws Exception {
    HttpRequest request =
        request("POST", "/api/v1/applications", admin)
            .header("Content-Type", "text/plain")
            .POST(BodyPublishers.ofString(deployBody("x")))
            .build();
    HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(json(response).path("error").asText()).isEqualTo("unsupported_media_type");
  }

  @Test
  void bodiesOverTheLimitGet413() throws Exception {
    String huge = "{\"name\":\"x\",\"pad\":\"" + "a".repeat((int) MAX_BODY) + "\"}";
    HttpResponse<String> response = send("POST", "/api/v1/applications", admin, huge);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).path("error").asText()).isEqualTo("payload_too_large");
    assertThat(json(response).path("message").asText())
        .startsWith("request body: ")
        .endsWith(
            "(expected: at most 64 KiB; a module may be at most 4 MiB, about 5.3 MiB as base64 in"
                + " the JSON request)");
    assertThat(refusals("body_too_large")).isEqualTo(1);
  }

  @Test
  void modulesOverTheDeviceSizeLimitGet413NamingTheLimit() throws Exception {
    try (ApiServer roomy = start(ApiServer.Config.DEFAULTS.withPort(0))) {
      byte[] big = java.util.Arrays.copyOf(Fixtures.EMPTY_WASM, 4 * 1024 * 1024 + 1);

      HttpResponse<String> response =
          send(roomy.port(), "POST", "/api/v1/applications", operator, deployBody("big", big, 2));

      assertThat(response.statusCode()).isEqualTo(413);
      assertThat(json(response).path("message").asText())
          .isEqualTo(
              "module: 4194305 bytes (4.0 MiB) (expected: at most 4194304 bytes (4 MiB), the"
                  + " module size limit)");
      assertThat(refusals("module_too_large")).isEqualTo(1);
    }
  }

  @Test
  void modulesEveryDeviceWouldRefuseGet400WithTheSandboxReason() throws Exception {
    HttpResponse<String> memory =
        send(
            "POST",
            "/api/v1/applications",
            operator,
            deployBody("mem", Fixtures.MEMORY_64_PAGES_WASM, 16));
    HttpResponse<String> wasi =
        send(
            "POST", "/api/v1/applications", operator, deployBody("fs", Fixtures.PATH_OPEN_WASM, 2));
    HttpResponse<String> limits =
        send(
            "POST",
            "/api/v1/applications",
            operator,
            deployBody("huge", Fixtures.EMPTY_WASM, 65_536));
    HttpResponse<String> malformed =
        send(
            "POST",
            "/api/v1/applications",
            operator,
            deployBody("bad", Fixtures.TRUNCATED_WASM, 2));

    assertThat(memory.statusCode()).isEqualTo(400);
    assertThat(json(memory).path("error").asText()).isEqualTo("bad_request");
    assertThat(json(memory).path("message").asText())
        .isEqualTo("module: memory: 64 initial pages (expected: at most maxMemoryPages 16)");
    assertThat(wasi.statusCode()).isEqualTo(400);
    assertThat(json(wasi).path("message").asText())
        .isEqualTo(
            "module: import wasi_snapshot_preview1.path_open: file-system access is not granted by"
                + " policy (allowFilesystem is false)");
    assertThat(limits.statusCode()).isEqualTo(400);
    assertThat(json(limits).path("message").asText())
        .isEqualTo(
            "module: limits.maxMemoryPages: 65536 (expected: at most 256, this device's maximum)");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).path("message").asText()).startsWith("module sha256:");
    assertThat(store.list(Kind.APPLICATION, io.wasmbed.store.LabelSelector.ALL)).isEmpty();
    assertThat(refusals("limit_exceeded")).isEqualTo(2);
    assertThat(refusals("module_not_allowed")).isEqualTo(1);
    assertThat(refusals("invalid_module")).isEqualTo(1);
  }

  @Test
  void garbageKeysFromOneClientGet429AfterTwentyFailures() throws Exception {
    List<Integer> statuses = new java.util.ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 30; i++) {
      last = send("GET", "/api/v1/devices", "wb_garbage" + i, null);
      statuses.add(last.statusCode());
    }

    assertThat(statuses.subList(0, 20)).containsOnly(401);
    assertThat(statuses.subList(20, 30)).contains(429);
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).contains("1");
    assertThat(json(last).path("error").asText()).isEqualTo("rate_limited");
    assertThat(json(last).path("message").asText())
        .startsWith("too many failed authentications from 127.0.0.1");
    assertThat(refusals("auth_rate_limited")).isGreaterThanOrEqualTo(5);
  }

  @Test
  void successfulRequestsDoNotSpendTheFailedAuthenticationBudget() throws Exception {
    try (ApiServer strict =
        start(new ApiServer.Config("127.0.0.1", 0, MAX_BODY, 1000, 1000, 3, 1))) {
      int port = strict.port();
      for (int i = 0; i < 10; i++) {
        assertThat(send(port, "GET", "/api/v1/whoami", viewer, null).statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(send(port, "GET", "/api/v1/whoami", "wb_nope", null).statusCode())
            .isEqualTo(401);
      }

      HttpResponse<String> refused = send(port, "GET", "/api/v1/whoami", "wb_nope", null);

      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refusals("auth_rate_limited")).isEqualTo(1);
      // The bucket refills at one failure per second; then the client may try again.
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> send(port, "GET", "/api/v1/whoami", viewer, null).statusCode() == 200);
    }
  }

  @Test
  void exceedingTheRateLimitGets429WithRetryAfter() throws Exception {
    try (ApiServer limited = start(new ApiServer.Config("127.0.0.1", 0, MAX_BODY, 2, 1))) {
      int port = limited.port();
      assertThat(send(port, "GET", "/api/v1/whoami", viewer, null).statusCode()).isEqualTo(200);
      assertThat(send(port, "GET", "/api/v1/whoami", viewer, null).statusCode()).isEqualTo(200);
      HttpResponse<String> refused = send(port, "GET", "/api/v1/whoami", viewer, null);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).contains("1");
      assertThat(json(refused).path("error").asText()).isEqualTo("rate_limited");
      assertThat(send(port, "GET", "/api/v1/whoami", operator, null).statusCode()).isEqualTo(200);
      assertThat(refusals("rate_limited")).isEqualTo(1);
    }
  }

  @Test
  void whoamiShowsTheKeyWithoutItsSecret() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/whoami", viewer, null);
    JsonNode me = json(response);
    assertThat(me.path("id").asText()).isEqualTo(ApiKeys.idOf(viewer));
    assertThat(me.path("role").asText()).isEqualTo("viewer");
    assertThat(me.path("permissions").toString()).contains("read applications");
    assertThat(response.body()).doesNotContain(viewer.substring(11));
  }

  @Test
  void adminManagesKeysOverHttp() throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/keys",
            admin,
            "{\"name\":\"ci\",\"role\":\"viewer\",\"validFor\":\"P1D\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String key = json(created).path("key").asText();
    assertThat(send("GET", "/api/v1/whoami", key, null).statusCode()).isEqualTo(200);
    String id = json(created).path("id").asText();
    assertThat(send("DELETE", "/api/v1/keys/" + id, admin, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/whoami", key, null).statusCode()).isEqualTo(401);
    assertThat(json(send("GET", "/api/v1/keys", admin, null)).toString()).doesNotContain(key);
  }

  @Test
  void theLastActiveAdminKeyCannotBeRevoked() throws Exception {
    String adminId = ApiKeys.idOf(admin);
    // An expired admin key does not count as another admin.
    keys.create("expiring-admin", Role.admin, Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1));

    HttpResponse<String> refused = send("DELETE", "/api/v1/keys/" + adminId, admin, null);

    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(json(refused).path("error").asText()).isEqualTo("conflict");
    assertThat(json(refused).path("message").asText())
        .isEqualTo(
            "API key '"
                + adminId
                + "' is the last active admin key (expected: create another admin key first)");
    assertThat(refusals("last_admin_key")).isEqualTo(1);
    assertThat(keys.get(adminId).orElseThrow().revoked()).isFalse();
    assertThat(send("GET", "/api/v1/whoami", admin, null).statusCode()).isEqualTo(200);

    HttpResponse<String> second =
        send("POST", "/api/v1/keys", admin, "{\"name\":\"admin-2\",\"role\":\"admin\"}");
    assertThat(second.statusCode()).isEqualTo(201);
    String secondKey = json(second).path("key").asText();

    HttpResponse<String> revoked = send("DELETE", "/api/v1/keys/" + adminId, secondKey, null);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(json(revoked).path("revokedAt").asText()).isEqualTo(clock.instant().toString());
    assertThat(send("GET", "/api/v1/whoami", admin, null).statusCode()).isEqualTo(401);

    String secondId = ApiKeys.idOf(secondKey);
    HttpResponse<String> last = send("DELETE", "/api/v1/keys/" + secondId, secondKey, null);
    assertThat(last.statusCode()).isEqualTo(409);
    assertThat(json(last).path("message").asText()).contains("'" + secondId + "'");
    // Non-admin keys can always be revoked.
    String opsId = ApiKeys.idOf(operator);
    assertThat(send("DELETE", "/api/v1/keys/" + opsId, secondKey, null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void keyNamesAreCheckedAndUniqueAmongActiveKeys() throws Exception {
    String expected = " (expected: letters, digits, '-', '_' or '.', 1-63 characters)";
    assertKeyRefused(400, "{\"name\":\"a b\",\"role\":\"viewer\"}", "name: 'a b'" + expected);
    assertKeyRefused(400, "{\"name\":\"   \",\"role\":\"viewer\"}", "name: '   '" + expected);
    assertKeyRefused(400, "{\"name\":\"\",\"role\":\"viewer\"}", "name: ''" + expected);
    assertKeyRefused(
        400, "{\"name\":\"tab\\there\",\"role\":\"viewer\"}", "name: 'tab\\u0009here'" + expected);
    assertKeyRefused(
        400, "{\"name\":\"bell\\u0007\",\"role\":\"viewer\"}", "name: 'bell\\u0007'" + expected);
    assertKeyRefused(400, "{\"role\":\"viewer\"}", "name: missing" + expected);
    String tooLong = "n".repeat(64);
    assertKeyRefused(
        400,
        "{\"name\":\"" + tooLong + "\",\"role\":\"viewer\"}",
        "name: '" + tooLong + "'" + expected);
    String longest = "n".repeat(63);
    assertThat(
            send(
                    "POST",
                    "/api/v1/keys",
                    admin,
                    "{\"name\":\"" + longest + "\",\"role\":\"viewer\"}")
                .statusCode())
        .isEqualTo(201);

    String ciBody = "{\"name\":\"ci.build_1-x\",\"role\":\"viewer\"}";
    HttpResponse<String> first = send("POST", "/api/v1/keys", admin, ciBody);
    assertThat(first.statusCode()).isEqualTo(201);
    String firstId = json(first).path("id").asText();
    assertKeyRefused(
        409,
        ciBody,
        "name: 'ci.build_1-x' is already used by active API key '"
            + firstId
            + "' (expected: a name no active key has, or revoke that key first)");
    // The name the setup gave the operator key is taken too, whatever the role.
    assertKeyRefused(409, "{\"name\":\"ops\",\"role\":\"admin\"}", "name: 'ops' is already used");

    // Once the key is revoked (or expired) its name is free again.
    assertThat(send("DELETE", "/api/v1/keys/" + firstId, admin, null).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/api/v1/keys", admin, ciBody).statusCode()).isEqualTo(201);
    keys.create("short", Role.viewer, Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1));
    assertThat(
            send("POST", "/api/v1/keys", admin, "{\"name\":\"short\",\"role\":\"viewer\"}")
                .statusCode())
        .isEqualTo(201);
  }

  @Test
  void restartPolicyIsCheckedByNameWithoutJavaTypes() throws Exception {
    assertBadRequest(
        deployBodyWith("restartPolicy", "always"),
        "restartPolicy: 'always' (expected: Never, OnFailure or Always)");
    assertBadRequest(
        deployBodyWith("restartPolicy", ""),
        "restartPolicy: '' (expected: Never, OnFailure or Always)");

    HttpResponse<String> created =
        send("POST", "/api/v1/applications", operator, deployBodyWith("restartPolicy", "Always"));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).path("spec").path("restartPolicy").asText()).isEqualTo("Always");
  }

  @Test
  void jsonErrorsNeverNameJavaTypes() throws Exception {
    String app = "{\"name\":\"x\",\"module\":\"AGFzbQEAAAA=\",\"targets\":{\"devices\":[\"a\"]}";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put(
        app + ",\"limits\":{\"maxMemoryPages\":\"lots\"}}",
        "limits.maxMemoryPages: 'lots' (expected: an integer)");
    cases.put(
        app + ",\"limits\":{\"instructionBudget\":1.5}}",
        "limits.instructionBudget: '1.5' (expected: an integer)");
    cases.put(
        app.replace("{\"devices\":[\"a\"]}", "{\"count\":\"many\"}") + "}",
        "targets.count: 'many' (expected: an integer)");
    cases.put(
        app + ",\"limits\":{\"maxMemoryPages\":{}}}",
        "limits.maxMemoryPages: wrong type (expected: an integer)");
    cases.put(app + ",\"restartPolicy\":{}}", "restartPolicy: wrong type (expected: a string)");
    cases.put(
        app + ",\"policy\":{\"allowNetwork\":\"yes\"}}",
        "policy.allowNetwork: 'yes' (expected: true or false)");
    cases.put(
        app.replace("[\"a\"]", "\"a\"") + "}",
        "targets.devices: wrong type (expected: a JSON array)");
    cases.put(app + ",\"limits\":[]}", "limits: wrong type (expected: a JSON object)");
    cases.put("[]", "body: wrong type (expected: a JSON object)");
    cases.put(app + "} {}", "body: content after the JSON object");
    cases.put("{\"name\": \"x\", ", "body: malformed JSON at line 1");
    cases.put("{\"name\": \"x\"", "body: malformed JSON at line 1");

    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = send("POST", "/api/v1/applications", admin, c.getKey());
      String message = json(response).path("message").asText();
      assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(message).as(c.getKey()).startsWith(c.getValue());
      assertNoJavaNames(c.getKey(), message);
    }

    HttpResponse<String> duration =
        send(
            "POST",
            "/api/v1/keys",
            admin,
            "{\"name\":\"d\",\"role\":\"viewer\",\"validFor\":\"soon\"}");
    assertThat(duration.statusCode()).isEqualTo(400);
    assertThat(json(duration).path("message").asText())
        .isEqualTo("validFor: 'soon' (expected: an ISO-8601 duration such as P90D)");
    HttpResponse<String> role = send("POST", "/api/v1/keys", admin, "{\"name\":\"r\",\"role\":7}");
    assertNoJavaNames("role 7", json(role).path("message").asText());
  }

  private static void assertNoJavaNames(String request, String message) {
    assertThat(message)
        .as(request)
        .doesNotContain("java.", "io.wasmbed", "$", "`", "Cannot deserialize", "Source:", "byte[]")
        .doesNotContainPattern("\\b(Integer|Long|Boolean|String|Duration)\\b");
  }

  private void assertKeyRefused(int status, String body, String messageStart) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/keys", admin, body);
    assertThat(response.statusCode()).as(body).isEqualTo(status);
    assertThat(json(response).path("message").asText()).as(body).startsWith(messageStart);
  }

  private static String deployBodyWith(String field, String value) throws Exception {
    Map<String, Object> body =
        new java.util.HashMap<>(Json.mapper().readValue(deployBody("rp"), Map.class));
    body.put(field, value);
    return Json.mapper().writeValueAsString(body);
  }

  @Test
  void unknownRoutesGetJson404() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/nothing", admin, null);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).path("error").asText()).isEqualTo("not_found");
  }

  private void assertBadRequest(String body, String messageStart) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/applications", admin, body);
    assertThat(response.statusCode()).as(body).isEqualTo(400);
    assertThat(json(response).path("error").asText()).isEqualTo("bad_request");
    assertThat(json(response).path("message").asText()).as(body).startsWith(messageStart);
  }

  private static String deployBody(String name, byte[] module, int maxMemoryPages)
      throws Exception {
    return Json.mapper()
        .writeValueAsString(
            Map.of(
                "name", name,
                "module", Base64.getEncoder().encodeToString(module),
                "targets", Map.of("devices", List.of("dev-1")),
                "limits", Map.of("maxMemoryPages", maxMemoryPages)));
  }

  private static String deployBody(String name) throws Exception {
    return Json.mapper()
        .writeValueAsString(
            Map.of(
                "name", name,
                "module", Base64.getEncoder().encodeToString(Fixtures.EMPTY_WASM),
                "targets", Map.of("devices", List.of("dev-1"), "count", 1),
                "limits", Map.of("maxMemoryPages", 2),
                "labels", Map.of("team", "edge")));
  }

  private double refusals(String reason) {
    var counter = meters.find("wasmbed.api.refusals").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private HttpResponse<String> send(String method, String path, String key, String body)
      throws Exception {
    return send(server.port(), method, path, key, body);
  }

  private HttpResponse<String> send(int port, String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder builder = request(port, method, path, key);
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    builder.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    return http.send(builder.build(), BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String method, String path, String key) {
    return request(server.port(), method, path, key);
  }

  private static HttpRequest.Builder request(int port, String method, String path, String key) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return builder;
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }
}

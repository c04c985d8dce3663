package io.wasmbed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  private final ObjectMapper json = Json.mapper();

  private static final ObjectMeta STORED_META =
      new ObjectMeta(
          "d1",
          Map.of("zone", "north", "tier", "edge"),
          "0b6c3c1e-8f57-4c1e-9d4a-1b2c3d4e5f60",
          42,
          3,
          Fixtures.T0,
          Fixtures.T0.plusSeconds(60));

  @Test
  void deviceRoundTripsExactly() throws Exception {
    Device device =
        new Device(
            STORED_META,
            new Device.Spec("MCowBQYDK2VwAyEAabc", "esp32-c3", List.of("wifi"), "hw-1"),
            new Device.Status(
                Device.Phase.Connected,
                "gw-1",
                Fixtures.T0,
                Fixtures.T0.plusMillis(1500),
                Map.of(
                    "app",
                    new Device.AppState(
                        Device.AppPhase.Running, Fixtures.digest("m"), "", Fixtures.T0),
                    "other",
                    new Device.AppState(Device.AppPhase.Failed, "", "trap", null)),
                new Device.CertificateInfo("0a1b", Fixtures.T0.plus(Duration.ofDays(365))),
                "ok"));

    Device back = json.readValue(json.writeValueAsString(device), Device.class);

    assertThat(back).isEqualTo(device);
  }

  @Test
  void applicationRoundTripsExactlyWithLimitsPolicyAndInlineBytes() throws Exception {
    Application app =
        new Application(
            STORED_META,
            new Application.Spec(
                new Application.Module(
                    Fixtures.digest(Fixtures.EMPTY_MODULE), Fixtures.EMPTY_MODULE, null, null),
                "c2lnbmF0dXJl",
                new Application.Targets(List.of("d1", "d2"), Map.of("zone", "north"), 2),
                new ModuleLimits(4, 100, 1_000_000L, 250, 64, 4096, 500),
                new ModulePolicy(List.of("wasmbed.log"), List.of("tick"), false, true, "compiled"),
                Map.of("b", "2", "a", "1"),
                Application.RestartPolicy.Always,
                true),
            new Application.Status(
                Application.Phase.PartiallyRunning,
                List.of("d1", "d2"),
                Map.of(
                    "d1", new Application.DeviceState(Device.AppPhase.Running, ""),
                    "d2", new Application.DeviceState(Device.AppPhase.Failed, "trap")),
                2,
                1,
                1,
                0,
                "Running on 1/2 devices",
                3));

    String text = json.writeValueAsString(app);
    Application back = json.readValue(text, Application.class);

    assertThat(json.writeValueAsString(back)).isEqualTo(text);
    assertThat(back.spec().module().inline()).isEqualTo(Fixtures.EMPTY_MODULE);
    assertThat(back.withSpec(app.spec()).withMetadata(app.metadata())).isEqualTo(app);
    assertThat(back.spec().limits()).isEqualTo(app.spec().limits());
    assertThat(back.spec().policy()).isEqualTo(app.spec().policy());
    assertThat(back.spec().targets()).isEqualTo(app.spec().targets());
    assertThat(back.metadata()).isEqualTo(STORED_META);
  }

  @Test
  void gatewayRoundTripsExactly() throws Exception {
    Gateway gateway =
        new Gateway(
            STORED_META,
            new Gateway.Spec("gw.example:4423", 500),
            new Gateway.Status(true, 17, Fixtures.T0, Fixtures.T0.plusSeconds(600)));

    assertThat(json.readValue(json.writeValueAsString(gateway), Gateway.class)).isEqualTo(gateway);
  }

  @Test
  void writesInstantsAsIsoStringsEnumsByNameBytesAsBase64AndOmitsNulls() throws Exception {
    Application app = Fixtures.application("app");
    Device device =
        Fixtures.device("d1").withStatus(Device.Status.PENDING.connected("gw", Fixtures.T0));

    JsonNode d = json.valueToTree(device);
    JsonNode a = json.readTree(json.writeValueAsString(app));

    assertThat(d.at("/status/connectedSince").asText()).isEqualTo("2026-01-02T03:04:05.123456789Z");
    assertThat(d.at("/status/phase").asText()).isEqualTo("Connected");
    assertThat(d.at("/status").has("certificate")).isFalse();
    assertThat(d.at("/metadata").has("creationTimestamp")).isFalse();
    assertThat(a.at("/spec/module/inline").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(Fixtures.EMPTY_MODULE));
    assertThat(a.at("/spec/module").has("url")).isFalse();
    assertThat(a.at("/spec/restartPolicy").asText()).isEqualTo("OnFailure");
  }

  @Test
  void mapEntriesAreWrittenInKeyOrder() throws Exception {
    Device device = Fixtures.device("d1", Map.of("z", "1", "a", "2", "m", "3"));

    assertThat(json.writeValueAsString(device))
        .contains("\"labels\":{\"a\":\"2\",\"m\":\"3\",\"z\":\"1\"}");
  }

  @Test
  void unknownPropertiesAreRejected() {
    String text =
        "{\"metadata\":{\"name\":\"d1\"},\"spec\":{\"publicKey\":\"k\",\"devicetype\":\"x\"}}";

    assertThatThrownBy(() -> json.readValue(text, Device.class))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("devicetype");
  }

  @Test
  void enumsAsNumbersAreRejected() {
    String text =
        "{\"metadata\":{\"name\":\"d1\"},\"spec\":{\"publicKey\":\"k\"},\"status\":{\"phase\":3}}";

    assertThatThrownBy(() -> json.readValue(text, Device.class))
        .isInstanceOf(InvalidFormatException.class);
  }

  @Test
  void recordChecksRunOnRead() {
    String text = "{\"metadata\":{\"name\":\"d1\"},\"spec\":{\"endpoint\":\"e\",\"capacity\":-1}}";

    assertThatThrownBy(() -> json.readValue(text, Gateway.class))
        .hasMessageContaining("capacity: -1 (expected: zero or more)");
  }

  @Test
  void minimalInputGetsTheRecordDefaults() throws Exception {
    Device device =
        json.readValue(
            "{\"metadata\":{\"name\":\"d1\"},\"spec\":{\"publicKey\":\"k\"}}", Device.class);

    assertThat(device.status()).isEqualTo(Device.Status.PENDING);
    assertThat(device.spec().deviceType()).isEqualTo("generic");
    assertThat(device.metadata().labels()).isEmpty();
  }
}

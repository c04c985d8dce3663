package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.device.DeviceAgent;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole path over real sockets: CLI → REST API → store → controller → gateway → mutual TLS →
 * device agent → Chicory sandbox, and the results back into the store.
 */
class DeploymentEndToEndTest extends RunningPlatformTest {

  @Test
  void deploysToThreeDevicesThenStopsStartsAndDeletes() {
    List<DeviceAgent> agents = fixture.devices(3);

    Fixture.CliRun deploy =
        fixture.cli(
            "app",
            "deploy",
            Fixture.example("temperature-monitor").toString(),
            "--name",
            "temp",
            "--selector",
            "fleet=e2e");
    assertThat(deploy.exitCode()).as(deploy.err()).isZero();

    fixture.awaitAppPhase("temp", Application.Phase.Running);
    Application running = fixture.app("temp");
    assertThat(running.status().message()).isEqualTo("Running on 3/3 devices");
    assertThat(running.status().running()).isEqualTo(3);
    for (DeviceAgent agent : agents) {
      assertThat(fixture.device(agent.deviceName()).status().apps().get("temp").phase())
          .isEqualTo(Device.AppPhase.Running);
      assertThat(agent.runningApps()).containsKey("temp");
    }
    await("readings from every device")
        .atMost(Fixture.WAIT)
        .until(
            () ->
                fixture.platform.gateway().recentOutput("temp").stream()
                        .map(l -> l.device())
                        .distinct()
                        .count()
                    == 3);
    Fixture.CliRun list = fixture.cli("app", "list");
    assertThat(list.out()).contains("temp").contains("Running").contains("3/3");

    assertThat(fixture.cli("app", "stop", "temp").exitCode()).isZero();
    fixture.awaitAppPhase("temp", Application.Phase.Stopped);
    agents.forEach(a -> await().atMost(Fixture.WAIT).until(() -> a.runningApps().isEmpty()));
    assertThat(fixture.device("device-01").status().apps().get("temp").phase())
        .isEqualTo(Device.AppPhase.Stopped);

    assertThat(fixture.cli("app", "start", "temp").exitCode()).isZero();
    fixture.awaitAppPhase("temp", Application.Phase.Running);

    assertThat(fixture.cli("app", "delete", "temp").exitCode()).isZero();
    await("application deleted")
        .atMost(Fixture.WAIT)
        .until(() -> fixture.platform.store().get(Kind.APPLICATION, "temp").isEmpty());
    for (DeviceAgent agent : agents) {
      await().atMost(Fixture.WAIT).until(() -> agent.runningApps().isEmpty());
      await()
          .atMost(Fixture.WAIT)
          .until(() -> !fixture.device(agent.deviceName()).status().apps().containsKey("temp"));
    }
  }

  @Test
  void apiRefusesModulesThatDevicesWouldRefuseAndStoresNothing() {
    fixture.devices(1);

    Fixture.CliRun truncated =
        fixture.cli(
            "app",
            "deploy",
            Fixture.module("truncated.wasm").toString(),
            "--name",
            "broken",
            "--to",
            "device-01");
    Fixture.CliRun hog =
        fixture.cli(
            "app",
            "deploy",
            Fixture.module("memory-hog.wasm").toString(),
            "--name",
            "hog",
            "--to",
            "device-01",
            "--memory-pages",
            "16");

    assertThat(truncated.exitCode()).isEqualTo(1);
    assertThat(truncated.err()).startsWith("error: HTTP 400").contains("module");
    assertThat(hog.exitCode()).isEqualTo(1);
    assertThat(hog.err()).contains("HTTP 400").contains("memory").contains("64").contains("16");
    assertThat(fixture.platform.store().get(Kind.APPLICATION, "broken")).isEmpty();
    assertThat(fixture.platform.store().get(Kind.APPLICATION, "hog")).isEmpty();
  }

  /**
   * Resources can reach the store without the API (kubectl in Kubernetes mode), so the device
   * checks every module again and reports its own reason.
   */
  @Test
  void moduleThatFailsValidationOnTheDeviceIsFailedWithReasonAndTheAgentSurvives()
      throws Exception {
    DeviceAgent agent = fixture.devices(1).get(0);

    fixture.createDirectly(
        "broken", Files.readAllBytes(Fixture.module("truncated.wasm")), agent.deviceName(), 16);

    fixture.awaitAppPhase("broken", Application.Phase.Failed);
    Device.AppState state = fixture.device(agent.deviceName()).status().apps().get("broken");
    assertThat(state.phase()).isEqualTo(Device.AppPhase.Failed);
    assertThat(state.reason()).isNotBlank();
    assertThat(fixture.app("broken").status().message()).contains(state.reason());
    assertThat(agent.connected()).isTrue();
    assertThat(fixture.device(agent.deviceName()).status().phase())
        .isEqualTo(Device.Phase.Connected);
  }

  @Test
  void moduleOverItsMemoryLimitIsFailedOnTheDeviceWithThatReason() throws Exception {
    DeviceAgent agent = fixture.devices(1).get(0);

    fixture.createDirectly(
        "hog", Files.readAllBytes(Fixture.module("memory-hog.wasm")), agent.deviceName(), 16);

    fixture.awaitAppPhase("hog", Application.Phase.Failed);
    String reason = fixture.device(agent.deviceName()).status().apps().get("hog").reason();
    assertThat(reason).containsIgnoringCase("memory").contains("64").contains("16");
    assertThat(agent.connected()).isTrue();
  }

  @Test
  void hostileAppIsStoppedWhileWellBehavedAppKeepsRunningOnTheSameDevice() {
    DeviceAgent agent = fixture.devices(1).get(0);
    String device = agent.deviceName();
    assertThat(
            fixture
                .cli(
                    "app",
                    "deploy",
                    Fixture.example("temperature-monitor").toString(),
                    "--name",
                    "temp",
                    "--to",
                    device,
                    "--tick",
                    "200ms")
                .exitCode())
        .isZero();
    fixture.awaitAppPhase("temp", Application.Phase.Running);

    assertThat(
            fixture
                .cli(
                    "app",
                    "deploy",
                    Fixture.module("spin-tick.wasm").toString(),
                    "--name",
                    "spinner",
                    "--to",
                    device,
                    "--tick",
                    "100ms",
                    "--timeout",
                    "300ms")
                .exitCode())
        .isZero();

    fixture.awaitAppPhase("spinner", Application.Phase.Failed);
    String reason = fixture.device(device).status().apps().get("spinner").reason();
    assertThat(reason).containsIgnoringCase("time");
    java.time.Instant afterFailure = java.time.Instant.now();
    await("temperature app still publishing after the hostile app failed")
        .atMost(Fixture.WAIT)
        .until(
            () ->
                fixture.platform.gateway().recentOutput("temp").stream()
                    .anyMatch(l -> l.device().equals(device) && l.time().isAfter(afterFailure)));
    assertThat(fixture.app("temp").status().phase()).isEqualTo(Application.Phase.Running);
    assertThat(agent.runningApps()).containsKey("temp").doesNotContainKey("spinner");
    assertThat(
            fixture.platform.meters().find("wasmbed.sandbox.app.failures").counters().stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isGreaterThanOrEqualTo(1);
  }
}

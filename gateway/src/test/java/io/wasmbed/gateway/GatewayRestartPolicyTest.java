package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.device.DeviceAgent;
import io.wasmbed.pki.Credentials;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.store.Application.RestartPolicy;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Device.AppState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Application.spec.restartPolicy: what the gateway does when an app fails or ends by itself. */
class GatewayRestartPolicyTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path CRC32 = Path.of("..", "examples", "crc32", "crc32.wasm");
  private static final byte[] MODULE = "\0asm\1\0\0\0 module".getBytes(StandardCharsets.ISO_8859_1);

  /** One page of memory: too little for crc32's 64 KiB buffer, so every start fails. */
  private static final ModuleLimits STARVED =
      new ModuleLimits(1, 1024, 50_000_000L, 1000, 512, 65_536, 1000);

  @TempDir Path dir;
  private GatewayFixture gw;
  private Agents agents;

  @BeforeEach
  void start() {
    gw = new GatewayFixture(dir.resolve("gateway"), Duration.ofSeconds(5), Duration.ofSeconds(10));
    agents = new Agents(gw, dir.resolve("devices"));
  }

  @AfterEach
  void stop() throws Exception {
    agents.close();
    gw.close();
  }

  private Optional<String> reason(String device, String app) {
    return gw.app(device, app).map(AppState::reason);
  }

  private void awaitReason(String device, String app, String prefix) {
    await()
        .atMost(WAIT)
        .until(() -> reason(device, app).map(r -> r.startsWith(prefix)).orElse(false));
  }

  @Test
  void onFailureRestartsAFailingAppOnTheAgentWithDoublingBackoff() throws Exception {
    DeviceAgent agent = agents.start("sensor-1");
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    gw.deploy(
        "crc", Files.readAllBytes(CRC32), List.of("sensor-1"), RestartPolicy.OnFailure, STARVED);

    awaitReason("sensor-1", "crc", "restarting in 1s after: ");
    assertThat(gw.app("sensor-1", "crc").orElseThrow().phase()).isEqualTo(AppPhase.Failed);
    awaitReason("sensor-1", "crc", "restarting in 2s after: ");
    awaitReason("sensor-1", "crc", "restarting in 4s after: ");
    assertThat(gw.counter("wasmbed.gateway.app.restarts")).isGreaterThanOrEqualTo(3);
    assertThat(agent.runningApps()).doesNotContainKey("crc");
  }

  @Test
  void neverLeavesAFailedAppFailed() throws Exception {
    agents.start("sensor-1");
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    gw.deploy("crc", Files.readAllBytes(CRC32), List.of("sensor-1"), RestartPolicy.Never, STARVED);

    await()
        .atMost(WAIT)
        .until(
            () -> gw.app("sensor-1", "crc").map(s -> s.phase() == AppPhase.Failed).orElse(false));
    await()
        .during(Duration.ofMillis(2500))
        .atMost(WAIT)
        .until(() -> gw.app("sensor-1", "crc").orElseThrow().phase() == AppPhase.Failed);
    assertThat(reason("sensor-1", "crc").orElseThrow()).doesNotStartWith("restarting");
    assertThat(gw.counter("wasmbed.gateway.app.restarts")).isZero();
  }

  @Test
  void alwaysRestartsAnAppThatEndedByItself() {
    try (RawDevice device = connected("sensor-1")) {
      gw.deploy("thermo", MODULE, List.of("sensor-1"), RestartPolicy.Always, null);
      device.await(Message.Deploy.class, WAIT);
      awaitPhase("thermo", AppPhase.Running);

      device.send(new Message.AppStatus("thermo", Message.AppPhase.STOPPED, "main returned"));

      awaitReason("sensor-1", "thermo", "restarting in 1s after: main returned");
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().phase()).isEqualTo(AppPhase.Stopped);
      Envelope again = device.await(Message.Deploy.class, WAIT);
      assertThat(((Message.Deploy) again.message()).app()).isEqualTo("thermo");
      awaitPhase("thermo", AppPhase.Running);
    }
  }

  @Test
  void onFailureLeavesAnAppThatEndedByItselfStopped() {
    try (RawDevice device = connected("sensor-1")) {
      gw.deploy("thermo", MODULE, List.of("sensor-1"), RestartPolicy.OnFailure, null);
      device.await(Message.Deploy.class, WAIT);
      awaitPhase("thermo", AppPhase.Running);

      device.send(new Message.AppStatus("thermo", Message.AppPhase.STOPPED, "main returned"));

      awaitPhase("thermo", AppPhase.Stopped);
      assertThat(reason("sensor-1", "thermo")).contains("main returned");
      // A failure, by contrast, is restarted.
      device.send(new Message.AppStatus("thermo", Message.AppPhase.FAILED, "trap"));
      awaitReason("sensor-1", "thermo", "restarting in 1s after: trap");
      device.await(Message.Deploy.class, WAIT);
      awaitPhase("thermo", AppPhase.Running);
    }
  }

  @Test
  void refusedDeployIsRetriedUnderOnFailure() {
    try (RawDevice device = connected("sensor-1", false)) {
      gw.deploy("thermo", MODULE, List.of("sensor-1"), RestartPolicy.OnFailure, null);

      Envelope first = device.await(Message.Deploy.class, WAIT);
      device.reply(first.messageId(), new Message.DeployAck("thermo", false, "out of memory"));
      awaitReason("sensor-1", "thermo", "restarting in 1s after: out of memory");

      Envelope second = device.await(Message.Deploy.class, WAIT);
      device.reply(second.messageId(), new Message.DeployAck("thermo", false, "out of memory"));
      awaitReason("sensor-1", "thermo", "restarting in 2s after: out of memory");

      Envelope third = device.await(Message.Deploy.class, WAIT);
      device.reply(third.messageId(), new Message.DeployAck("thermo", true, ""));
      awaitPhase("thermo", AppPhase.Running);
      assertThat(reason("sensor-1", "thermo")).contains("").hasValue("");
    }
  }

  private RawDevice connected(String name) {
    return connected(name, true);
  }

  private RawDevice connected(String name, boolean acking) {
    Credentials creds = gw.register(name);
    RawDevice device = acking ? gw.introduceAcking(creds, Map.of()) : gw.introduce(creds, Map.of());
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains(name));
    return device;
  }

  private void awaitPhase(String app, AppPhase phase) {
    await()
        .atMost(WAIT)
        .until(() -> gw.app("sensor-1", app).map(s -> s.phase() == phase).orElse(false));
  }
}

package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.device.TestGateway.Received;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pki;
import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.Message.AppOutput;
import io.wasmbed.protocol.Message.AppPhase;
import io.wasmbed.protocol.Message.AppStatus;
import io.wasmbed.protocol.Message.DeployAck;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.protocol.Message.OutputKind;
import io.wasmbed.protocol.Message.StopAck;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real TLS 1.3 gateway on loopback, running real WebAssembly. */
class DeviceAgentTest {

  private static final Path TEMPERATURE_MONITOR =
      Path.of("../examples/temperature-monitor/temperature-monitor.wasm");
  private static final Duration HEARTBEAT = Duration.ofMillis(150);
  private static final ModuleLimits FAST_TICKS =
      new ModuleLimits(16, 1024, 50_000_000L, 1000, 512, 65_536, 50);

  @TempDir Path dir;

  private TestGateway gateway;
  private Sandbox sandbox;
  private DeviceAgent agent;

  @BeforeEach
  void startGatewayAndAgent() {
    Clock clock = Clock.systemUTC();
    Pki pki = Pki.loadOrCreate(dir.resolve("pki"), clock);
    gateway =
        new TestGateway(
                pki.gatewayCredentials("gw-test", List.of("localhost", "127.0.0.1")),
                pki.deviceTrust())
            .start();
    DeviceIdentity identity = enroll(pki, "dev-1");
    sandbox = new Sandbox(new SimulatedSensors("dev-1", clock));
    AgentConfig config =
        AgentConfig.of("127.0.0.1", gateway.port())
            .withHeartbeatInterval(HEARTBEAT)
            .withReconnect(Duration.ofMillis(50), Duration.ofMillis(400));
    agent = new DeviceAgent(config, identity, sandbox).start();
    assertThat(agent.awaitConnected(Duration.ofSeconds(10))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(gateway::deviceConnected);
  }

  private DeviceIdentity enroll(Pki pki, String name) {
    DeviceIdentity identity =
        DeviceIdentity.loadOrCreate(dir.resolve("devices").resolve(name), KeyAlgorithm.ED25519);
    var certificate = pki.deviceCa().issueDeviceCertificate(identity.csr(name), name);
    identity.install(
        name, List.of(certificate, pki.deviceCa().certificate()), pki.gatewayCa().certificate());
    return identity;
  }

  @AfterEach
  void closeAll() {
    if (agent != null) {
      agent.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void sendsDeviceInfoFirstThenHeartbeatsWithRisingIds() {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gateway.messages(Heartbeat.class).size() >= 5);

    List<Received> received = gateway.received(1);
    assertThat(received.get(0).message()).isInstanceOf(DeviceInfo.class);
    DeviceInfo info = (DeviceInfo) received.get(0).message();
    assertThat(info.deviceType()).isEqualTo(AgentConfig.DEFAULT_DEVICE_TYPE);
    assertThat(info.firmware()).isEqualTo(DeviceAgent.FIRMWARE);
    assertThat(info.apps()).isEmpty();
    assertThat(received.get(0).envelope().messageId()).isEqualTo(1);
    assertThat(received.subList(1, 4))
        .extracting(r -> r.envelope().messageId())
        .containsExactly(2L, 3L, 4L);
    // The first heartbeat goes out with DeviceInfo; the next ones every interval.
    Duration threeIntervals = Duration.ofNanos(received.get(5).nanos() - received.get(2).nanos());
    assertThat(threeIntervals)
        .isBetween(HEARTBEAT.multipliedBy(3).dividedBy(2), HEARTBEAT.multipliedBy(9));
    assertThat(agent.connected()).isTrue();
    assertThat(agent.lastHandshake()).isPresent();
    assertThat(agent.sessions()).isEqualTo(1);
  }

  @Test
  void deploysWasmModuleAndForwardsItsReadings() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);

    long id = gateway.send(deploy("temp", module, Sandbox.digestOf(module)));

    DeployAck ack = awaitReply(id, DeployAck.class);
    assertThat(ack).isEqualTo(new DeployAck("temp", true, ""));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> outputs("temp", OutputKind.READING).size() >= 3);
    assertThat(outputs("temp", OutputKind.READING).get(0).text()).startsWith("temperature=");
    assertThat(outputs("temp", OutputKind.LOG))
        .extracting(AppOutput::text)
        .contains("temperature-monitor started");
    assertThat(agent.runningApps()).containsEntry("temp", Sandbox.digestOf(module));
  }

  @Test
  void redeployWithSameDigestIsAcknowledgedWithoutRestart() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);
    String digest = Sandbox.digestOf(module);
    awaitReply(gateway.send(deploy("temp", module, digest)), DeployAck.class);

    DeployAck again = awaitReply(gateway.send(deploy("temp", module, digest)), DeployAck.class);

    assertThat(again.accepted()).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> outputs("temp", OutputKind.READING).size() >= 5);
    assertThat(outputs("temp", OutputKind.LOG))
        .extracting(AppOutput::text)
        .containsOnlyOnce("temperature-monitor started");
  }

  @Test
  void redeployWithOtherDigestReplacesTheApp() throws IOException {
    byte[] temperature = Files.readAllBytes(TEMPERATURE_MONITOR);
    byte[] trapping = resource("trap-on-third-tick.wasm");
    awaitReply(
        gateway.send(deploy("app", temperature, Sandbox.digestOf(temperature))), DeployAck.class);

    DeployAck ack =
        awaitReply(
            gateway.send(deploy("app", trapping, Sandbox.digestOf(trapping))), DeployAck.class);

    assertThat(ack.accepted()).isTrue();
    assertThat(agent.runningApps()).containsEntry("app", Sandbox.digestOf(trapping));
  }

  @Test
  void refusedReplacementKeepsTheRunningApp() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);
    byte[] notWasm = "not a module".getBytes();
    awaitReply(gateway.send(deploy("temp", module, Sandbox.digestOf(module))), DeployAck.class);

    DeployAck ack =
        awaitReply(
            gateway.send(deploy("temp", notWasm, Sandbox.digestOf(notWasm))), DeployAck.class);

    assertThat(ack.accepted()).isFalse();
    assertThat(agent.runningApps()).containsEntry("temp", Sandbox.digestOf(module));
    int readings = outputs("temp", OutputKind.READING).size();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> outputs("temp", OutputKind.READING).size() > readings);
  }

  @Test
  void refusesDigestMismatchAndStaysConnected() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);
    String wrong = "sha256:" + "0".repeat(64);

    DeployAck ack = awaitReply(gateway.send(deploy("temp", module, wrong)), DeployAck.class);

    assertThat(ack.accepted()).isFalse();
    assertThat(ack.reason())
        .isEqualTo(
            "digest mismatch: got " + Sandbox.digestOf(module) + " (expected: " + wrong + ")");
    assertThat(agent.runningApps()).isEmpty();
    int heartbeats = gateway.messages(Heartbeat.class).size();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gateway.messages(Heartbeat.class).size() > heartbeats);
    assertThat(agent.sessions()).isEqualTo(1);
    assertThat(agent.connected()).isTrue();
  }

  @Test
  void refusesInvalidModuleWithTheSandboxReasonAndStaysConnected() {
    byte[] notWasm = "definitely not a wasm module".getBytes();

    DeployAck ack =
        awaitReply(
            gateway.send(deploy("broken", notWasm, Sandbox.digestOf(notWasm))), DeployAck.class);

    assertThat(ack.accepted()).isFalse();
    assertThat(ack.reason()).isNotBlank().doesNotContain("digest mismatch");
    assertThat(agent.runningApps()).isEmpty();
    int heartbeats = gateway.messages(Heartbeat.class).size();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gateway.messages(Heartbeat.class).size() > heartbeats);
    assertThat(agent.sessions()).isEqualTo(1);
  }

  @Test
  void reportsAppThatTrapsAsFailed() throws IOException {
    byte[] trapping = resource("trap-on-third-tick.wasm");

    DeployAck ack =
        awaitReply(
            gateway.send(deploy("trapper", trapping, Sandbox.digestOf(trapping))), DeployAck.class);

    assertThat(ack.accepted()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !gateway.messages(AppStatus.class).isEmpty());
    AppStatus status = gateway.messages(AppStatus.class).get(0);
    assertThat(status.app()).isEqualTo("trapper");
    assertThat(status.phase()).isEqualTo(AppPhase.FAILED);
    assertThat(status.reason()).isNotBlank();
    assertThat(outputs("trapper", OutputKind.LOG)).hasSizeGreaterThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(2)).until(() -> agent.runningApps().isEmpty());
  }

  @Test
  void stopsAppAndAcknowledgesAlsoWhenNotRunning() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);
    awaitReply(gateway.send(deploy("temp", module, Sandbox.digestOf(module))), DeployAck.class);

    StopAck stopped = awaitReply(gateway.send(new Message.Stop("temp")), StopAck.class);
    StopAck unknown = awaitReply(gateway.send(new Message.Stop("never-ran")), StopAck.class);

    assertThat(stopped).isEqualTo(new StopAck("temp", true, ""));
    assertThat(unknown).isEqualTo(new StopAck("never-ran", true, ""));
    assertThat(agent.runningApps()).isEmpty();
    assertThat(sandbox.apps()).doesNotContain("temp");
    assertThat(gateway.messages(AppStatus.class)).isEmpty();
  }

  @Test
  void reconnectsAfterGatewayRestartAndReportsAppsStillRunning() throws IOException {
    byte[] module = Files.readAllBytes(TEMPERATURE_MONITOR);
    String digest = Sandbox.digestOf(module);
    awaitReply(gateway.send(deploy("temp", module, digest)), DeployAck.class);

    gateway.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.state() != DeviceAgent.State.CONNECTED);
    gateway.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handshakes() == 2);
    assertThat(agent.awaitConnected(Duration.ofSeconds(5))).isTrue();
    assertThat(agent.sessions()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> !gateway.received(2).isEmpty());
    Message first = gateway.received(2).get(0).message();
    assertThat(first).isInstanceOf(DeviceInfo.class);
    assertThat(((DeviceInfo) first).apps()).isEqualTo(Map.of("temp", digest));
    assertThat(gateway.received(2).get(0).envelope().messageId()).isEqualTo(1);
  }

  @Test
  void garbageFromGatewayEndsTheConnectionNotTheAgent() {
    gateway.sendRaw(new byte[] {0, 0, 0, 5, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});

    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handshakes() == 2);
    assertThat(agent.awaitConnected(Duration.ofSeconds(5))).isTrue();
    assertThat(gateway.received(1))
        .extracting(Received::message)
        .anySatisfy(m -> assertThat(m).isInstanceOf(Message.ProtocolError.class));
    await().atMost(Duration.ofSeconds(5)).until(() -> !gateway.received(2).isEmpty());
    assertThat(gateway.received(2).get(0).message()).isInstanceOf(DeviceInfo.class);
  }

  @Test
  void oversizeFrameLengthEndsTheConnectionNotTheAgent() {
    gateway.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});

    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handshakes() == 2);
    assertThat(agent.awaitConnected(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void protocolErrorFromGatewayMakesTheAgentReconnect() {
    gateway.send(new Message.ProtocolError("test says no"));

    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handshakes() == 2);
    assertThat(agent.awaitConnected(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void closeSendsCloseNotifyAndStopsReconnecting() {
    agent.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closeNotifies() == 1);
    assertThat(agent.state()).isEqualTo(DeviceAgent.State.CLOSED);
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> gateway.handshakes() == 1);
  }

  @Test
  void simulatedHangSilencesTheDeviceWithoutClosingTheSocket() {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gateway.messages(Heartbeat.class).size() >= 1);

    agent.simulateHang();
    int afterHang = gateway.received().size();

    assertThat(agent.state()).isEqualTo(DeviceAgent.State.HUNG);
    await()
        .during(HEARTBEAT.multipliedBy(4))
        .atMost(HEARTBEAT.multipliedBy(8))
        .until(() -> gateway.received().size() <= afterHang + 1 && gateway.deviceConnected());
    gateway.send(new Message.Stop("anything"));
    await()
        .during(HEARTBEAT.multipliedBy(2))
        .atMost(HEARTBEAT.multipliedBy(4))
        .until(() -> gateway.messages(StopAck.class).isEmpty());

    agent.endHang();
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handshakes() == 2);
    assertThat(agent.awaitConnected(Duration.ofSeconds(5))).isTrue();
  }

  private Message.Deploy deploy(String app, byte[] module, String digest) {
    return new Message.Deploy(
        app, digest, module, new byte[0], FAST_TICKS, ModulePolicy.DEFAULT, Map.of());
  }

  private <T extends Message> T awaitReply(long id, Class<T> type) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                gateway.received().stream()
                    .filter(r -> r.envelope().messageId() == id && type.isInstance(r.message()))
                    .map(r -> type.cast(r.message()))
                    .findFirst()
                    .orElse(null),
            reply -> reply != null);
  }

  private List<AppOutput> outputs(String app, OutputKind kind) {
    return gateway.messages(AppOutput.class).stream()
        .filter(o -> o.app().equals(app) && o.kind() == kind)
        .toList();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = DeviceAgentTest.class.getResourceAsStream("/" + name)) {
      return in.readAllBytes();
    }
  }
}

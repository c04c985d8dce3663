package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wasmbed.device.AgentConfig;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.device.SimulatedSensors;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.sandbox.Sandbox;
import io.wasmbed.sandbox.SandboxRuntime;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway against the real device agent running real WebAssembly in its sandbox. */
class GatewayWithAgentTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path EXAMPLE =
      Path.of("..", "examples", "temperature-monitor", "temperature-monitor.wasm");

  @TempDir Path dir;
  private GatewayFixture gw;
  private SandboxRuntime runtime;
  private EventLoopGroup agents;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    gw = new GatewayFixture(dir.resolve("gateway"), Duration.ofSeconds(1), Duration.ofSeconds(10));
    runtime = new SandboxRuntime();
    agents = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    gw.close();
    agents.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    runtime.close();
  }

  private DeviceAgent agent(String name) {
    DeviceIdentity identity =
        DeviceIdentity.loadOrCreate(dir.resolve("devices").resolve(name), KeyAlgorithm.ED25519);
    var leaf = gw.pki.deviceCa().issueDeviceCertificate(identity.csr(name), name);
    identity.install(
        name, List.of(leaf, gw.pki.deviceCa().certificate()), gw.pki.gatewayCa().certificate());
    gw.store.create(
        Kind.DEVICE,
        new Device(
            ObjectMeta.named(name),
            new Device.Spec(PublicKeys.encode(identity.publicKey()), "simulated", null, null),
            null));
    Sandbox sandbox = new Sandbox(new SimulatedSensors(name, gw.clock), runtime);
    AgentConfig config =
        AgentConfig.of("localhost", gw.server.port()).withHeartbeatInterval(Duration.ofMillis(250));
    DeviceAgent agent = new DeviceAgent(config, identity, sandbox, agents, gw.clock);
    closeables.add(sandbox);
    closeables.add(0, agent);
    return agent;
  }

  private Device.Phase phase(String device) {
    return gw.device(device).status().phase();
  }

  @Test
  void agentConnectsAndItsCleanCloseMarksItDisconnected() {
    DeviceAgent agent = agent("sensor-1").start();

    await().atMost(WAIT).until(() -> phase("sensor-1") == Device.Phase.Connected);
    assertThat(gw.device("sensor-1").status().gateway()).isEqualTo(GatewayFixture.GATEWAY);
    assertThat(agent.awaitConnected(WAIT)).isTrue();
    System.out.printf(
        "MEASURED single agent: connect + TLS 1.3 handshake %d ms (agent side)%n",
        agent.lastHandshake().orElseThrow().toMillis());
    // Heartbeats every 250 ms keep it connected past the 1 s timeout.
    await()
        .during(Duration.ofMillis(2500))
        .atMost(WAIT)
        .until(() -> phase("sensor-1") == Device.Phase.Connected);

    agent.close();

    await().atMost(WAIT).until(() -> phase("sensor-1") == Device.Phase.Disconnected);
  }

  @Test
  void hungAgentBecomesUnreachable() {
    DeviceAgent agent = agent("sensor-1").start();
    await().atMost(WAIT).until(() -> phase("sensor-1") == Device.Phase.Connected);

    assertThat(agent.awaitConnected(WAIT)).isTrue();

    agent.simulateHang();

    await().atMost(WAIT).until(() -> phase("sensor-1") == Device.Phase.Unreachable);
    assertThat(gw.server.connectedDevices()).isEmpty();
  }

  @Test
  void realModuleRunsOnTheAgentThenStopsAndIsRemoved() throws IOException {
    byte[] module = Files.readAllBytes(EXAMPLE);
    DeviceAgent agent = agent("sensor-1").start();
    await().atMost(WAIT).until(() -> phase("sensor-1") == Device.Phase.Connected);

    gw.deploy("thermo", module, ModuleSources.digestOf(module), List.of("sensor-1"));

    await()
        .atMost(WAIT)
        .until(
            () ->
                gw.app("sensor-1", "thermo").map(s -> s.phase() == AppPhase.Running).orElse(false));
    assertThat(agent.runningApps()).containsKey("thermo");
    await().atMost(WAIT).until(() -> !gw.server.recentOutput("thermo").isEmpty());
    assertThat(gw.server.recentOutput("thermo").get(0).device()).isEqualTo("sensor-1");

    gw.setStopped("thermo", true);
    await()
        .atMost(WAIT)
        .until(
            () ->
                gw.app("sensor-1", "thermo").map(s -> s.phase() == AppPhase.Stopped).orElse(false));
    assertThat(agent.runningApps()).doesNotContainKey("thermo");

    gw.store.delete(Kind.APPLICATION, "thermo");
    await().atMost(WAIT).until(() -> gw.app("sensor-1", "thermo").isEmpty());
  }
}

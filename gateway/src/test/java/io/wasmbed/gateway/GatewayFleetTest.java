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
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.ObjectMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hundred real device agents in one JVM against one gateway; prints what it measured. */
class GatewayFleetTest {
  private static final int COUNT = 100;

  @TempDir Path dir;

  @Test
  void hundredAgentsConnectAndAreRecordedConnected() throws Exception {
    List<AutoCloseable> closeables = new ArrayList<>();
    EventLoopGroup agents = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try (GatewayFixture gw = new GatewayFixture(dir.resolve("gateway"));
        SandboxRuntime runtime = new SandboxRuntime()) {
      List<DeviceAgent> fleet = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        String name = String.format("dev-%03d", i);
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
        DeviceAgent agent =
            new DeviceAgent(
                AgentConfig.of("localhost", gw.server.port()), identity, sandbox, agents, gw.clock);
        fleet.add(agent);
        closeables.add(0, agent);
        closeables.add(sandbox);
      }

      long started = System.nanoTime();
      fleet.forEach(DeviceAgent::start);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> gw.server.connectedDevices().size() == COUNT);
      long admitted = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  gw.store.list(Kind.DEVICE, LabelSelector.ALL).stream()
                      .allMatch(d -> d.status().phase() == Device.Phase.Connected));
      long recorded = System.nanoTime();

      var handshakes = gw.meters.find("wasmbed.gateway.handshake").timer();
      System.out.printf(
          "MEASURED %d agents started at once: all admitted after %d ms, all Connected in the"
              + " store after %d ms; gateway-side handshake mean %.1f ms, max %.1f ms%n",
          COUNT,
          TimeUnit.NANOSECONDS.toMillis(admitted - started),
          TimeUnit.NANOSECONDS.toMillis(recorded - started),
          handshakes.mean(TimeUnit.MILLISECONDS),
          handshakes.max(TimeUnit.MILLISECONDS));
      assertThat(handshakes.count()).isEqualTo(COUNT);
      assertThat(gw.counter("wasmbed.gateway.sessions.opened")).isEqualTo(COUNT);
      for (AutoCloseable closeable : closeables) {
        closeable.close();
      }
      closeables.clear();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  gw.store.list(Kind.DEVICE, LabelSelector.ALL).stream()
                      .allMatch(d -> d.status().phase() == Device.Phase.Disconnected));
    } finally {
      for (AutoCloseable closeable : closeables) {
        closeable.close();
      }
      agents.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}

package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pki;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A hundred agents in one JVM on one shared event loop group, as the demo runs them. */
class FleetTest {

  private static final Logger log = LoggerFactory.getLogger(FleetTest.class);
  private static final int DEVICES = 100;

  @TempDir Path dir;

  @Test
  void hundredAgentsShareTwoEventLoopThreads() {
    Clock clock = Clock.systemUTC();
    Pki pki = Pki.loadOrCreate(dir.resolve("pki"), clock);
    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService workers = Executors.newFixedThreadPool(2);
    List<DeviceAgent> agents = new ArrayList<>();
    List<Sandbox> sandboxes = new ArrayList<>();
    try (TestGateway gateway =
        new TestGateway(
                pki.gatewayCredentials("gw-fleet", List.of("localhost", "127.0.0.1")),
                pki.deviceTrust())
            .start()) {
      AgentConfig config =
          AgentConfig.of("127.0.0.1", gateway.port())
              .withHeartbeatInterval(Duration.ofMillis(500))
              .withReconnect(Duration.ofMillis(100), Duration.ofSeconds(2));
      for (int i = 0; i < DEVICES; i++) {
        String name = "dev-" + i;
        Sandbox sandbox = new Sandbox(new SimulatedSensors(name, clock));
        sandboxes.add(sandbox);
        agents.add(
            DeviceAgent.builder(config, enroll(pki, name), sandbox)
                .eventLoopGroup(shared)
                .executor(workers)
                .clock(clock)
                .build());
      }

      long started = System.nanoTime();
      agents.forEach(DeviceAgent::start);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> agents.stream().allMatch(DeviceAgent::connected));
      Duration allConnected = Duration.ofNanos(System.nanoTime() - started);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gateway.messages(Heartbeat.class).size() >= 2 * DEVICES);
      assertThat(gateway.messages(DeviceInfo.class)).hasSize(DEVICES);
      assertThat(agents).allMatch(agent -> agent.sessions() == 1);
      List<Long> handshakes =
          agents.stream()
              .map(agent -> agent.lastHandshake().orElseThrow().toMillis())
              .sorted()
              .toList();
      log.info(
          "{} agents connected in {} ms; connect+handshake p50 {} ms, p90 {} ms, max {} ms",
          DEVICES,
          allConnected.toMillis(),
          handshakes.get(DEVICES / 2),
          handshakes.get(DEVICES * 9 / 10),
          handshakes.get(DEVICES - 1));
    } finally {
      agents.forEach(DeviceAgent::close);
      sandboxes.forEach(Sandbox::close);
      shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      workers.shutdownNow();
    }
  }

  private DeviceIdentity enroll(Pki pki, String name) {
    DeviceIdentity identity =
        DeviceIdentity.loadOrCreate(dir.resolve("devices").resolve(name), KeyAlgorithm.ED25519);
    var certificate = pki.deviceCa().issueDeviceCertificate(identity.csr(name), name);
    identity.install(
        name, List.of(certificate, pki.deviceCa().certificate()), pki.gatewayCa().certificate());
    return identity;
  }
}

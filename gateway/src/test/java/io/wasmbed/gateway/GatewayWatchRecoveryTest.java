package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.device.DeviceAgent;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's store watches fall behind a tiny event retention and must recover. */
class GatewayWatchRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int RETENTION = 4;
  private static final Path EXAMPLE =
      Path.of("..", "examples", "temperature-monitor", "temperature-monitor.wasm");

  @TempDir Path dir;
  private PausableStore view;
  private GatewayFixture gw;
  private Agents agents;

  @BeforeEach
  void start() {
    gw =
        new GatewayFixture(
            dir.resolve("gateway"),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            UnaryOperator.identity(),
            RETENTION,
            store -> view = new PausableStore(store));
    agents = new Agents(gw, dir.resolve("devices"));
  }

  @AfterEach
  void stop() throws Exception {
    view.resume();
    agents.close();
    gw.close();
  }

  @Test
  void deployAfterExpiredWatchesStillReachesTheDevice() throws Exception {
    DeviceAgent agent = agents.start("sensor-1");
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    view.pause();
    for (int i = 0; i < 3 * RETENTION; i++) {
      gw.store.create(Kind.DEVICE, device("filler-" + i));
      byte[] module = {0, 'a', 's', 'm', (byte) i, (byte) (i >> 8)};
      gw.deploy("filler-" + i, module, digestOf(module), List.of("nowhere"));
    }
    view.resume();

    await()
        .atMost(WAIT)
        .until(
            () ->
                gw.counter("wasmbed.gateway.watch.restarts", "kind", "Device") >= 1
                    && gw.counter("wasmbed.gateway.watch.restarts", "kind", "Application") >= 1);
    byte[] module = Files.readAllBytes(EXAMPLE);
    gw.deploy("thermo", module, ModuleSources.digestOf(module), List.of("sensor-1"));

    await()
        .atMost(WAIT)
        .until(
            () ->
                gw.app("sensor-1", "thermo").map(s -> s.phase() == AppPhase.Running).orElse(false));
    assertThat(agent.runningApps()).containsKey("thermo");
  }

  @Test
  void deviceDeletedWhileTheWatchWasLostLosesItsSession() {
    agents.start("sensor-1");
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    view.pause();
    gw.store.create(Kind.DEVICE, device("first"));
    await().atMost(WAIT).until(() -> view.blocked() == 1);
    // The device watch is stuck before this deletion, which it will never deliver.
    gw.store.delete(Kind.DEVICE, "sensor-1");
    for (int i = 0; i < 3 * RETENTION; i++) {
      gw.store.create(Kind.DEVICE, device("filler-" + i));
    }
    view.resume();

    await().atMost(WAIT).until(() -> !gw.server.connectedDevices().contains("sensor-1"));
    assertThat(gw.counter("wasmbed.gateway.watch.restarts", "kind", "Device")).isGreaterThan(0);
  }

  private static Device device(String name) {
    return new Device(
        ObjectMeta.named(name), new Device.Spec("key-" + name, "test", List.of(), null), null);
  }

  private static String digestOf(byte[] module) throws Exception {
    return "sha256:"
        + java.util.HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(module));
  }
}

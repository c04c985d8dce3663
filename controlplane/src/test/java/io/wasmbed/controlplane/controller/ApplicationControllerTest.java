package io.wasmbed.controlplane.controller;

import static io.wasmbed.controlplane.Fixtures.device;
import static io.wasmbed.controlplane.Fixtures.phase;
import static io.wasmbed.controlplane.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.controlplane.Fixtures;
import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.controlplane.apps.DeployRequest;
import io.wasmbed.store.Application;
import io.wasmbed.store.Application.Phase;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplicationControllerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private ResourceStore store;
  private ApplicationService apps;
  private ApplicationController controller;

  @BeforeEach
  void setUp() {
    Clock clock = Clock.systemUTC();
    store = SqliteResourceStore.open(dir.resolve("store.db"), clock);
    apps = new ApplicationService(store, clock);
    controller = new ApplicationController(store, clock);
  }

  @AfterEach
  void tearDown() {
    controller.close();
    store.close();
  }

  @Test
  void placesOnNamedDevicesAndSelectorMatchesButNeverOnRevokedOnes() {
    device(store, "a", Map.of("zone", "north"), Device.Phase.Connected);
    device(store, "b", Map.of("zone", "north"), Device.Phase.Connected);
    device(store, "c", Map.of("zone", "south"), Device.Phase.Connected);
    device(store, "d", Map.of("zone", "north"), Device.Phase.Revoked);
    device(store, "e", Map.of("zone", "west"), Device.Phase.Connected);
    controller.start();

    deploy("app", new Application.Targets(List.of("e", "d"), Map.of("zone", "north"), 0));

    Application app = awaitStatus("app", a -> a.status().placements().size() == 3);
    assertThat(app.status().placements()).containsExactly("a", "b", "e");
    assertThat(app.status().total()).isEqualTo(3);
    assertThat(app.status().devices().get("a"))
        .isEqualTo(new Application.DeviceState(AppPhase.Deploying, "waiting for gateway"));
  }

  @Test
  void countKeepsPlacedDevicesFirstThenConnectedOnesByName() {
    device(store, "a", Map.of("role", "edge"), Device.Phase.Disconnected);
    device(store, "b", Map.of("role", "edge"), Device.Phase.Connected);
    device(store, "c", Map.of("role", "edge"), Device.Phase.Connected);
    controller.start();

    deploy("app", new Application.Targets(List.of(), Map.of("role", "edge"), 1));
    awaitStatus("app", a -> a.status().placements().equals(List.of("b")));

    // The placed device loses its connection and a new one appears: placement stays put.
    device(store, "0-new", Map.of("role", "edge"), Device.Phase.Connected);
    phase(store, "b", Device.Phase.Disconnected);
    Application app =
        awaitStatus(
            "app",
            a ->
                a.status().devices().get("b") != null
                    && a.status()
                        .devices()
                        .get("b")
                        .reason()
                        .equals("waiting for device to connect"));
    assertThat(app.status().placements()).containsExactly("b");
  }

  @Test
  void phaseAndMessageSumTheDevicesReports() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    device(store, "b", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a", "b"), Map.of(), 0));
    Application app = awaitStatus("app", a -> a.status().total() == 2);
    assertThat(app.status().phase()).isEqualTo(Phase.Deploying);
    assertThat(app.status().message()).isEqualTo("Running on 0/2 devices");

    report(store, "a", "app", AppPhase.Running, "");
    app = awaitStatus("app", a -> a.status().phase() == Phase.PartiallyRunning);
    assertThat(app.status().running()).isEqualTo(1);
    assertThat(app.status().message()).isEqualTo("Running on 1/2 devices");

    report(store, "b", "app", AppPhase.Running, "");
    app = awaitStatus("app", a -> a.status().phase() == Phase.Running);
    assertThat(app.status().message()).isEqualTo("Running on 2/2 devices");

    report(store, "b", "app", AppPhase.Failed, "trap: unreachable");
    app = awaitStatus("app", a -> a.status().failed() == 1);
    assertThat(app.status().phase()).isEqualTo(Phase.PartiallyRunning);
    assertThat(app.status().message())
        .isEqualTo("Running on 1/2 devices; b failed: trap: unreachable");

    report(store, "a", "app", AppPhase.Failed, "out of fuel");
    app = awaitStatus("app", a -> a.status().phase() == Phase.Failed);
    assertThat(app.status().message()).isEqualTo("Running on 0/2 devices; a failed: out of fuel");
  }

  @Test
  void namedDeviceThatDoesNotExistIsCountedAsWaitingForRegistration() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a", "ghost"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");

    Application app = awaitStatus("app", a -> a.status().running() == 1);
    assertThat(app.status().total()).isEqualTo(2);
    assertThat(app.status().phase()).isEqualTo(Phase.PartiallyRunning);
    assertThat(app.status().devices().get("ghost"))
        .isEqualTo(new Application.DeviceState(AppPhase.Deploying, "device not registered"));
  }

  @Test
  void noMatchingDevicesStaysDeployingAndSaysSo() {
    controller.start();
    deploy("app", new Application.Targets(List.of(), Map.of("zone", "mars"), 0));
    Application app = awaitStatus("app", a -> !a.status().message().isEmpty());
    assertThat(app.status().phase()).isEqualTo(Phase.Deploying);
    assertThat(app.status().total()).isZero();
    assertThat(app.status().message()).startsWith("No matching devices").contains("zone=mars");
  }

  @Test
  void stopEmptiesPlacementsAndIsStoppedOnceNoDeviceStillRunsIt() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");
    awaitStatus("app", a -> a.status().phase() == Phase.Running);

    apps.stop("app");
    Application app = awaitStatus("app", a -> a.status().phase() == Phase.Stopping);
    assertThat(app.status().placements()).isEmpty();
    assertThat(app.status().message()).isEqualTo("Stopping on 1 device(s)");

    report(store, "a", "app", AppPhase.Stopped, "");
    app = awaitStatus("app", a -> a.status().phase() == Phase.Stopped);
    assertThat(app.status().stopped()).isEqualTo(1);

    apps.start("app");
    app = awaitStatus("app", a -> a.status().placements().equals(List.of("a")));
    assertThat(app.status().phase()).isEqualTo(Phase.Deploying);
  }

  @Test
  void deletionWaitsForConnectedDevicesThenRemovesTheApplication() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    device(store, "b", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a", "b"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");
    report(store, "b", "app", AppPhase.Running, "");
    awaitStatus("app", a -> a.status().phase() == Phase.Running);

    apps.delete("app");
    Application app = awaitStatus("app", a -> a.status().phase() == Phase.Deleting);
    assertThat(app.status().placements()).isEmpty();

    phase(store, "b", Device.Phase.Unreachable); // cannot be told; does not hold up deletion
    report(store, "a", "app", AppPhase.Stopping, "");
    Fixtures.forget(store, "a", "app");

    await().atMost(WAIT).until(() -> store.get(Kind.APPLICATION, "app").isEmpty());
  }

  @Test
  void writesNothingOnceTheStatusIsSettled() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");
    long settled =
        awaitStatus("app", a -> a.status().phase() == Phase.Running).metadata().resourceVersion();

    // Unrelated device writes (heartbeats) and explicit re-queues must not produce writes.
    store.updateStatus(
        Kind.DEVICE, "a", d -> d.withStatus(d.status().heartbeat(java.time.Instant.now())));
    controller.enqueue("app");
    await().during(Duration.ofMillis(700)).atMost(WAIT).until(() -> version("app") == settled);
  }

  @Test
  void placedDeviceThatIsNotConnectedKeepsItsReportButIsNotCountedAsRunning() {
    Instant lastSeen = Instant.parse("2026-03-01T10:15:30Z");
    device(store, "a", Map.of(), Device.Phase.Connected);
    device(store, "b", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a", "b"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");
    report(store, "b", "app", AppPhase.Running, "");
    heartbeat("b", lastSeen);
    awaitStatus("app", a -> a.status().phase() == Phase.Running);

    phase(store, "b", Device.Phase.Disconnected);
    Application app = awaitStatus("app", a -> a.status().phase() == Phase.PartiallyRunning);
    assertThat(app.status().message()).isEqualTo("Running on 1/2 devices");
    assertThat(app.status().running()).isEqualTo(1);
    assertThat(app.status().total()).isEqualTo(2);
    assertThat(app.status().devices().get("b"))
        .isEqualTo(
            new Application.DeviceState(
                AppPhase.Running, "device Disconnected, last seen 2026-03-01T10:15:30Z"));

    phase(store, "b", Device.Phase.Unreachable);
    app =
        awaitStatus(
            "app", a -> a.status().devices().get("b").reason().startsWith("device Unreachable"));
    assertThat(app.status().phase()).isEqualTo(Phase.PartiallyRunning);

    phase(store, "b", Device.Phase.Connected);
    app = awaitStatus("app", a -> a.status().phase() == Phase.Running);
    assertThat(app.status().message()).isEqualTo("Running on 2/2 devices");
    assertThat(app.status().devices().get("b"))
        .isEqualTo(new Application.DeviceState(AppPhase.Running, ""));
  }

  @Test
  void heartbeatsWriteNothingWhileAPlacedDeviceIsAway() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    device(store, "b", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a", "b"), Map.of(), 0));
    report(store, "a", "app", AppPhase.Running, "");
    report(store, "b", "app", AppPhase.Running, "");
    heartbeat("b", Instant.parse("2026-03-01T10:15:30Z"));
    phase(store, "b", Device.Phase.Disconnected);
    long settled =
        awaitStatus("app", a -> a.status().phase() == Phase.PartiallyRunning)
            .metadata()
            .resourceVersion();

    for (int i = 0; i < 5; i++) {
      heartbeat("a", Instant.now());
    }
    controller.enqueue("app");

    await().during(Duration.ofMillis(700)).atMost(WAIT).until(() -> version("app") == settled);
  }

  private void heartbeat(String device, Instant at) {
    store.updateStatus(Kind.DEVICE, device, d -> d.withStatus(d.status().heartbeat(at)));
  }

  @Test
  void recordsTheObservedGeneration() {
    device(store, "a", Map.of(), Device.Phase.Connected);
    controller.start();
    deploy("app", new Application.Targets(List.of("a"), Map.of(), 0));
    awaitStatus("app", a -> a.status().observedGeneration() == 1);
    apps.stop("app");
    awaitStatus("app", a -> a.status().observedGeneration() == 2);
  }

  private void deploy(String name, Application.Targets targets) {
    apps.deploy(new DeployRequest(name, Fixtures.EMPTY_WASM, targets, null, null, null, null));
  }

  private long version(String name) {
    return store.get(Kind.APPLICATION, name).orElseThrow().metadata().resourceVersion();
  }

  private Application awaitStatus(String name, Predicate<Application> condition) {
    return await()
        .atMost(WAIT)
        .until(
            () -> store.get(Kind.APPLICATION, name).orElse(null),
            a -> a != null && condition.test(a));
  }
}

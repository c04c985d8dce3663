package io.wasmbed.cli;

import static org.awaitility.Awaitility.await;

import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** A running embedded platform with real device agents, for end-to-end tests. */
final class Fixture implements AutoCloseable {

  static final Map<String, String> LABELS = Map.of("fleet", "e2e");
  static final Duration WAIT = Duration.ofSeconds(60);

  final Path dataDir;
  final EmbeddedPlatform platform;
  final Fleet fleet;
  final Clock clock = Clock.systemUTC();

  private Fixture(Path dataDir, EmbeddedPlatform platform) {
    this.dataDir = dataDir;
    this.platform = platform;
    this.fleet = new Fleet(platform.meters());
  }

  static Fixture start(Path dataDir) {
    return start(EmbeddedPlatform.Settings.ephemeral(dataDir));
  }

  static Fixture start(EmbeddedPlatform.Settings settings) {
    return new Fixture(settings.dataDir(), EmbeddedPlatform.start(settings, Clock.systemUTC()));
  }

  DeviceIdentity enroll(String name) {
    return Fleet.enroll(
        platform.controlPlane().devices(),
        platform.store(),
        dataDir.resolve("devices").resolve(name),
        name,
        LABELS);
  }

  DeviceAgent connect(DeviceIdentity identity, Duration heartbeat) {
    return fleet.start(
        identity, platform.gatewayHost(), platform.gateway().port(), heartbeat, clock);
  }

  /** Enrolls and connects {@code count} devices and waits until the store shows them Connected. */
  List<DeviceAgent> devices(int count) {
    List<DeviceAgent> agents = new ArrayList<>();
    for (String name : Fleet.names("device", count)) {
      agents.add(connect(enroll(name), Duration.ofSeconds(30)));
    }
    agents.forEach(a -> awaitDevicePhase(a.deviceName(), Device.Phase.Connected));
    return agents;
  }

  Device device(String name) {
    return platform.store().get(Kind.DEVICE, name).orElseThrow();
  }

  Application app(String name) {
    return platform.store().get(Kind.APPLICATION, name).orElseThrow();
  }

  void awaitDevicePhase(String device, Device.Phase phase) {
    await("device " + device + " " + phase)
        .atMost(WAIT)
        .until(
            () -> platform.store().get(Kind.DEVICE, device).map(d -> d.status().phase()),
            p -> p.isPresent() && p.get() == phase);
  }

  void awaitAppPhase(String app, Application.Phase phase) {
    await("application " + app + " " + phase)
        .atMost(WAIT)
        .until(
            () -> platform.store().get(Kind.APPLICATION, app).map(a -> a.status().phase()),
            p -> p.isPresent() && p.get() == phase);
  }

  /**
   * Stores an Application the way a client that bypasses the API would (kubectl in Kubernetes
   * mode): no server-side module check.
   */
  void createDirectly(String name, byte[] module, String device, int maxMemoryPages) {
    ModuleLimits d = ModuleLimits.DEFAULTS;
    ModuleLimits limits =
        new ModuleLimits(
            maxMemoryPages,
            d.maxTableElements(),
            d.instructionBudget(),
            d.callTimeoutMillis(),
            d.maxCallDepth(),
            d.maxOutputBytes(),
            d.tickMillis());
    Application.Spec spec =
        new Application.Spec(
            new Application.Module(ApplicationService.digest(module), module, null, null),
            "",
            new Application.Targets(List.of(device), Map.of(), 0),
            limits,
            ModulePolicy.DEFAULT,
            Map.of(),
            Application.RestartPolicy.Never,
            false);
    platform.store().create(Kind.APPLICATION, new Application(ObjectMeta.named(name), spec, null));
  }

  /** Runs a CLI command against this platform's API and returns its exit code and output. */
  CliRun cli(String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    full.addAll(List.of("--api", platform.apiUrl(), "--data-dir", dataDir.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(full.toArray(String[]::new));
    return new CliRun(code, out.toString(), err.toString());
  }

  record CliRun(int exitCode, String out, String err) {}

  static Path module(String name) {
    Path path = Path.of("src/test/resources/modules", name);
    if (!Files.exists(path)) {
      throw new UncheckedIOException(new IOException(path + " missing"));
    }
    return path;
  }

  static Path example(String name) {
    return Path.of("..", "examples", name, name + ".wasm");
  }

  @Override
  public void close() {
    fleet.close();
    platform.close();
  }
}

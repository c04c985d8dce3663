package io.wasmbed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.controlplane.apps.DeployRequest;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.gateway.OutputLine;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Json;
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wasmbed demo}: the whole path in one process — control plane, gateway, N real device
 * agents over mutual TLS, one WebAssembly app deployed to all of them — then a report.
 */
@Command(
    name = "demo",
    description = {
      "Run everything in one process and deploy an app to N simulated devices.",
      "",
      "Starts a control plane, a gateway and N device agents, registers and certifies the"
          + " devices, deploys a WebAssembly app to all of them over mutual TLS, waits until it"
          + " runs everywhere, prints devices, apps and app output, and exits 0 (non-zero with"
          + " the reason if anything did not come up in time or the app failed)."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {

  private static final Duration OUTPUT_WAIT = Duration.ofSeconds(5);
  static final String DEFAULT_APP = "examples/temperature-monitor/temperature-monitor.wasm";
  private static final Map<String, String> DEMO_LABELS = Map.of("fleet", "demo");

  @Spec CommandSpec spec;

  @Option(
      names = "--devices",
      paramLabel = "N",
      description = "Number of devices, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  int devices = 3;

  @Option(
      names = "--app",
      paramLabel = "FILE",
      description = "WebAssembly module to deploy (default: the temperature-monitor example).")
  Path app;

  @Option(
      names = "--keep",
      description = "Keep everything running after the report (Ctrl-C stops).")
  boolean keep;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "180s",
      description = "How long each step may take (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the demo keeps its state and log (default: a new temporary directory).")
  Path dataDir;

  private PrintWriter out;

  @Override
  public Integer call() throws IOException, InterruptedException {
    out = spec.commandLine().getOut();
    if (devices < 1 || devices > 1000) {
      throw new CliException("--devices: " + devices + " (expected: 1 to 1000)", 2);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CliException("--timeout: " + timeout.toSeconds() + "s (expected: more than 0)", 2);
    }
    byte[] module = readModule();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("wasmbed-demo-") : prepare(dataDir);
    Logging.toFile(privateFile(dir.resolve("wasmbed.log")));
    boolean succeeded = false;
    try {
      succeeded = run(dir, module);
      return 0;
    } finally {
      if (temporary && succeeded && !keep) {
        deleteTree(dir);
      } else if (!succeeded) {
        out.println("State and log kept in " + dir + " (see wasmbed.log).");
        out.flush();
      }
    }
  }

  private boolean run(Path dir, byte[] module) throws InterruptedException {
    Clock clock = Clock.systemUTC();
    step("Starting control plane and gateway (state and log in " + dir + ")");
    EmbeddedPlatform platform =
        EmbeddedPlatform.start(EmbeddedPlatform.Settings.ephemeral(dir), clock);
    Fleet fleet = new Fleet(platform.meters());
    try {
      long started = System.nanoTime();
      step("Registering and certifying " + plural(devices, "device"));
      List<DeviceIdentity> identities = enrollAll(platform, dir);
      step(
          "Connecting "
              + plural(devices, "device agent")
              + " over mutual TLS to "
              + platform.gatewayHost()
              + ":"
              + platform.gateway().port());
      for (DeviceIdentity identity : identities) {
        fleet.start(
            identity,
            platform.gatewayHost(),
            platform.gateway().port(),
            Duration.ofSeconds(30),
            clock);
      }
      awaitOrFail(
          "devices connected",
          () -> connected(platform) == devices,
          () -> Optional.empty(),
          () -> connected(platform) + "/" + devices + " devices connected");
      out.printf("  %d/%d connected in %d ms%n", devices, devices, millisSince(started));

      String appName = appName();
      step("Deploying " + appName + " (" + module.length + " bytes) to every device");
      long deployed = System.nanoTime();
      deploy(platform, appName, module);
      awaitOrFail(
          "application running",
          () -> running(platform, appName) == devices,
          () -> failure(platform, appName),
          () -> describe(platform, appName));
      out.printf(
          "  Running on %d/%d devices, %d ms after deploy%n",
          devices, devices, millisSince(deployed));
      awaitOutput(platform, appName);

      report(platform, appName);
      if (keep) {
        keepRunning(platform, fleet);
      }
      return true;
    } finally {
      fleet.close();
      platform.close();
    }
  }

  /** A demo data directory may be reused: the same app is started again, never replaced. */
  private void deploy(EmbeddedPlatform platform, String appName, byte[] module) {
    Optional<Application> existing = platform.store().get(Kind.APPLICATION, appName);
    if (existing.isEmpty()) {
      platform.controlPlane().applications().deploy(deployRequest(appName, module));
      return;
    }
    String digest = ApplicationService.digest(module);
    if (!existing.get().spec().module().digest().equals(digest)) {
      throw new CliException(
          "application "
              + appName
              + " already exists in this data directory with module "
              + existing.get().spec().module().digest()
              + " (expected: "
              + digest
              + "; use a fresh --data-dir)");
    }
    platform.controlPlane().applications().start(appName);
  }

  /**
   * Waits a little for output; an app that publishes nothing still counts as running, but one that
   * fails meanwhile (a tick that loops, a flood of output) fails the demo.
   */
  private void awaitOutput(EmbeddedPlatform platform, String appName) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), OUTPUT_WAIT.toNanos());
    while (devicesWithReadings(platform, appName) < devices && System.nanoTime() < deadline) {
      requireNoFailure(platform, appName);
      Thread.sleep(50);
    }
    requireNoFailure(platform, appName);
    if (running(platform, appName) < devices) {
      throw new CliException(
          "demo failed: " + appName + " stopped running (" + describe(platform, appName) + ")");
    }
    out.printf(
        "  Readings arriving from %d/%d devices%n%n",
        devicesWithReadings(platform, appName), devices);
  }

  private byte[] readModule() throws IOException {
    if (app != null) {
      return InputFile.read("--app", app, InputFile.MAX_MODULE_BYTES);
    }
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(DEFAULT_APP)) {
      if (in == null) {
        throw new CliException("the example app " + DEFAULT_APP + " is missing from this build");
      }
      return in.readAllBytes();
    }
  }

  private String appName() {
    if (app == null) {
      return "temperature-monitor";
    }
    String file = app.getFileName().toString().replaceFirst("\\.wasm$", "");
    return file.toLowerCase().replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
  }

  private List<DeviceIdentity> enrollAll(EmbeddedPlatform platform, Path dir) {
    List<DeviceIdentity> identities = new ArrayList<>();
    for (String name : Fleet.names("device", devices)) {
      identities.add(
          Fleet.enroll(
              platform.controlPlane().devices(),
              platform.store(),
              dir.resolve("devices").resolve(name),
              name,
              DEMO_LABELS));
    }
    return identities;
  }

  private static DeployRequest deployRequest(String name, byte[] module) {
    return new DeployRequest(
        name,
        module,
        new Application.Targets(List.of(), DEMO_LABELS, 0),
        ModuleLimits.DEFAULTS,
        ModulePolicy.DEFAULT,
        Map.of("unit", "celsius"),
        Map.of());
  }

  private static long connected(EmbeddedPlatform platform) {
    return platform.store().list(Kind.DEVICE, new LabelSelector(DEMO_LABELS)).stream()
        .filter(d -> d.status().phase() == Device.Phase.Connected)
        .count();
  }

  private static int running(EmbeddedPlatform platform, String app) {
    return platform.store().get(Kind.APPLICATION, app).map(a -> a.status().running()).orElse(0);
  }

  private static long devicesWithReadings(EmbeddedPlatform platform, String app) {
    return platform.gateway().recentOutput(app).stream()
        .filter(line -> line.kind() == io.wasmbed.protocol.Message.OutputKind.READING)
        .map(OutputLine::device)
        .distinct()
        .count();
  }

  private static String describe(EmbeddedPlatform platform, String app) {
    return platform
        .store()
        .get(Kind.APPLICATION, app)
        .map(a -> a.status().phase() + ": " + a.status().message())
        .orElse("application " + app + " not found");
  }

  private void awaitOrFail(
      String what,
      BooleanSupplier done,
      Supplier<Optional<String>> hopeless,
      Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      Optional<String> failure = hopeless.get();
      if (failure.isPresent()) {
        throw new CliException("demo failed: " + failure.get());
      }
      if (System.nanoTime() > deadline) {
        throw new CliException(
            "demo failed: "
                + what
                + " not reached within "
                + timeout.toSeconds()
                + " s ("
                + state.get()
                + ")");
      }
      Thread.sleep(50);
    }
  }

  private static void requireNoFailure(EmbeddedPlatform platform, String appName) {
    failure(platform, appName)
        .ifPresent(
            reason -> {
              throw new CliException("demo failed: " + reason);
            });
  }

  /** The first device on which the app failed, if any: then waiting longer cannot help. */
  private static Optional<String> failure(EmbeddedPlatform platform, String app) {
    return platform.store().get(Kind.APPLICATION, app).stream()
        .flatMap(a -> a.status().devices().entrySet().stream())
        .filter(e -> e.getValue().phase() == Device.AppPhase.Failed)
        .map(e -> app + " failed on " + e.getKey() + ": " + e.getValue().reason())
        .findFirst();
  }

  private void report(EmbeddedPlatform platform, String appName) {
    out.println("DEVICES");
    DeviceCommand.printTable(out, asJson(platform.store().list(Kind.DEVICE, LabelSelector.ALL)));
    out.println();
    out.println("APPLICATIONS");
    AppCommand.printTable(out, asJson(platform.store().list(Kind.APPLICATION, LabelSelector.ALL)));
    out.println();
    List<OutputLine> output = platform.gateway().recentOutput(appName);
    out.println("APP OUTPUT (latest " + Math.min(8, output.size()) + " of " + output.size() + ")");
    Table table = new Table("DEVICE", "KIND", "TEXT");
    output.stream()
        .skip(Math.max(0, output.size() - 8))
        .forEach(line -> table.row(line.device(), line.kind(), line.text()));
    table.print(out);
    out.flush();
  }

  private static List<JsonNode> asJson(List<?> resources) {
    return resources.stream().map(r -> (JsonNode) Json.mapper().valueToTree(r)).toList();
  }

  private void keepRunning(EmbeddedPlatform platform, Fleet fleet) throws InterruptedException {
    out.printf("%nStill running (--keep). Try, in another terminal:%n");
    out.printf(
        "  export WASMBED_API=%s WASMBED_HOME=%s%n",
        platform.apiUrl(), platform.settings().dataDir());
    out.printf("  ./wasmbed device list%n  ./wasmbed app status %s%n", "temperature-monitor");
    out.printf("Press Ctrl-C to stop.%n");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  fleet.close();
                  platform.close();
                  stopped.countDown();
                },
                "wasmbed-demo-shutdown"));
    stopped.await();
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  private static Path prepare(Path dir) {
    Path absolute = DataDir.requireNonEmpty("--data-dir", dir).toAbsolutePath();
    if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
      throw new CliException("--data-dir: " + absolute + " exists and is not a directory", 2);
    }
    try {
      Files.createDirectories(absolute);
    } catch (IOException e) {
      throw new CliException("--data-dir: cannot create " + absolute + ": " + e.getMessage(), 2);
    }
    return absolute;
  }

  /** Creates the file owner-only before anything writes to it: logs name devices and apps. */
  private static Path privateFile(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      return file;
    } catch (IOException e) {
      throw new CliException("cannot create " + file + ": " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Leaving a temporary directory behind is not worth failing a successful demo.
    }
  }

  private void step(String text) {
    out.println("==> " + text);
    out.flush();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}

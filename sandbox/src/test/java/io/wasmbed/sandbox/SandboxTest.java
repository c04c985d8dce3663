package io.wasmbed.sandbox;

import static io.wasmbed.sandbox.TestApps.example;
import static io.wasmbed.sandbox.TestApps.hostile;
import static io.wasmbed.sandbox.TestApps.limits;
import static io.wasmbed.sandbox.TestApps.policy;
import static io.wasmbed.sandbox.TestApps.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.CallNotAllowed;
import io.wasmbed.sandbox.SandboxException.InstanceNotFound;
import io.wasmbed.sandbox.SandboxException.InvalidModule;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import io.wasmbed.sandbox.SandboxException.ModuleNotFound;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxTest {
  static SandboxRuntime runtime;
  final TestApps.Recorder recorder = new TestApps.Recorder();
  final Sandbox sandbox = new Sandbox(TestApps.host(Map.of("temperature", 35.0)), runtime);

  @BeforeAll
  static void createRuntime() {
    runtime = new SandboxRuntime();
  }

  @AfterAll
  static void closeRuntime() {
    runtime.close();
  }

  @AfterEach
  void closeSandbox() {
    sandbox.close();
  }

  private static ModulePolicy exporting(String... exports) {
    return new ModulePolicy(List.of("wasmbed.*"), List.of(exports), false, false, "auto");
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled", "auto"})
  void temperatureMonitorLogsAndPublishesEveryTick(String mode) {
    sandbox.start(
        spec("temp", example("temperature-monitor"), limits(0, 0, 0, 0, 0, 20), policy(mode)),
        recorder);

    assertThat(sandbox.apps()).containsExactly("temp");
    assertThat(recorder.outputs).contains("temp LOG temperature-monitor started");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorder.count("temp READING temperature=35.0") >= 3);
    assertThat(recorder.outputs).contains("temp LOG temperature above threshold");
    assertThat(sandbox.stop("temp")).isTrue();
    assertThat(sandbox.apps()).isEmpty();
    assertThat(recorder.ended).isEmpty();
  }

  @Test
  void appReadsItsConfig() {
    byte[] module = example("temperature-monitor");
    AppSpec spec =
        new AppSpec(
            "temp",
            module,
            Sandbox.digestOf(module),
            limits(0, 0, 0, 0, 0, 20),
            ModulePolicy.DEFAULT,
            Map.of("threshold", "40"));
    sandbox.start(spec, recorder);

    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.count("temp READING") >= 3);
    assertThat(recorder.outputs).doesNotContain("temp LOG temperature above threshold");
  }

  @Test
  void crc32ExampleComputesTheStandardChecksum() {
    sandbox.start(
        spec(
            "crc",
            example("crc32"),
            limits(0, 0, 0, 0, 0, 0),
            exporting("init", "buffer", "crc32")),
        recorder);
    long buffer = sandbox.call("crc", "buffer")[0];
    // init fills the buffer from the LCG seed = seed * 1103515245 + 12345, byte = seed >> 16.
    byte[] expectedBuffer = new byte[4096];
    int seed = 1;
    for (int i = 0; i < expectedBuffer.length; i++) {
      seed = seed * 1103515245 + 12345;
      expectedBuffer[i] = (byte) (seed >>> 16);
    }
    java.util.zip.CRC32 expected = new java.util.zip.CRC32();
    expected.update(expectedBuffer);

    assertThat(sandbox.call("crc", "crc32", buffer, 4096)[0] & 0xFFFF_FFFFL)
        .isEqualTo(expected.getValue());
  }

  @Test
  void compilesOncePerDigestAndOnlyWhenCompiledModeIsUsed() {
    byte[] module = example("crc32");
    String digest = Sandbox.digestOf(module);
    sandbox.start(spec("a", module, limits(0, 0, 0, 0, 0, 0), policy("interpreter")), recorder);
    assertThat(runtime.cached(digest).isCompiled()).isFalse();

    sandbox.start(spec("b", module, limits(0, 0, 0, 0, 0, 0), policy("compiled")), recorder);
    var factory = runtime.cached(digest).compiled();
    sandbox.start(spec("c", module, limits(0, 0, 0, 0, 0, 0), policy("compiled")), recorder);

    assertThat(runtime.cached(digest).compiled()).isSameAs(factory);
  }

  @Test
  void failingListenerDoesNotEndTheApp() {
    AppListener throwing =
        new AppListener() {
          @Override
          public void output(String app, io.wasmbed.protocol.Message.OutputKind kind, String text) {
            recorder.output(app, kind, text);
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void ended(String app, boolean failed, String reason) {
            recorder.ended(app, failed, reason);
          }
        };
    sandbox.start(
        spec(
            "temp",
            example("temperature-monitor"),
            limits(0, 0, 0, 0, 0, 10),
            ModulePolicy.DEFAULT),
        throwing);

    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.count("temp READING") >= 3);
    assertThat(recorder.ended).isEmpty();
    assertThat(sandbox.apps()).containsExactly("temp");
  }

  @Test
  void stopReturnsFalseForUnknownApp() {
    assertThat(sandbox.stop("nope")).isFalse();
  }

  @Test
  void startingSameDigestAgainLeavesAppRunning() {
    AppSpec spec =
        spec(
            "temp", example("temperature-monitor"), limits(0, 0, 0, 0, 0, 0), ModulePolicy.DEFAULT);
    sandbox.start(spec, recorder);
    sandbox.start(spec, recorder);

    assertThat(recorder.count("temp LOG temperature-monitor started")).isEqualTo(1);
  }

  @Test
  void eachInstanceHasItsOwnMemory() {
    ModulePolicy policy = exporting("store", "load");
    sandbox.start(spec("a", hostile("isolation"), limits(0, 0, 0, 0, 0, 0), policy), recorder);
    sandbox.start(spec("b", hostile("isolation"), limits(0, 0, 0, 0, 0, 0), policy), recorder);

    sandbox.call("a", "store", 16, 7);

    assertThat(sandbox.call("a", "load", 16)).containsExactly(7);
    assertThat(sandbox.call("b", "load", 16)).containsExactly(0);
  }

  @Test
  void refusesModuleWhoseDigestDoesNotMatch() {
    byte[] module = example("temperature-monitor");
    AppSpec spec =
        new AppSpec(
            "temp",
            module,
            Sandbox.digestOf(new byte[] {1}),
            ModuleLimits.DEFAULTS,
            ModulePolicy.DEFAULT,
            Map.of());

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessageStartingWith("temp: module digest " + Sandbox.digestOf(module));
  }

  @Test
  void refusesModuleNotOnAllowedList() {
    ModulePolicy policy =
        new ModulePolicy(
            List.of("wasmbed.*"), List.of(), false, false, "auto", List.of("other-app"));

    assertThatThrownBy(
            () ->
                sandbox.start(
                    spec("temp", example("temperature-monitor"), ModuleLimits.DEFAULTS, policy),
                    recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessageContaining("not an allowed module (expected: one of [other-app])");
  }

  @Test
  void startsModuleAllowedByDigest() {
    byte[] module = example("temperature-monitor");
    ModulePolicy policy =
        new ModulePolicy(
            List.of("wasmbed.*"),
            List.of(),
            false,
            false,
            "auto",
            List.of("temp@" + Sandbox.digestOf(module)));

    sandbox.start(spec("temp", module, ModuleLimits.DEFAULTS, policy), recorder);

    assertThat(sandbox.apps()).containsExactly("temp");
  }

  @Test
  void refusesUnknownDigestWithoutBytes() {
    AppSpec spec =
        new AppSpec(
            "temp",
            new byte[0],
            Sandbox.digestOf(new byte[] {42}),
            ModuleLimits.DEFAULTS,
            ModulePolicy.DEFAULT,
            Map.of());

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotFound.class)
        .hasMessageContaining("no cached module");
  }

  @Test
  void startsCachedModuleByDigestAlone() {
    byte[] module = example("temperature-monitor");
    sandbox.start(spec("first", module), recorder);
    AppSpec byDigest =
        new AppSpec(
            "second",
            new byte[0],
            Sandbox.digestOf(module),
            ModuleLimits.DEFAULTS,
            ModulePolicy.DEFAULT,
            Map.of());

    sandbox.start(byDigest, recorder);

    assertThat(sandbox.apps()).containsExactlyInAnyOrder("first", "second");
  }

  @Test
  void refusesGarbageAsInvalidModule() {
    assertThatThrownBy(() -> sandbox.start(spec("junk", new byte[] {0, 'a', 's', 'x'}), recorder))
        .isExactlyInstanceOf(InvalidModule.class)
        .hasMessageStartingWith("module sha256:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"regression-parser-assertion-1", "regression-parser-assertion-2"})
  void refusesModuleThatTripsChicoryParserAssertion(String seed) {
    byte[] module =
        TestApps.read(
            java.nio.file.Path.of(
                "src/test/resources/io/wasmbed/sandbox/LoaderFuzzTestInputs",
                "loaderRefusesWithSandboxExceptionOnly",
                seed));

    assertThatThrownBy(() -> sandbox.start(spec("mutant", module), recorder))
        .isExactlyInstanceOf(InvalidModule.class);
  }

  @Test
  void refusesModuleLargerThanDeviceAllows() {
    try (SandboxRuntime small =
            new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS.withMaxModuleBytes(512));
        Sandbox device = new Sandbox(TestApps.host(Map.of()), small)) {
      assertThatThrownBy(() -> device.start(spec("temp", example("temperature-monitor")), recorder))
          .isExactlyInstanceOf(SandboxException.LimitExceeded.class)
          .hasMessageEndingWith(
              ": 681 bytes (expected: at most 512, this device's module size limit)");
    }
  }

  @Test
  void refusesCallToUnknownApp() {
    assertThatThrownBy(() -> sandbox.call("ghost", "tick"))
        .isExactlyInstanceOf(InstanceNotFound.class)
        .hasMessage("ghost: no such app running (call tick)");
  }

  @Test
  void refusesCallToExportNotAllowedByPolicy() {
    sandbox.start(
        spec("x", hostile("exports"), limits(0, 0, 0, 0, 0, 0), exporting("add")), recorder);

    assertThat(sandbox.call("x", "add", 2, 3)).containsExactly(5);
    assertThatThrownBy(() -> sandbox.call("x", "secret"))
        .isExactlyInstanceOf(CallNotAllowed.class)
        .hasMessage("x: call secret is not an allowed entry point (expected: one of [add])");
    assertThat(sandbox.apps()).containsExactly("x");
  }

  @Test
  void refusesNonEntryPointWithDefaultPolicy() {
    sandbox.start(
        spec("x", hostile("exports"), limits(0, 0, 0, 0, 0, 0), ModulePolicy.DEFAULT), recorder);

    assertThatThrownBy(() -> sandbox.call("x", "add", 2, 3))
        .isExactlyInstanceOf(CallNotAllowed.class);
  }

  @Test
  void refusesCallToAllowedButMissingExport() {
    sandbox.start(
        spec("x", hostile("exports"), limits(0, 0, 0, 0, 0, 0), exporting("missing")), recorder);

    assertThatThrownBy(() -> sandbox.call("x", "missing"))
        .isExactlyInstanceOf(CallNotAllowed.class)
        .hasMessage("x: call missing: module exports no such function");
  }

  @Test
  void hundredSandboxesShareOneParsedModule() {
    byte[] module = example("temperature-monitor");
    long before = runtime.cachedModules();
    List<Sandbox> devices = new java.util.ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      Sandbox device = new Sandbox(TestApps.host(Map.of("temperature", 20.0 + i)), runtime);
      device.start(spec("temp", module, limits(0, 0, 0, 0, 0, 50), ModulePolicy.DEFAULT), recorder);
      devices.add(device);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(runtime.cachedModules()).isLessThanOrEqualTo(before + 1);
    assertThat(millis).isLessThan(5_000);
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.count("temp READING") >= 200);
    devices.forEach(Sandbox::close);
    assertThat(recorder.ended).isEmpty();
  }
}

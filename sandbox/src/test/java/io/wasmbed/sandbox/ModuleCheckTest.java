package io.wasmbed.sandbox;

import static io.wasmbed.sandbox.TestApps.example;
import static io.wasmbed.sandbox.TestApps.hostile;
import static io.wasmbed.sandbox.TestApps.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.InvalidModule;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModuleCheckTest {
  final SandboxRuntime runtime = new SandboxRuntime();
  final Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
  final TestApps.Recorder recorder = new TestApps.Recorder();

  @AfterEach
  void close() {
    sandbox.close();
    runtime.close();
  }

  @Test
  void reportsWhatAValidModuleLinksAndExports() {
    byte[] module = example("temperature-monitor");

    ModuleCheck.Report report =
        ModuleCheck.verify(module, ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT);

    assertThat(report.digest()).isEqualTo(Sandbox.digestOf(module));
    assertThat(report.sizeBytes()).isEqualTo(module.length);
    assertThat(report.hostImports()).isNotEmpty().allMatch(HostInterface.SIGNATURES::containsKey);
    assertThat(report.wasiImports()).isEmpty();
    assertThat(report.exportedFunctions()).contains("tick");
  }

  @Test
  void refusesWhatTheSandboxRefusesWithTheSameKindAndReason() {
    byte[] garbage = {0, 'a', 's', 'm', 1, 0, 0, 0, 9, 9};
    assertSameRefusal(garbage, ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT, InvalidModule.class);
    assertSameRefusal(
        hostile("memory-bomb"), ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT, LimitExceeded.class);
    assertSameRefusal(
        hostile("wasi-fs"), ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT, ModuleNotAllowed.class);
    assertSameRefusal(
        hostile("huge-table"), ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT, LimitExceeded.class);
  }

  @Test
  void namesTheModuleAndTheOffendingDeclarationOrImport() {
    assertThatThrownBy(
            () ->
                ModuleCheck.verify(
                    hostile("memory-bomb"), ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage("module: memory: 65536 initial pages (expected: at most maxMemoryPages 16)");
    assertThatThrownBy(
            () ->
                ModuleCheck.verify(hostile("wasi-fs"), ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "module: import wasi_snapshot_preview1.path_open: file-system access is not granted"
                + " by policy (allowFilesystem is false)");
  }

  @Test
  void refusesModulesOverTheDeviceSizeLimit() {
    var small = SandboxRuntime.Settings.DEFAULTS.withMaxModuleBytes(512);
    byte[] module = example("temperature-monitor");

    assertThatThrownBy(
            () ->
                ModuleCheck.verify(
                    "temp", module, ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT, small))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessageEndingWith(
            module.length + " bytes (expected: at most 512, this device's module size limit)");
  }

  @Test
  void refusesLimitsOverTheDeviceMaxima() {
    ModuleLimits huge = new ModuleLimits(65_536, 0, 0, 0, 0, 0, 1000);

    assertThatThrownBy(
            () -> ModuleCheck.verify(example("temperature-monitor"), huge, ModulePolicy.DEFAULT))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage(
            "module: limits.maxMemoryPages: 65536 (expected: at most 256, this device's maximum)");
  }

  @Test
  void checksAllowedModulesByNameWhenGivenOne() {
    byte[] module = example("temperature-monitor");
    ModulePolicy onlyBlink =
        new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, "auto", List.of("blink"));

    assertThatThrownBy(
            () ->
                ModuleCheck.verify(
                    "temp",
                    module,
                    ModuleLimits.DEFAULTS,
                    onlyBlink,
                    SandboxRuntime.Settings.DEFAULTS))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessageStartingWith("temp@sha256:")
        .hasMessageEndingWith("not an allowed module (expected: one of [blink])");
    assertThat(
            ModuleCheck.verify(
                    "blink",
                    module,
                    ModuleLimits.DEFAULTS,
                    onlyBlink,
                    SandboxRuntime.Settings.DEFAULTS)
                .digest())
        .isEqualTo(Sandbox.digestOf(module));
  }

  private void assertSameRefusal(
      byte[] module,
      ModuleLimits limits,
      ModulePolicy policy,
      Class<? extends SandboxException> kind) {
    Throwable atDevice =
        catchRefusal(() -> sandbox.start(spec("module", module, limits, policy), recorder));
    Throwable checked = catchRefusal(() -> ModuleCheck.verify(module, limits, policy));

    assertThat(checked).isExactlyInstanceOf(kind);
    assertThat(atDevice).isExactlyInstanceOf(kind);
    assertThat(checked.getMessage()).isEqualTo(atDevice.getMessage());
  }

  private static Throwable catchRefusal(Runnable action) {
    try {
      action.run();
    } catch (SandboxException e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }
}

package io.wasmbed.sandbox;

import static io.wasmbed.sandbox.TestApps.example;
import static io.wasmbed.sandbox.TestApps.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LimitMaximaTest {
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final SandboxRuntime runtime = new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS, meters);
  final Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
  final TestApps.Recorder recorder = new TestApps.Recorder();

  @AfterEach
  void close() {
    sandbox.close();
    runtime.close();
  }

  @ParameterizedTest
  @CsvSource({
    "maxMemoryPages, 65536, 256",
    "maxTableElements, 1000000, 100000",
    "instructionBudget, 100000000000, 10000000000",
    "callTimeoutMillis, 360000000, 60000",
    "maxCallDepth, 100000, 4096",
    "maxOutputBytes, 100000000, 1048576"
  })
  void refusesAtStartLimitsOverTheDeviceMaximum(String field, long value, long maximum) {
    assertThatThrownBy(
            () ->
                sandbox.start(
                    spec(
                        "temp",
                        example("temperature-monitor"),
                        with(field, value),
                        ModulePolicy.DEFAULT),
                    recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage(
            "temp: limits."
                + field
                + ": "
                + value
                + " (expected: at most "
                + maximum
                + ", this device's maximum)");
    assertThat(sandbox.apps()).isEmpty();
    Counter refusals =
        meters.find(SandboxRuntime.REFUSALS).tag("reason", "limit_exceeded").counter();
    assertThat(refusals).isNotNull();
    assertThat(refusals.count()).isEqualTo(1);
  }

  @Test
  void startsLimitsAtTheMaximum() {
    LimitMaxima max = LimitMaxima.DEFAULTS;
    ModuleLimits atMaximum =
        new ModuleLimits(
            max.maxMemoryPages(),
            max.maxTableElements(),
            max.maxInstructionBudget(),
            max.maxCallTimeoutMillis(),
            max.maxCallDepth(),
            max.maxOutputBytes(),
            0);

    sandbox.start(
        spec("temp", example("temperature-monitor"), atMaximum, ModulePolicy.DEFAULT), recorder);

    assertThat(sandbox.apps()).containsExactly("temp");
  }

  @Test
  void checksDefaultedFieldsAgainstLoweredMaxima() {
    var strict = new LimitMaxima(8, 1024, 1_000_000, 500, 64, 1024);
    try (SandboxRuntime small =
            new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS.withLimitMaxima(strict));
        Sandbox device = new Sandbox(TestApps.host(Map.of()), small)) {
      assertThatThrownBy(
              () ->
                  device.start(
                      spec(
                          "temp",
                          example("temperature-monitor"),
                          new ModuleLimits(0, 0, 0, 0, 0, 0, 0),
                          ModulePolicy.DEFAULT),
                      recorder))
          .isExactlyInstanceOf(LimitExceeded.class)
          .hasMessage(
              "temp: limits.maxMemoryPages: 16 (expected: at most 8, this device's maximum)");
    }
  }

  private static ModuleLimits with(String field, long value) {
    ModuleLimits d = ModuleLimits.DEFAULTS;
    return new ModuleLimits(
        field.equals("maxMemoryPages") ? (int) value : d.maxMemoryPages(),
        field.equals("maxTableElements") ? (int) value : d.maxTableElements(),
        field.equals("instructionBudget") ? value : d.instructionBudget(),
        field.equals("callTimeoutMillis") ? value : d.callTimeoutMillis(),
        field.equals("maxCallDepth") ? (int) value : d.maxCallDepth(),
        field.equals("maxOutputBytes") ? (int) value : d.maxOutputBytes(),
        d.tickMillis());
  }
}

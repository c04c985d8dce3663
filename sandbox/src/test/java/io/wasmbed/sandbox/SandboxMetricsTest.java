package io.wasmbed.sandbox;

import static io.wasmbed.sandbox.TestApps.hostile;
import static io.wasmbed.sandbox.TestApps.limits;
import static io.wasmbed.sandbox.TestApps.spec;
import static io.wasmbed.sandbox.TestApps.wasi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.AppExited;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxMetricsTest {
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final SandboxRuntime runtime = new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS, meters);
  final Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
  final TestApps.Recorder recorder = new TestApps.Recorder();

  @AfterEach
  void close() {
    sandbox.close();
    runtime.close();
  }

  private double count(String name, String reason) {
    Counter counter = meters.find(name).tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void countsEveryRefusalByReason() {
    byte[] garbage = {0, 'a', 's', 'm', 9};
    assertThatThrownBy(() -> sandbox.start(spec("wasi", hostile("wasi-fs")), recorder));
    assertThatThrownBy(() -> sandbox.start(spec("env", hostile("env-import")), recorder));
    assertThatThrownBy(() -> sandbox.start(spec("junk", garbage), recorder));
    assertThatThrownBy(() -> sandbox.call("nobody", "tick"));

    assertThat(count(SandboxRuntime.REFUSALS, "module_not_allowed")).isEqualTo(2);
    assertThat(count(SandboxRuntime.REFUSALS, "invalid_module")).isEqualTo(1);
    assertThat(count(SandboxRuntime.REFUSALS, "instance_not_found")).isEqualTo(1);
    assertThat(count(SandboxRuntime.APP_FAILURES, "trap")).isZero();
  }

  @Test
  void countsAppsEndedByTrapsAndFailingExitsButNotCleanExits() {
    sandbox.start(
        spec(
            "div",
            hostile("divide-by-zero"),
            limits(0, 0, 0, 0, 0, 10),
            new ModulePolicy(List.of(), List.of(), false, false, "interpreter")),
        recorder);
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.ended.containsKey("div"));

    ModulePolicy wasiPolicy =
        new ModulePolicy(
            List.of("wasi_snapshot_preview1.*"), List.of("quit"), false, false, "interpreter");
    sandbox.start(spec("ok", wasi("wasi-hello"), ModuleLimits.DEFAULTS, wasiPolicy), recorder);
    sandbox.start(spec("bad", wasi("wasi-hello"), ModuleLimits.DEFAULTS, wasiPolicy), recorder);
    assertThatThrownBy(() -> sandbox.call("ok", "quit", 0)).isInstanceOf(AppExited.class);
    assertThatThrownBy(() -> sandbox.call("bad", "quit", 7)).isInstanceOf(AppExited.class);

    assertThat(count(SandboxRuntime.APP_FAILURES, "trap")).isEqualTo(1);
    assertThat(count(SandboxRuntime.APP_FAILURES, "app_exited")).isEqualTo(1);
    assertThat(count(SandboxRuntime.REFUSALS, "trap")).isZero();
  }

  @Test
  void defaultRuntimeCountsInItsOwnRegistry() {
    try (SandboxRuntime plain = new SandboxRuntime()) {
      Sandbox other = new Sandbox(TestApps.host(Map.of()), plain);
      assertThatThrownBy(() -> other.start(spec("wasi", hostile("wasi-fs")), recorder));

      assertThat(
              plain
                  .meters()
                  .counter(SandboxRuntime.REFUSALS, "reason", "module_not_allowed")
                  .count())
          .isEqualTo(1);
    }
  }
}

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
import io.wasmbed.sandbox.SandboxException.ExecutionTimeExceeded;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import io.wasmbed.sandbox.SandboxException.Trap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hostile modules of issue 3: each fails alone, with its reason. */
class HostileModuleTest {
  static SandboxRuntime runtime;
  final TestApps.Recorder recorder = new TestApps.Recorder();
  final Sandbox sandbox = new Sandbox(TestApps.host(Map.of("temperature", 21.5)), runtime);

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

  private String endReason(String app) {
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.ended.containsKey(app));
    return recorder.ended.get(app);
  }

  private static ModuleLimits ticking(long budget, long timeoutMillis) {
    return limits(0, budget, timeoutMillis, 0, 0, 10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void wellBehavedAppKeepsTickingWhileInfiniteLoopIsEnded(String mode) {
    sandbox.start(
        spec("temp", example("temperature-monitor"), ticking(0, 0), policy(mode)), recorder);
    sandbox.start(
        spec(
            "loop",
            hostile("infinite-loop"),
            ticking(LimitMaxima.DEFAULTS.maxInstructionBudget(), 100),
            policy(mode)),
        recorder);

    assertThat(endReason("loop"))
        .startsWith("failed: loop tick: ran longer than callTimeoutMillis 100 ms");
    assertThat(sandbox.apps()).containsExactly("temp");
    long readings = recorder.count("temp READING");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorder.count("temp READING") > readings + 3);
    assertThat(recorder.ended).doesNotContainKey("temp");
  }

  @Test
  void busyLoopExceedsExactInstructionBudgetInInterpreter() {
    sandbox.start(
        spec("busy", hostile("busy-loop"), ticking(1_000_000, 10_000), policy("interpreter")),
        recorder);

    assertThat(endReason("busy"))
        .isEqualTo("failed: busy tick: instruction budget of 1000000 exceeded");
  }

  @Test
  void busyLoopExceedsEstimatedInstructionBudgetWhenCompiled() {
    sandbox.start(
        spec("busy", hostile("busy-loop"), ticking(1_000_000, 10_000), policy("compiled")),
        recorder);

    assertThat(endReason("busy"))
        .isEqualTo(
            "failed: busy tick: instruction budget of 1000000 exceeded"
                + " (compiled mode: estimated from CPU time)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void deepRecursionTrapsWithoutEscapingStackOverflow(String mode) {
    sandbox.start(
        spec("deep", hostile("deep-recursion"), ticking(0, 5_000), policy(mode)), recorder);

    assertThat(endReason("deep")).isEqualTo("failed: deep tick: trap: call stack exhausted");
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void recursionWithinMaxCallDepthRuns(String mode) {
    ModulePolicy policy = new ModulePolicy(List.of(), List.of("recurse"), false, false, mode);
    sandbox.start(
        spec("deep", hostile("deep-recursion"), limits(0, 0, 5_000, 512, 0, 0), policy), recorder);

    assertThat(sandbox.call("deep", "recurse", 500)).containsExactly(500);
  }

  @Test
  void refusesMemoryBomb() {
    assertThatThrownBy(() -> sandbox.start(spec("bomb", hostile("memory-bomb")), recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage("bomb: memory: 65536 initial pages (expected: at most maxMemoryPages 16)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void memoryGrowPastLimitFailsInsideModule(String mode) {
    ModulePolicy policy = new ModulePolicy(List.of(), List.of("grow"), false, false, mode);
    sandbox.start(spec("grow", hostile("memory-grow"), limits(5, 0, 0, 0, 0, 0), policy), recorder);

    assertThat(sandbox.call("grow", "grow")).containsExactly(5);
    assertThat(sandbox.apps()).contains("grow");
  }

  @Test
  void refusesHugeTable() {
    assertThatThrownBy(() -> sandbox.start(spec("table", hostile("huge-table")), recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage(
            "table: table 0: 10000000 initial elements (expected: at most maxTableElements 1024)");
  }

  @Test
  void refusesTableThatGrowsPastLimit() {
    assertThatThrownBy(() -> sandbox.start(spec("table", hostile("growing-table")), recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessageContaining("uses table.grow");
  }

  @Test
  void refusesHugeDataSegment() {
    assertThatThrownBy(
            () ->
                sandbox.start(
                    spec(
                        "data",
                        hostile("huge-data"),
                        limits(1, 0, 0, 0, 0, 0),
                        ModulePolicy.DEFAULT),
                    recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage("data: data segments: 70000 bytes (expected: at most 65536)");
  }

  @Test
  void refusesThousandsOfImports() {
    assertThatThrownBy(() -> sandbox.start(spec("imports", hostile("many-imports")), recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage("imports: imports: 5000 (expected: at most 256)");
  }

  @Test
  void refusesFunctionWithThousandsOfLocals() {
    assertThatThrownBy(() -> sandbox.start(spec("locals", hostile("many-locals")), recorder))
        .isExactlyInstanceOf(LimitExceeded.class)
        .hasMessage("locals: locals in one function: 20000 (expected: at most 4096)");
  }

  @Test
  void interruptsStartFunctionThatNeverReturns() {
    assertThatThrownBy(
            () ->
                sandbox.start(
                    spec(
                        "start",
                        hostile("start-loop"),
                        ticking(LimitMaxima.DEFAULTS.maxInstructionBudget(), 200),
                        ModulePolicy.DEFAULT),
                    recorder))
        .isExactlyInstanceOf(ExecutionTimeExceeded.class)
        .hasMessage(
            "start instantiate: ran longer than callTimeoutMillis 200 ms and was interrupted");
    assertThat(sandbox.apps()).isEmpty();
  }

  @Test
  void refusesDeniedWasiImportNamingIt() {
    assertThatThrownBy(() -> sandbox.start(spec("wasi", hostile("wasi-fs")), recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "wasi: import wasi_snapshot_preview1.path_open: file-system access is not granted by"
                + " policy (allowFilesystem is false)");
  }

  @Test
  void refusesImportOfUnknownHostModule() {
    assertThatThrownBy(() -> sandbox.start(spec("env", hostile("env-import")), recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessageStartingWith("env: import env.system: not granted by policy");
  }

  @Test
  void refusesHostImportWithWrongSignature() {
    assertThatThrownBy(() -> sandbox.start(spec("sig", hostile("bad-signature")), recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessageStartingWith("sig: import wasmbed.log: signature");
  }

  @Test
  void refusesHostImportNotGrantedByPolicy() {
    ModulePolicy onlyLog =
        new ModulePolicy(List.of("wasmbed.log"), List.of(), false, false, "auto");
    AppSpec spec = spec("temp", example("temperature-monitor"), ModuleLimits.DEFAULTS, onlyLog);

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "temp: import wasmbed.config_get: not granted by policy (allowedImports"
                + " [wasmbed.log])");
  }

  @ParameterizedTest
  @ValueSource(strings = {"host-oob", "host-wrap"})
  void hostFunctionRefusesOutOfBoundsGuestPointer(String module) {
    sandbox.start(spec("oob", hostile(module), ticking(0, 0), ModulePolicy.DEFAULT), recorder);

    assertThat(endReason("oob"))
        .startsWith("failed: oob tick: trap: wasmbed.log: out of bounds memory access");
    assertThat(recorder.outputs).isEmpty();
  }

  @Test
  void logFloodExceedsOutputLimit() {
    sandbox.start(
        spec("flood", hostile("log-flood"), limits(0, 0, 0, 0, 10_000, 10), ModulePolicy.DEFAULT),
        recorder);

    assertThat(endReason("flood"))
        .isEqualTo(
            "failed: flood: output of 11000 bytes in one minute (expected: at most maxOutputBytes"
                + " 10000)");
    assertThat(recorder.count("flood LOG")).isEqualTo(10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void trapEndsAppWithTrapReason(String mode) {
    sandbox.start(spec("div", hostile("divide-by-zero"), ticking(0, 0), policy(mode)), recorder);

    assertThat(endReason("div")).isEqualTo("failed: div tick: trap: integer divide by zero");
  }

  @Test
  void trapInExplicitCallCarriesTrapReason() {
    ModulePolicy policy = new ModulePolicy(List.of(), List.of("tick"), false, false, "auto");
    sandbox.start(
        spec("div", hostile("divide-by-zero"), limits(0, 0, 0, 0, 0, 0), policy), recorder);

    assertThatThrownBy(() -> sandbox.call("div", "tick"))
        .isExactlyInstanceOf(Trap.class)
        .extracting(e -> ((Trap) e).trapReason())
        .isEqualTo("integer divide by zero");
    assertThat(sandbox.apps()).isEmpty();
  }
}

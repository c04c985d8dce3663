package io.wasmbed.sandbox;

import static io.wasmbed.sandbox.TestApps.wasi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.AppExited;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import io.wasmbed.sandbox.SandboxException.Trap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WasiTest {
  static final long FILESYSTEM_BYTES = 256 << 10;
  static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");
  static final List<String> HELLO_EXPORTS =
      List.of(
          "init",
          "tick",
          "stderr",
          "write_fd3",
          "args_env",
          "now",
          "random",
          "random_oob",
          "write_oob",
          "quit");
  static final List<String> FILES_EXPORTS =
      List.of("write_note", "read_note", "open_parent", "open_absolute", "fill");

  static SandboxRuntime runtime;
  final TestApps.Recorder recorder = new TestApps.Recorder();
  final Sandbox sandbox = new Sandbox(fixedClockHost(), runtime);

  @BeforeAll
  static void createRuntime() {
    runtime =
        new SandboxRuntime(
            SandboxRuntime.Settings.DEFAULTS.withMaxFilesystemBytes(FILESYSTEM_BYTES));
  }

  @AfterAll
  static void closeRuntime() {
    runtime.close();
  }

  @AfterEach
  void closeSandbox() {
    sandbox.close();
  }

  private static HostServices fixedClockHost() {
    return new HostServices() {
      @Override
      public Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
      }

      @Override
      public double readSensor(String sensor) {
        return Double.NaN;
      }
    };
  }

  private static ModulePolicy policy(
      List<String> imports, List<String> exports, boolean files, boolean network, String mode) {
    return new ModulePolicy(imports, exports, files, network, mode);
  }

  private static ModulePolicy wasiPolicy(List<String> exports, boolean files) {
    return policy(List.of("wasi_snapshot_preview1.*"), exports, files, false, "auto");
  }

  private static AppSpec spec(String name, byte[] module, ModulePolicy policy) {
    return spec(name, module, policy, Map.of());
  }

  private static AppSpec spec(
      String name, byte[] module, ModulePolicy policy, Map<String, String> config) {
    return new AppSpec(
        name, module, Sandbox.digestOf(module), ModuleLimits.DEFAULTS, policy, config);
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "compiled"})
  void stdoutBecomesLogLinesAndStderrIsFlushedWhenTheCallEnds(String mode) {
    ModulePolicy policy =
        policy(List.of("wasi_snapshot_preview1.*"), HELLO_EXPORTS, false, false, mode);
    sandbox.start(spec("hello", wasi("wasi-hello"), policy), recorder);

    assertThat(recorder.outputs).containsExactly("hello LOG hello from wasi");
    assertThat(sandbox.call("hello", "stderr")).containsExactly(0);
    assertThat(recorder.outputs).endsWith("hello LOG to stderr");
  }

  @Test
  void argsAreTheAppNameAndEnvironmentIsTheConfig() {
    sandbox.start(
        spec(
            "hello",
            wasi("wasi-hello"),
            wasiPolicy(HELLO_EXPORTS, false),
            Map.of("greeting", "hi")),
        recorder);

    assertThat(sandbox.call("hello", "args_env")).containsExactly(1);
    // argv[0] "hello" and "greeting=hi", both written without a newline: one line at call end.
    assertThat(recorder.outputs).endsWith("hello LOG hellogreeting=hi");
  }

  @Test
  void clockIsTheDeviceClockAndRandomIsRandom() {
    sandbox.start(spec("hello", wasi("wasi-hello"), wasiPolicy(HELLO_EXPORTS, false)), recorder);

    long nanos = TimeUnit.SECONDS.toNanos(NOW.getEpochSecond()) + NOW.getNano();
    assertThat(sandbox.call("hello", "now")).containsExactly(nanos);
    assertThat(sandbox.call("hello", "random")).isNotEqualTo(sandbox.call("hello", "random"));
  }

  @Test
  void withoutFilesystemGrantOnlyStdioDescriptorsExist() {
    sandbox.start(spec("hello", wasi("wasi-hello"), wasiPolicy(HELLO_EXPORTS, false)), recorder);

    assertThat(sandbox.call("hello", "write_fd3")).containsExactly(8); // EBADF
  }

  @ParameterizedTest
  @ValueSource(strings = {"random_oob", "write_oob"})
  void rangeOutsideMemoryTrapsBeforeTheHostAllocatesIt(String function) {
    sandbox.start(spec("hello", wasi("wasi-hello"), wasiPolicy(HELLO_EXPORTS, false)), recorder);

    assertThatThrownBy(() -> sandbox.call("hello", function))
        .isExactlyInstanceOf(Trap.class)
        .hasMessageContaining("out of bounds memory access");
    assertThat(recorder.ended.get("hello")).startsWith("failed: ");
  }

  @Test
  void procExitZeroEndsTheAppNormally() {
    sandbox.start(spec("hello", wasi("wasi-hello"), wasiPolicy(HELLO_EXPORTS, false)), recorder);

    assertThatThrownBy(() -> sandbox.call("hello", "quit", 0))
        .isInstanceOfSatisfying(AppExited.class, e -> assertThat(e.exitCode()).isZero());
    assertThat(recorder.ended).containsEntry("hello", "ok: hello quit: exited with code 0");
    assertThat(sandbox.apps()).isEmpty();
  }

  @Test
  void procExitNonZeroIsAFailure() {
    sandbox.start(spec("hello", wasi("wasi-hello"), wasiPolicy(HELLO_EXPORTS, false)), recorder);

    assertThatThrownBy(() -> sandbox.call("hello", "quit", 3)).isInstanceOf(AppExited.class);
    assertThat(recorder.ended).containsEntry("hello", "failed: hello quit: exited with code 3");
  }

  @Test
  void harmlessWasiCallsStillNeedAnImportGrant() {
    AppSpec spec = spec("hello", wasi("wasi-hello"), ModulePolicy.DEFAULT);

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "hello: import wasi_snapshot_preview1.fd_write: not granted by policy"
                + " (allowedImports [wasmbed.*])");
  }

  @Test
  void exactImportGrantsAreEnough() {
    List<String> grants =
        List.of(
            "wasi_snapshot_preview1.fd_write",
            "wasi_snapshot_preview1.args_sizes_get",
            "wasi_snapshot_preview1.args_get",
            "wasi_snapshot_preview1.environ_sizes_get",
            "wasi_snapshot_preview1.environ_get",
            "wasi_snapshot_preview1.clock_time_get",
            "wasi_snapshot_preview1.random_get");
    AppSpec missingProcExit =
        spec("hello", wasi("wasi-hello"), policy(grants, HELLO_EXPORTS, false, false, "auto"));
    assertThatThrownBy(() -> sandbox.start(missingProcExit, recorder))
        .hasMessageStartingWith("hello: import wasi_snapshot_preview1.proc_exit: not granted");

    List<String> all = new java.util.ArrayList<>(grants);
    all.add("wasi_snapshot_preview1.proc_exit");
    sandbox.start(
        spec("hello", wasi("wasi-hello"), policy(all, HELLO_EXPORTS, false, false, "auto")),
        recorder);
    assertThat(sandbox.apps()).containsExactly("hello");
  }

  @Test
  void fileSystemCallsNeedAllowFilesystemEvenWhenImportsAreGranted() {
    AppSpec spec = spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, false));

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "files: import wasi_snapshot_preview1.path_open: file-system access is not granted by"
                + " policy (allowFilesystem is false)");
  }

  @Test
  void grantedAppWritesAndReadsItsOwnFiles() {
    sandbox.start(spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, true)), recorder);

    assertThat(sandbox.call("files", "write_note")).containsExactly(0);
    assertThat(sandbox.call("files", "read_note")).containsExactly(0);
    assertThat(recorder.outputs).containsExactly("files LOG hello, file");
  }

  @Test
  void twoAppsNeverSeeEachOthersFiles() {
    ModulePolicy policy = wasiPolicy(FILES_EXPORTS, true);
    sandbox.start(spec("a", wasi("wasi-files"), policy), recorder);
    sandbox.start(spec("b", wasi("wasi-files"), policy), recorder);

    assertThat(sandbox.call("a", "write_note")).containsExactly(0);
    assertThat(sandbox.call("b", "read_note")).containsExactly(44); // ENOENT
    assertThat(sandbox.call("a", "read_note")).containsExactly(0);
    assertThat(recorder.outputs).containsExactly("a LOG hello, file");
  }

  @Test
  void theHostFileSystemIsUnreachable() throws Exception {
    assertThat(Files.exists(Path.of("/etc/passwd"))).isTrue();
    sandbox.start(spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, true)), recorder);

    assertThat(sandbox.call("files", "open_parent")[0]).isNotZero();
    assertThat(sandbox.call("files", "open_absolute")[0]).isNotZero();
    assertThat(recorder.outputs).isEmpty();
  }

  @Test
  void fileSystemIsCappedInSize() {
    sandbox.start(spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, true)), recorder);

    long written = sandbox.call("files", "fill")[0];

    assertThat(written).isPositive().isLessThanOrEqualTo(FILESYSTEM_BYTES);
    assertThat(sandbox.apps()).containsExactly("files");
  }

  @Test
  void socketsWithoutGrantAreDenied() {
    AppSpec spec = spec("sock", wasi("wasi-sock"), wasiPolicy(List.of(), false));

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "sock: import wasi_snapshot_preview1.sock_send: network access is not granted by"
                + " policy (allowNetwork is false)");
  }

  @Test
  void socketsWithGrantAreNotSupported() {
    ModulePolicy policy =
        policy(List.of("wasi_snapshot_preview1.*"), List.of(), false, true, "auto");

    assertThatThrownBy(() -> sandbox.start(spec("sock", wasi("wasi-sock"), policy), recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "sock: import wasi_snapshot_preview1.sock_send: sockets are not supported by this"
                + " device (its WASI has no sockets)");
  }

  @Test
  void pollOneoffIsNeverLinked() {
    AppSpec spec = spec("poll", wasi("wasi-poll"), wasiPolicy(List.of(), true));

    assertThatThrownBy(() -> sandbox.start(spec, recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "poll: import wasi_snapshot_preview1.poll_oneoff: not supported by this device");
  }

  @Test
  void oldWasiModuleIsNotSupported() {
    ModulePolicy policy = policy(List.of("wasi_unstable.*"), List.of(), true, false, "auto");

    assertThatThrownBy(() -> sandbox.start(spec("old", wasi("wasi-unstable"), policy), recorder))
        .isExactlyInstanceOf(ModuleNotAllowed.class)
        .hasMessage(
            "old: import wasi_unstable.fd_write: not supported by this device (expected:"
                + " wasi_snapshot_preview1)");
  }

  @Test
  void stoppingAnAppClosesItsFileSystem() {
    sandbox.start(spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, true)), recorder);
    assertThat(sandbox.call("files", "write_note")).containsExactly(0);
    java.nio.file.FileSystem files = sandbox.running("files").wasi().files();

    sandbox.stop("files");
    assertThat(files.isOpen()).isFalse();
    sandbox.start(spec("files", wasi("wasi-files"), wasiPolicy(FILES_EXPORTS, true)), recorder);

    assertThat(sandbox.call("files", "read_note")).containsExactly(44); // a fresh, empty /data
  }
}

package io.wasmbed.controlplane.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.Fixtures;
import io.wasmbed.controlplane.MutableClock;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.store.Application;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import io.wasmbed.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplicationServiceTest {

  private static final Application.Targets ONE = new Application.Targets(List.of("a"), null, 0);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private ResourceStore store;
  private ApplicationService service;

  @BeforeEach
  void setUp() {
    store = SqliteResourceStore.open(dir.resolve("store.db"), clock);
    service = new ApplicationService(store, clock, 1024);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void deployStoresTheModuleInlineWithItsSha256Digest() {
    Application app =
        service.deploy(
            new DeployRequest(
                "blink", Fixtures.EMPTY_WASM, ONE, null, null, Map.of("k", "v"), Map.of("t", "x")));

    assertThat(app.spec().module().digest())
        .isEqualTo("sha256:93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476");
    assertThat(app.spec().module().inline()).isEqualTo(Fixtures.EMPTY_WASM);
    assertThat(app.spec().config()).containsEntry("k", "v");
    assertThat(app.metadata().labels()).containsEntry("t", "x");
    assertThat(app.spec().stopped()).isFalse();
    assertThat(store.get(Kind.APPLICATION, "blink")).isPresent();
  }

  @Test
  void refusesWhatIsNotAWasmModule() {
    assertThatThrownBy(() -> deploy("x", "PK\u0003\u0004zipfile".getBytes()))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageContaining("module: starts with 50 4b 03 04")
        .hasMessageContaining("expected: WebAssembly magic 00 61 73 6d");
    byte[] version2 = Fixtures.EMPTY_WASM.clone();
    version2[4] = 2;
    assertThatThrownBy(() -> deploy("x", version2))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessage("module: binary format version 02 00 00 00 (expected: version 01 00 00 00)");
    assertThatThrownBy(() -> deploy("x", null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("module: missing");
  }

  @Test
  void refusesModulesOverTheSizeLimit() {
    byte[] big = Arrays.copyOf(Fixtures.EMPTY_WASM, 1025);
    assertThatThrownBy(() -> deploy("x", big))
        .isInstanceOf(ControlPlaneException.TooLarge.class)
        .hasMessage(
            "module: 1025 bytes (1.0 KiB) (expected: at most 1024 bytes (1 KiB), the module size"
                + " limit)");
  }

  @Test
  void defaultModuleSizeLimitIsTheDevices() {
    ApplicationService defaults = new ApplicationService(store, clock);
    byte[] big = Arrays.copyOf(Fixtures.EMPTY_WASM, 4 * 1024 * 1024 + 1);

    assertThat(defaults.maxModuleBytes()).isEqualTo(4 * 1024 * 1024);
    assertThatThrownBy(
            () -> defaults.deploy(new DeployRequest("x", big, ONE, null, null, null, null)))
        .isInstanceOf(ControlPlaneException.TooLarge.class)
        .hasMessage(
            "module: 4194305 bytes (4.0 MiB) (expected: at most 4194304 bytes (4 MiB), the module"
                + " size limit)");
  }

  @Test
  void refusesModulesEveryDeviceWouldRefuseWithTheSandboxReason() {
    assertRefused(
        Fixtures.MEMORY_64_PAGES_WASM,
        null,
        null,
        "limit_exceeded",
        "module: memory: 64 initial pages (expected: at most maxMemoryPages 16)");
    assertRefused(
        Fixtures.PATH_OPEN_WASM,
        null,
        null,
        "module_not_allowed",
        "module: import wasi_snapshot_preview1.path_open: file-system access is not granted by"
            + " policy (allowFilesystem is false)");
    assertThatThrownBy(() -> deploy("x", Fixtures.TRUNCATED_WASM))
        .isInstanceOf(ControlPlaneException.ModuleRefused.class)
        .satisfies(
            e ->
                assertThat(((ControlPlaneException.ModuleRefused) e).kind())
                    .isEqualTo("invalid_module"))
        .hasMessageStartingWith("module sha256:");
    assertThat(store.list(Kind.APPLICATION, io.wasmbed.store.LabelSelector.ALL)).isEmpty();
  }

  @Test
  void acceptsWhatTheLimitsAllow() {
    ModuleLimits roomy = new ModuleLimits(64, 0, 0, 0, 0, 0, 1000);

    Application app = service.deploy(request("mem", Fixtures.MEMORY_64_PAGES_WASM, roomy, null));

    assertThat(app.spec().limits().maxMemoryPages()).isEqualTo(64);
  }

  @Test
  void refusesLimitsOverTheDeviceMaxima() {
    assertRefused(
        Fixtures.EMPTY_WASM,
        new ModuleLimits(65_536, 0, 0, 0, 0, 0, 1000),
        null,
        "limit_exceeded",
        "module: limits.maxMemoryPages: 65536 (expected: at most 256, this device's maximum)");
    assertRefused(
        Fixtures.EMPTY_WASM,
        new ModuleLimits(0, 0, 0, 360_000_000L, 0, 0, 1000),
        null,
        "limit_exceeded",
        "module: limits.callTimeoutMillis: 360000000 (expected: at most 60000, this device's"
            + " maximum)");
  }

  @Test
  void refusesAModuleItsOwnPolicyDoesNotAllow() {
    ModulePolicy onlyOther =
        new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, "auto", List.of("other"));

    assertThatThrownBy(() -> service.deploy(request("x", Fixtures.EMPTY_WASM, null, onlyOther)))
        .isInstanceOf(ControlPlaneException.ModuleRefused.class)
        .hasMessageStartingWith("x@sha256:")
        .hasMessageEndingWith("not an allowed module (expected: one of [other])");
  }

  private void assertRefused(
      byte[] wasm, ModuleLimits limits, ModulePolicy policy, String kind, String message) {
    assertThatThrownBy(() -> service.deploy(request("x", wasm, limits, policy)))
        .isInstanceOf(ControlPlaneException.ModuleRefused.class)
        .hasMessage(message)
        .satisfies(
            e -> assertThat(((ControlPlaneException.ModuleRefused) e).kind()).isEqualTo(kind));
  }

  private static DeployRequest request(
      String name, byte[] wasm, ModuleLimits limits, ModulePolicy policy) {
    return new DeployRequest(name, wasm, ONE, limits, policy, null, null);
  }

  @Test
  void refusesBadNamesAndTargets() {
    assertThatThrownBy(() -> deploy("Blink!", Fixtures.EMPTY_WASM))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("name: 'Blink!'");
    var badTarget = new Application.Targets(List.of("ok", "NOT OK"), null, 0);
    assertThatThrownBy(
            () ->
                service.deploy(
                    new DeployRequest("x", Fixtures.EMPTY_WASM, badTarget, null, null, null, null)))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("targets.devices[1]: 'NOT OK'");
    assertThatThrownBy(
            () ->
                service.deploy(
                    new DeployRequest("x", Fixtures.EMPTY_WASM, null, null, null, null, null)))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("targets: missing");
  }

  @Test
  void refusesASecondApplicationWithTheSameName() {
    deploy("twice", Fixtures.EMPTY_WASM);
    assertThatThrownBy(() -> deploy("twice", Fixtures.EMPTY_WASM))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void stopAndStartFlipTheDesiredState() {
    deploy("app", Fixtures.EMPTY_WASM);
    assertThat(service.stop("app").spec().stopped()).isTrue();
    assertThat(service.stop("app").spec().stopped()).isTrue();
    assertThat(service.start("app").spec().stopped()).isFalse();
    assertThatThrownBy(() -> service.stop("nope")).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void deleteRecordsTheFirstRequestTimeAndBlocksStart() {
    deploy("app", Fixtures.EMPTY_WASM);
    Instant first = clock.instant();
    assertThat(service.delete("app").metadata().deletionTimestamp()).isEqualTo(first);
    clock.advance(Duration.ofMinutes(5));
    assertThat(service.delete("app").metadata().deletionTimestamp()).isEqualTo(first);
    assertThatThrownBy(() -> service.start("app"))
        .isInstanceOf(ControlPlaneException.Conflict.class)
        .hasMessageContaining("being deleted");
  }

  private Application deploy(String name, byte[] wasm) {
    return service.deploy(new DeployRequest(name, wasm, ONE, null, null, null, null));
  }
}

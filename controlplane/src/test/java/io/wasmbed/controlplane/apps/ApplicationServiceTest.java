package io.wasmbed.controlplane.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.Fixtures;
import io.wasmbed.controlplane.MutableClock;
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
        .hasMessage("module: 1025 bytes (expected: at most 1024 bytes)");
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

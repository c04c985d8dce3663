package io.wasmbed.controlplane.apps;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.Names;
import io.wasmbed.sandbox.ModuleCheck;
import io.wasmbed.sandbox.SandboxException;
import io.wasmbed.sandbox.SandboxRuntime;
import io.wasmbed.store.Application;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What people and tools do to Applications: deploy, stop, start, delete. It only writes desired
 * state (spec and deletion request); the {@code ApplicationController} and the gateways do the
 * rest.
 */
public final class ApplicationService {

  /** The largest module accepted inline: the largest a device with default settings runs. */
  public static final int DEFAULT_MAX_MODULE_BYTES =
      SandboxRuntime.Settings.DEFAULTS.maxModuleBytes();

  private static final Logger log = LoggerFactory.getLogger(ApplicationService.class);
  private static final byte[] WASM_HEADER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final int MAX_UPDATE_ATTEMPTS = 10;

  private final ResourceStore store;
  private final Clock clock;
  private final int maxModuleBytes;
  private final SandboxRuntime.Settings device;

  public ApplicationService(ResourceStore store, Clock clock) {
    this(store, clock, DEFAULT_MAX_MODULE_BYTES);
  }

  public ApplicationService(ResourceStore store, Clock clock, int maxModuleBytes) {
    this(store, clock, maxModuleBytes, SandboxRuntime.Settings.DEFAULTS);
  }

  /**
   * @param maxModuleBytes the largest module accepted (413 above it)
   * @param device the device settings modules are checked against before they are accepted (size,
   *     shape and limit maxima); devices make the same checks again
   */
  public ApplicationService(
      ResourceStore store, Clock clock, int maxModuleBytes, SandboxRuntime.Settings device) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxModuleBytes <= 0) {
      throw new IllegalArgumentException(
          "maxModuleBytes: " + maxModuleBytes + " (expected: positive)");
    }
    this.maxModuleBytes = maxModuleBytes;
    this.device = Objects.requireNonNull(device, "device");
  }

  public int maxModuleBytes() {
    return maxModuleBytes;
  }

  /**
   * Validates the request and creates the Application with its module inline.
   *
   * @throws ControlPlaneException.Invalid naming the first bad field
   * @throws ControlPlaneException.TooLarge if the module exceeds the size limit
   * @throws ControlPlaneException.ModuleRefused if devices would refuse the module, its limits or
   *     its policy ({@link ModuleCheck}), with the sandbox's reason
   * @throws StoreException.AlreadyExists if an application of that name exists
   */
  public Application deploy(DeployRequest request) {
    Objects.requireNonNull(request, "request");
    String name = Names.requireResourceName("name", request.name());
    byte[] wasm = request.wasm();
    requireModule(wasm);
    Application.Targets targets = requireTargets(request.targets());
    Names.requireLabels("labels", request.labels());
    checkModule(name, wasm, request);

    Application.Module module = new Application.Module(digest(wasm), wasm, null, null);
    Application.Spec spec =
        new Application.Spec(
            module,
            "",
            targets,
            request.limits(),
            request.policy(),
            request.config(),
            request.restartPolicy(),
            false);
    Application created =
        store.create(
            Kind.APPLICATION,
            new Application(ObjectMeta.named(name, request.labels()), spec, null));
    log.info(
        "Application {} created: module {} ({} bytes), targets {}",
        name,
        module.digest(),
        wasm.length,
        targets);
    return created;
  }

  /** Asks for the application to stop everywhere; it stays defined. */
  public Application stop(String name) {
    Application app = change(name, a -> a.withSpec(a.spec().withStopped(true)));
    log.info("Application {} stop requested", name);
    return app;
  }

  /** Asks for a stopped application to run again. */
  public Application start(String name) {
    Application app =
        change(
            name,
            a -> {
              if (a.metadata().deleting()) {
                throw new ControlPlaneException.Conflict(
                    "Application '" + name + "' is being deleted; it cannot be started");
              }
              return a.withSpec(a.spec().withStopped(false));
            });
    log.info("Application {} start requested", name);
    return app;
  }

  /**
   * Requests deletion: the application is stopped on its devices, then the controller removes it.
   * Requesting it again keeps the first request's time.
   */
  public Application delete(String name) {
    Application app =
        change(
            name,
            a ->
                a.metadata().deleting()
                    ? a
                    : a.withMetadata(a.metadata().withDeletionTimestamp(clock.instant())));
    log.info("Application {} deletion requested", name);
    return app;
  }

  /** The module's content digest, {@code sha256:<64 hex digits>}. */
  public static String digest(byte[] module) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(module);
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private void requireModule(byte[] wasm) {
    if (wasm == null || wasm.length == 0) {
      throw new ControlPlaneException.Invalid(
          "module", wasm == null ? "missing" : "empty", "WebAssembly binary, base64 in JSON");
    }
    if (wasm.length > maxModuleBytes) {
      throw new ControlPlaneException.TooLarge(
          "module", wasm.length, maxModuleBytes, "the module size limit");
    }
    if (wasm.length < WASM_HEADER.length) {
      throw new ControlPlaneException.Invalid(
          "module", wasm.length + " bytes", "at least the 8-byte WebAssembly header");
    }
    for (int i = 0; i < 4; i++) {
      if (wasm[i] != WASM_HEADER[i]) {
        throw new ControlPlaneException.Invalid(
            "module",
            "starts with " + hex(wasm, 0, 4),
            "WebAssembly magic 00 61 73 6d (is this a .wasm file?)");
      }
    }
    for (int i = 4; i < 8; i++) {
      if (wasm[i] != WASM_HEADER[i]) {
        throw new ControlPlaneException.Invalid(
            "module", "binary format version " + hex(wasm, 4, 8), "version 01 00 00 00");
      }
    }
  }

  /** Refuses here what every device would refuse at start, with the sandbox's own reason. */
  private void checkModule(String name, byte[] wasm, DeployRequest request) {
    try {
      ModuleCheck.verify(name, wasm, request.limits(), request.policy(), device);
    } catch (SandboxException e) {
      log.info("Application {} refused ({}): {}", name, e.kind(), e.getMessage());
      throw new ControlPlaneException.ModuleRefused(e.kind(), e.getMessage(), e);
    }
  }

  private static Application.Targets requireTargets(Application.Targets targets) {
    if (targets == null) {
      throw new ControlPlaneException.Invalid(
          "targets", "missing", "device names, a label selector, or both");
    }
    List<String> devices = targets.devices();
    for (int i = 0; i < devices.size(); i++) {
      Names.requireResourceName("targets.devices[" + i + "]", devices.get(i));
    }
    Names.requireLabels("targets.selector", targets.selector());
    return targets;
  }

  private Application change(String name, UnaryOperator<Application> edit) {
    Names.requireResourceName("name", name);
    for (int attempt = 1; ; attempt++) {
      Application current =
          store
              .get(Kind.APPLICATION, name)
              .orElseThrow(() -> new StoreException.NotFound(Kind.APPLICATION.kind(), name));
      Application edited = edit.apply(current);
      if (edited.equals(current)) {
        return current;
      }
      try {
        return store.update(Kind.APPLICATION, edited);
      } catch (StoreException.Conflict e) {
        if (attempt >= MAX_UPDATE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static String hex(byte[] bytes, int from, int to) {
    StringBuilder text = new StringBuilder();
    for (int i = from; i < to; i++) {
      text.append(i > from ? " " : "").append(String.format("%02x", bytes[i]));
    }
    return text.toString();
  }
}

package io.wasmbed.sandbox;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The checks {@link Sandbox#start} makes before it instantiates a module, without starting
 * anything: limits within the device's maxima, allowed module, module size, parse and validate,
 * shape and memory/table limits, import policy. Side-effect free (no module cache, no counters, no
 * threads), so a control plane can refuse at its API what every device would refuse; devices still
 * make the same checks themselves.
 */
public final class ModuleCheck {

  /** The subject named in refusals from {@link #verify(byte[], ModuleLimits, ModulePolicy)}. */
  public static final String MODULE = "module";

  /**
   * What a module that passed the checks will link and offer.
   *
   * @param digest {@code sha256:<hex>} of the module bytes
   * @param hostImports functions imported from the {@code wasmbed} host module, in import order
   * @param wasiImports WASI functions imported, in import order
   * @param exportedFunctions names of the exported functions
   */
  public record Report(
      String digest,
      int sizeBytes,
      List<String> hostImports,
      List<String> wasiImports,
      List<String> exportedFunctions) {
    public Report {
      Objects.requireNonNull(digest, "digest");
      hostImports = List.copyOf(hostImports);
      wasiImports = List.copyOf(wasiImports);
      exportedFunctions = List.copyOf(exportedFunctions);
    }
  }

  private ModuleCheck() {}

  /**
   * Checks a module against a device with {@link SandboxRuntime.Settings#DEFAULTS}. Refusals name
   * {@value #MODULE} as their subject. Without an app name, {@code policy.allowedModules()} is
   * checked only when it lists digests alone; use {@link #verify(String, byte[], ModuleLimits,
   * ModulePolicy, SandboxRuntime.Settings)} to check names too.
   *
   * @throws SandboxException the refusal {@link Sandbox#start} would give
   */
  public static Report verify(byte[] module, ModuleLimits limits, ModulePolicy policy) {
    return verify(null, module, limits, policy, SandboxRuntime.Settings.DEFAULTS);
  }

  /**
   * Checks a module as a device with {@code settings} would before starting it as app {@code app}.
   * Refusals name {@value #MODULE} as their subject (the allowed-module refusal names the app and
   * digest).
   *
   * @param app the app's name, matched against {@code policy.allowedModules()}; null to skip names
   * @throws SandboxException the refusal {@link Sandbox#start} would give: {@code LimitExceeded},
   *     {@code ModuleNotAllowed} or {@code InvalidModule}
   */
  public static Report verify(
      String app,
      byte[] module,
      ModuleLimits limits,
      ModulePolicy policy,
      SandboxRuntime.Settings settings) {
    Objects.requireNonNull(module, "module");
    String digest = Sandbox.digestOf(module);
    if (app != null || policy.allowedModules().stream().noneMatch(ModuleCheck::isName)) {
      checkAllowedModule(app == null ? MODULE : app, digest, policy);
    }
    settings.limitMaxima().check(MODULE, limits);
    if (module.length == 0) {
      throw new SandboxException.InvalidModule(
          MODULE + ": empty module (expected: WebAssembly bytes)", null);
    }
    SandboxRuntime.checkSize(digest, module, settings);
    WasmModule parsed = SandboxRuntime.parse(digest, module).module();
    ModuleVerifier.Imports imports =
        new ModuleVerifier(settings).verify(MODULE, parsed, EffectiveLimits.of(limits), policy);
    return new Report(digest, module.length, imports.host(), imports.wasi(), functions(parsed));
  }

  /**
   * Refuses a module not on a non-empty {@code policy.allowedModules()}, by name, digest or {@code
   * name@digest}.
   */
  static void checkAllowedModule(String app, String digest, ModulePolicy policy) {
    List<String> allowed = policy.allowedModules();
    if (allowed.isEmpty()
        || allowed.contains(app)
        || allowed.contains(digest)
        || allowed.contains(app + "@" + digest)) {
      return;
    }
    throw new ModuleNotAllowed(
        app + "@" + digest + ": not an allowed module (expected: one of " + allowed + ")");
  }

  private static boolean isName(String allowed) {
    return !allowed.startsWith("sha256:");
  }

  private static List<String> functions(WasmModule module) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export export = module.exportSection().getExport(i);
      if (export.exportType() == ExternalType.FUNCTION) {
        names.add(export.name());
      }
    }
    return names;
  }
}

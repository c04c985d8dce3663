package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.Table;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Load-time checks of a parsed, valid module against the device's shape limits, the app's limits
 * and its policy. Returns what the instance may link: the granted {@code wasmbed} and WASI
 * functions.
 */
final class ModuleVerifier {
  static final Set<String> WASI_MODULES = Set.of("wasi_snapshot_preview1", "wasi_unstable");
  static final Set<String> ENTRY_POINTS = Set.of("init", "tick", "_start");

  private final SandboxRuntime.Settings settings;

  ModuleVerifier(SandboxRuntime.Settings settings) {
    this.settings = settings;
  }

  /** The memory limits to instantiate with: the declared ones, capped at the app's limit. */
  static MemoryLimits memoryLimits(WasmModule module, EffectiveLimits limits) {
    MemoryLimits declared = module.memorySection().orElseThrow().getMemory(0).limits();
    int max = Math.min(declared.maximumPages(), limits.maxMemoryPages());
    return new MemoryLimits(declared.initialPages(), max);
  }

  static boolean hasMemory(WasmModule module) {
    return module.memorySection().map(s -> s.memoryCount() > 0).orElse(false);
  }

  /** What a verified module imports, each list in import order. */
  record Imports(List<String> host, List<String> wasi) {
    Imports {
      host = List.copyOf(host);
      wasi = List.copyOf(wasi);
    }
  }

  /** The granted {@code wasmbed} and WASI functions the module imports. */
  Imports verify(String app, WasmModule module, EffectiveLimits limits, ModulePolicy policy) {
    checkIndexes(app, module);
    checkShape(app, module);
    checkMemory(app, module, limits);
    checkTables(app, module, limits);
    checkEntryPoints(app, module);
    return checkImports(app, module, policy);
  }

  /**
   * Index checks Chicory's parser leaves to instantiation time; done here so that such modules are
   * refused as invalid rather than trapping when instantiated.
   */
  private static void checkIndexes(String app, WasmModule module) {
    int types = module.typeSection().typeCount();
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      if (imports.getImport(i) instanceof FunctionImport
          && ((FunctionImport) imports.getImport(i)).typeIndex() >= types) {
        throw invalid(
            app,
            "import "
                + i
                + ": unknown type "
                + ((FunctionImport) imports.getImport(i)).typeIndex());
      }
    }
    long memories = indexSpace(module, ExternalType.MEMORY);
    for (DataSegment segment : module.dataSection().dataSegments()) {
      if (segment instanceof ActiveDataSegment
          && ((ActiveDataSegment) segment).index() >= memories) {
        throw invalid(app, "data segment: unknown memory " + ((ActiveDataSegment) segment).index());
      }
    }
    var exports = module.exportSection();
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < exports.exportCount(); i++) {
      Export export = exports.getExport(i);
      if (!names.add(export.name())) {
        throw invalid(app, "duplicate export name " + export.name());
      }
      long count = indexSpace(module, export.exportType());
      if (export.index() < 0 || export.index() >= count) {
        throw invalid(
            app,
            "export "
                + export.name()
                + ": unknown "
                + export.exportType().name().toLowerCase(java.util.Locale.ROOT)
                + " "
                + export.index());
      }
    }
  }

  private static long indexSpace(WasmModule module, ExternalType type) {
    int imported = module.importSection().count(type);
    switch (type) {
      case FUNCTION:
        return imported + module.functionSection().functionCount();
      case TABLE:
        return imported + module.tableSection().tableCount();
      case MEMORY:
        return imported + module.memorySection().map(s -> s.memoryCount()).orElse(0);
      case GLOBAL:
        return imported + module.globalSection().globalCount();
      default:
        return Long.MAX_VALUE;
    }
  }

  private static SandboxException.InvalidModule invalid(String app, String reason) {
    return new SandboxException.InvalidModule(app + ": " + reason, null);
  }

  private void checkShape(String app, WasmModule module) {
    int functions = module.functionSection().functionCount();
    requireAtMost(app, "functions", functions, settings.maxFunctions());
    requireAtMost(app, "imports", module.importSection().importCount(), settings.maxImports());
    requireAtMost(app, "exports", module.exportSection().exportCount(), settings.maxExports());
    requireAtMost(app, "globals", module.globalSection().globalCount(), settings.maxGlobals());
    requireAtMost(app, "tables", module.tableSection().tableCount(), settings.maxTables());
    requireAtMost(
        app, "data segments", module.dataSection().dataSegmentCount(), settings.maxDataSegments());
    requireAtMost(
        app,
        "element segments",
        module.elementSection().elementCount(),
        settings.maxElementSegments());
    int locals = 0;
    for (FunctionBody body : module.codeSection().functionBodies()) {
      locals = Math.max(locals, body.localTypes().size());
    }
    requireAtMost(app, "locals in one function", locals, settings.maxLocalsPerFunction());
    requireAtMost(
        app,
        "memories",
        module.memorySection().map(s -> s.memoryCount()).orElse(0),
        settings.maxMemories());
  }

  private void checkMemory(String app, WasmModule module, EffectiveLimits limits) {
    long dataBytes = 0;
    for (DataSegment segment : module.dataSection().dataSegments()) {
      dataBytes += segment.data().length;
    }
    long memoryBytes = (long) limits.maxMemoryPages() * Memory.PAGE_SIZE;
    if (dataBytes > memoryBytes) {
      throw limitExceeded(app, "data segments", dataBytes + " bytes", "at most " + memoryBytes);
    }
    if (!hasMemory(module)) {
      return;
    }
    MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
    if (declared.shared()) {
      throw new ModuleNotAllowed(app + ": shared memory (expected: unshared linear memory)");
    }
    if (declared.initialPages() > limits.maxMemoryPages()) {
      throw limitExceeded(
          app,
          "memory",
          declared.initialPages() + " initial pages",
          "at most maxMemoryPages " + limits.maxMemoryPages());
    }
  }

  private void checkTables(String app, WasmModule module, EffectiveLimits limits) {
    boolean grows = usesTableGrow(module);
    for (int i = 0; i < module.tableSection().tableCount(); i++) {
      Table table = module.tableSection().getTable(i);
      long min = table.limits().min();
      long max = table.limits().max();
      if (min > limits.maxTableElements()) {
        throw limitExceeded(
            app,
            "table " + i,
            min + " initial elements",
            "at most maxTableElements " + limits.maxTableElements());
      }
      if (grows && max > limits.maxTableElements()) {
        throw limitExceeded(
            app,
            "table " + i,
            "uses table.grow with maximum " + max,
            "a declared maximum of at most maxTableElements " + limits.maxTableElements());
      }
    }
  }

  private static boolean usesTableGrow(WasmModule module) {
    for (FunctionBody body : module.codeSection().functionBodies()) {
      for (Instruction instruction : body.instructions()) {
        if (instruction.opcode() == OpCode.TABLE_GROW) {
          return true;
        }
      }
    }
    return false;
  }

  private static void checkEntryPoints(String app, WasmModule module) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export export = module.exportSection().getExport(i);
      if (export.exportType() == ExternalType.FUNCTION && ENTRY_POINTS.contains(export.name())) {
        FunctionType type = functionType(module, export.index());
        if (!type.equals(FunctionType.empty())) {
          throw new ModuleNotAllowed(
              app
                  + ": export "
                  + export.name()
                  + " has signature "
                  + type
                  + " (expected: () -> ())");
        }
      }
    }
  }

  private Imports checkImports(String app, WasmModule module, ModulePolicy policy) {
    List<String> host = new ArrayList<>();
    List<String> wasi = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imported = module.importSection().getImport(i);
      String name = imported.module() + "." + imported.name();
      if (!(imported instanceof FunctionImport)) {
        throw refuseImport(app, name, imported.importType() + " imports are not provided");
      }
      if (WASI_MODULES.contains(imported.module())) {
        checkWasi(app, name, imported.name(), policy);
      }
      if (!granted(policy, imported.module(), imported.name())) {
        throw refuseImport(
            app, name, "not granted by policy (allowedImports " + policy.allowedImports() + ")");
      }
      FunctionType actual = module.typeSection().getType(((FunctionImport) imported).typeIndex());
      if (Wasi.MODULE.equals(imported.module())) {
        checkSignature(app, name, actual, Wasi.SIGNATURES.get(imported.name()));
        wasi.add(imported.name());
        continue;
      }
      if (WASI_MODULES.contains(imported.module())) {
        throw refuseImport(
            app, name, "not supported by this device (expected: " + Wasi.MODULE + ")");
      }
      if (!HostInterface.MODULE.equals(imported.module())) {
        throw refuseImport(
            app,
            name,
            "no such host module on this device (expected: "
                + HostInterface.MODULE
                + " or "
                + Wasi.MODULE
                + ")");
      }
      FunctionType expected = HostInterface.SIGNATURES.get(imported.name());
      if (expected == null) {
        throw refuseImport(
            app,
            name,
            "no such host function (expected: one of " + HostInterface.SIGNATURES.keySet() + ")");
      }
      checkSignature(app, name, actual, expected);
      host.add(imported.name());
    }
    return new Imports(host, wasi);
  }

  private static void checkSignature(
      String app, String name, FunctionType actual, FunctionType expected) {
    if (!actual.equals(expected)) {
      throw refuseImport(app, name, "signature " + actual + " (expected: " + expected + ")");
    }
  }

  /**
   * WASI grants by what a call reaches (see {@link Wasi}); checked before allowedImports so the
   * refusal names the policy flag that would grant it.
   */
  private static void checkWasi(String app, String name, String function, ModulePolicy policy) {
    switch (Wasi.access(function)) {
      case FILESYSTEM:
        if (!policy.allowFilesystem()) {
          throw refuseImport(
              app, name, "file-system access is not granted by policy (allowFilesystem is false)");
        }
        break;
      case NETWORK:
        if (!policy.allowNetwork()) {
          throw refuseImport(
              app, name, "network access is not granted by policy (allowNetwork is false)");
        }
        throw refuseImport(
            app, name, "sockets are not supported by this device (its WASI has no sockets)");
      case UNSUPPORTED:
        throw refuseImport(app, name, "not supported by this device");
      default:
        break;
    }
    if (!Wasi.SIGNATURES.containsKey(function)) {
      throw refuseImport(app, name, "no such WASI function");
    }
  }

  static boolean granted(ModulePolicy policy, String module, String name) {
    for (String grant : policy.allowedImports()) {
      if (grant.equals(module + ".*") || grant.equals(module + "." + name)) {
        return true;
      }
    }
    return false;
  }

  static FunctionType functionType(WasmModule module, int functionIndex) {
    int imported = module.importSection().count(ExternalType.FUNCTION);
    if (functionIndex < imported) {
      int typeIndex = 0;
      int seen = 0;
      for (int i = 0; i < module.importSection().importCount(); i++) {
        Import imp = module.importSection().getImport(i);
        if (imp instanceof FunctionImport && seen++ == functionIndex) {
          typeIndex = ((FunctionImport) imp).typeIndex();
          break;
        }
      }
      return module.typeSection().getType(typeIndex);
    }
    return module.functionSection().getFunctionType(functionIndex - imported, module.typeSection());
  }

  private static ModuleNotAllowed refuseImport(String app, String name, String reason) {
    return new ModuleNotAllowed(app + ": import " + name + ": " + reason);
  }

  private static void requireAtMost(String app, String what, long actual, long max) {
    if (actual > max) {
      throw limitExceeded(app, what, Long.toString(actual), "at most " + max);
    }
  }

  private static LimitExceeded limitExceeded(
      String app, String what, String actual, String expected) {
    return new LimitExceeded(app + ": " + what + ": " + actual + " (expected: " + expected + ")");
  }
}

package io.wasmbed.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What a module may touch on the device. Deny by default: an empty list grants nothing.
 *
 * @param allowedImports host functions the module may import, as {@code module.name} (for example
 *     {@code wasmbed.log}); {@code module.*} grants a whole host module
 * @param allowedExports exported functions the device may call; empty means the ABI entry points
 *     ({@code init}, {@code tick}, {@code _start})
 * @param allowFilesystem whether WASI file-system calls are granted
 * @param allowNetwork whether WASI socket calls are granted
 * @param executionMode {@code interpreter}, {@code compiled} or {@code auto}
 * @param allowedModules modules the device may run, each an app name, a digest {@code sha256:<hex>}
 *     or both as {@code name@sha256:<hex>}; empty allows any module whose bytes match the deployed
 *     digest
 */
public record ModulePolicy(
    List<String> allowedImports,
    List<String> allowedExports,
    boolean allowFilesystem,
    boolean allowNetwork,
    String executionMode,
    List<String> allowedModules) {

  /** The host interface of {@code docs/app-abi.md}, nothing else, chosen automatically. */
  public static final ModulePolicy DEFAULT =
      new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, "auto", List.of());

  public ModulePolicy {
    allowedImports = List.copyOf(allowedImports);
    allowedExports = List.copyOf(allowedExports);
    allowedModules = List.copyOf(allowedModules);
    Objects.requireNonNull(executionMode, "executionMode");
    if (!List.of("interpreter", "compiled", "auto").contains(executionMode)) {
      throw new IllegalArgumentException(
          "executionMode: " + executionMode + " (expected: interpreter, compiled or auto)");
    }
  }

  /** A policy that allows any module (the form used before {@code allowedModules} existed). */
  public ModulePolicy(
      List<String> allowedImports,
      List<String> allowedExports,
      boolean allowFilesystem,
      boolean allowNetwork,
      String executionMode) {
    this(allowedImports, allowedExports, allowFilesystem, allowNetwork, executionMode, List.of());
  }
}

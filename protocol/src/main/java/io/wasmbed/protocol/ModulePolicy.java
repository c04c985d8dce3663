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
 */
public record ModulePolicy(
    List<String> allowedImports,
    List<String> allowedExports,
    boolean allowFilesystem,
    boolean allowNetwork,
    String executionMode) {

  /** The host interface of {@code docs/app-abi.md}, nothing else, chosen automatically. */
  public static final ModulePolicy DEFAULT =
      new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, "auto");

  public ModulePolicy {
    allowedImports = List.copyOf(allowedImports);
    allowedExports = List.copyOf(allowedExports);
    Objects.requireNonNull(executionMode, "executionMode");
    if (!List.of("interpreter", "compiled", "auto").contains(executionMode)) {
      throw new IllegalArgumentException(
          "executionMode: " + executionMode + " (expected: interpreter, compiled or auto)");
    }
  }
}

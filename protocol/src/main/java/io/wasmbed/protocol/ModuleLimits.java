package io.wasmbed.protocol;

/**
 * Resource limits for one application instance on a device. Zero means "use the device's default"
 * for every field.
 *
 * @param maxMemoryPages linear memory ceiling in 64 KiB pages
 * @param maxTableElements table size ceiling
 * @param instructionBudget instructions one call may execute before it is stopped
 * @param callTimeoutMillis wall-clock limit for one call into the module
 * @param maxCallDepth nesting depth of wasm calls
 * @param maxOutputBytes bytes of log and readings the app may emit per minute
 * @param tickMillis period of the {@code tick} export, 0 to never tick
 */
public record ModuleLimits(
    int maxMemoryPages,
    int maxTableElements,
    long instructionBudget,
    long callTimeoutMillis,
    int maxCallDepth,
    int maxOutputBytes,
    long tickMillis) {

  public static final ModuleLimits DEFAULTS =
      new ModuleLimits(16, 1024, 50_000_000L, 1000, 512, 65_536, 1000);

  public ModuleLimits {
    requireNonNegative("maxMemoryPages", maxMemoryPages);
    requireNonNegative("maxTableElements", maxTableElements);
    requireNonNegative("instructionBudget", instructionBudget);
    requireNonNegative("callTimeoutMillis", callTimeoutMillis);
    requireNonNegative("maxCallDepth", maxCallDepth);
    requireNonNegative("maxOutputBytes", maxOutputBytes);
    requireNonNegative("tickMillis", tickMillis);
    if (maxMemoryPages > 65_536) {
      throw new IllegalArgumentException(
          "maxMemoryPages: " + maxMemoryPages + " (expected: at most 65536)");
    }
  }

  private static void requireNonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: zero or more)");
    }
  }
}

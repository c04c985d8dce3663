package io.wasmbed.sandbox;

import io.wasmbed.protocol.ModuleLimits;

/**
 * {@link ModuleLimits} with every "use the device default" zero replaced by the default; {@code
 * tickMillis} keeps zero, which means the app never ticks.
 */
record EffectiveLimits(
    int maxMemoryPages,
    int maxTableElements,
    long instructionBudget,
    long callTimeoutMillis,
    int maxCallDepth,
    int maxOutputBytes,
    long tickMillis) {

  static EffectiveLimits of(ModuleLimits limits) {
    ModuleLimits d = ModuleLimits.DEFAULTS;
    return new EffectiveLimits(
        orDefault(limits.maxMemoryPages(), d.maxMemoryPages()),
        orDefault(limits.maxTableElements(), d.maxTableElements()),
        orDefault(limits.instructionBudget(), d.instructionBudget()),
        orDefault(limits.callTimeoutMillis(), d.callTimeoutMillis()),
        orDefault(limits.maxCallDepth(), d.maxCallDepth()),
        orDefault(limits.maxOutputBytes(), d.maxOutputBytes()),
        limits.tickMillis());
  }

  private static int orDefault(int value, int fallback) {
    return value == 0 ? fallback : value;
  }

  private static long orDefault(long value, long fallback) {
    return value == 0 ? fallback : value;
  }
}

package io.wasmbed.sandbox;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;

/**
 * The device's ceilings on what an app's {@link ModuleLimits} may ask for: a spec asking for more
 * is refused at start ({@link LimitExceeded}) rather than obeyed. Checked against the effective
 * limits, so a zero ("device default") field is checked as the default it stands for.
 *
 * @param maxMemoryPages linear memory in 64 KiB pages (256 = 16 MiB)
 * @param maxTableElements elements of one table
 * @param maxInstructionBudget instructions one call may be granted
 * @param maxCallTimeoutMillis wall-clock limit one call may be granted
 * @param maxCallDepth nesting depth of wasm calls; each level reserves guest-thread stack
 * @param maxOutputBytes log and reading bytes per minute
 */
public record LimitMaxima(
    int maxMemoryPages,
    int maxTableElements,
    long maxInstructionBudget,
    long maxCallTimeoutMillis,
    int maxCallDepth,
    int maxOutputBytes) {

  public static final LimitMaxima DEFAULTS =
      new LimitMaxima(256, 100_000, 10_000_000_000L, 60_000, 4096, 1 << 20);

  public LimitMaxima {
    requirePositive("maxMemoryPages", maxMemoryPages);
    requirePositive("maxTableElements", maxTableElements);
    requirePositive("maxInstructionBudget", maxInstructionBudget);
    requirePositive("maxCallTimeoutMillis", maxCallTimeoutMillis);
    requirePositive("maxCallDepth", maxCallDepth);
    requirePositive("maxOutputBytes", maxOutputBytes);
  }

  /**
   * Refuses limits beyond these maxima, naming the first such field, its value and the maximum.
   *
   * @param subject what the refusal is about (the app's name), first in the message
   * @throws LimitExceeded for the first field over its maximum
   */
  void check(String subject, ModuleLimits limits) {
    EffectiveLimits effective = EffectiveLimits.of(limits);
    requireAtMost(subject, "maxMemoryPages", effective.maxMemoryPages(), maxMemoryPages);
    requireAtMost(subject, "maxTableElements", effective.maxTableElements(), maxTableElements);
    requireAtMost(
        subject, "instructionBudget", effective.instructionBudget(), maxInstructionBudget);
    requireAtMost(
        subject, "callTimeoutMillis", effective.callTimeoutMillis(), maxCallTimeoutMillis);
    requireAtMost(subject, "maxCallDepth", effective.maxCallDepth(), maxCallDepth);
    requireAtMost(subject, "maxOutputBytes", effective.maxOutputBytes(), maxOutputBytes);
  }

  private static void requireAtMost(String subject, String field, long value, long maximum) {
    if (value > maximum) {
      throw new LimitExceeded(
          subject
              + ": limits."
              + field
              + ": "
              + value
              + " (expected: at most "
              + maximum
              + ", this device's maximum)");
    }
  }

  private static void requirePositive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: greater than 0)");
    }
  }
}

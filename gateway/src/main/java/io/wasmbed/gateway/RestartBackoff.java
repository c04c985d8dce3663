package io.wasmbed.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the gateway waits before restarting an app that ended under restart policy {@code
 * OnFailure} or {@code Always}: {@code initial}, doubling with each consecutive end up to {@code
 * max}; an app that ran for {@code resetAfter} starts again from {@code initial}.
 */
record RestartBackoff(Duration initial, Duration max, Duration resetAfter) {
  static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(2));

  RestartBackoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(resetAfter, "resetAfter");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "initial: " + initial + ", max: " + max + " (expected: 0 < initial <= max)");
    }
  }

  /** The wait before restart number {@code restarts + 1} (0 for the first restart). */
  Duration delay(int restarts) {
    Duration delay = initial;
    for (int i = 0; i < restarts && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }

  /** A short human form for status reasons: {@code 4s}, {@code 2m8s}, {@code 5m}. */
  static String format(Duration duration) {
    long seconds = Math.max(1, (duration.toMillis() + 999) / 1000);
    if (seconds < 60) {
      return seconds + "s";
    }
    long rest = seconds % 60;
    return seconds / 60 + "m" + (rest == 0 ? "" : rest + "s");
  }
}

package io.wasmbed.device.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential reconnect backoff with jitter. The n-th wait (from 0) is drawn uniformly from {@code
 * [ceiling/2, ceiling]} with {@code ceiling = min(max, min * 2^(n+1))}, never below {@code min}: so
 * a fleet that lost its gateway at the same moment spreads its reconnects instead of arriving in
 * one burst. Not thread-safe; the agent uses it from its event loop only.
 */
public final class Backoff {

  private final long minMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private int attempt;

  public Backoff(Duration min, Duration max, RandomGenerator random) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.random = random;
  }

  /** The wait before the next attempt; each call without {@link #reset()} waits longer. */
  public Duration next() {
    long ceiling = ceiling(attempt);
    if (attempt < 62) {
      attempt++;
    }
    long floor = Math.max(minMillis, ceiling / 2);
    long millis = floor >= ceiling ? ceiling : random.nextLong(floor, ceiling + 1);
    return Duration.ofMillis(millis);
  }

  /** Called once a connection proved healthy: the next wait starts from the minimum again. */
  public void reset() {
    attempt = 0;
  }

  public int attempts() {
    return attempt;
  }

  private long ceiling(int n) {
    int shift = Math.min(n + 1, 62);
    long scaled = minMillis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : minMillis << shift;
    return Math.min(maxMillis, scaled);
  }
}

package io.wasmbed.controlplane.auth;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key: up to {@code burst} requests at once, refilled at {@code perSecond}.
 */
public final class RateLimits {

  private final long burst;
  private final long perSecond;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(long burst, long perSecond) {
    if (burst <= 0) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: positive)");
    }
    if (perSecond <= 0) {
      throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: positive)");
    }
    this.burst = burst;
    this.perSecond = perSecond;
  }

  /**
   * Takes one request from the key's bucket.
   *
   * @return zero if the request may go ahead, otherwise how long until it would
   */
  public Duration acquire(String keyId) {
    Bucket bucket = buckets.computeIfAbsent(keyId, id -> newBucket());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }
}

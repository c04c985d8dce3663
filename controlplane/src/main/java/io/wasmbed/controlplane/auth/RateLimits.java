package io.wasmbed.controlplane.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;

/**
 * A token bucket per name (an API key id, a client address): up to {@code burst} tokens at once,
 * refilled at {@code perSecond}. Buckets idle long enough to be full again are forgotten, which
 * loses nothing and bounds the memory that many names can take.
 */
public final class RateLimits {

  private static final long MAX_NAMES = 100_000;

  private final long burst;
  private final long perSecond;
  private final Cache<String, Bucket> buckets;

  public RateLimits(long burst, long perSecond) {
    if (burst <= 0) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: positive)");
    }
    if (perSecond <= 0) {
      throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: positive)");
    }
    this.burst = burst;
    this.perSecond = perSecond;
    Duration refillTime = Duration.ofSeconds(burst / perSecond + 1);
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(refillTime).maximumSize(MAX_NAMES).build();
  }

  /**
   * Takes one token from the name's bucket.
   *
   * @return zero if it was there, otherwise how long until one would be
   */
  public Duration acquire(String name) {
    ConsumptionProbe probe = bucket(name).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
  }

  /**
   * How long until the name's bucket has a token, without taking one.
   *
   * @return zero if it has one now
   */
  public Duration retryAfter(String name) {
    Bucket bucket = buckets.getIfPresent(name);
    if (bucket == null) {
      return Duration.ZERO;
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed()
        ? Duration.ZERO
        : Duration.ofNanos(probe.getNanosToWaitForRefill());
  }

  private Bucket bucket(String name) {
    return buckets.get(
        name,
        n ->
            Bucket.builder()
                .addLimit(
                    limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .build());
  }
}

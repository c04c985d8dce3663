package io.wasmbed.controlplane.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;

/**
 * A token bucket of failed authentications per client address: up to {@code burst} failures at
 * once, refilled at {@code perSecond}. Only failures take tokens, so clients with a valid key are
 * never slowed; once a client's bucket is empty, its requests are refused before their key is
 * checked, so guessing keys stays slow. A client sharing an address with a guesser (behind one NAT)
 * is refused with it until the bucket refills.
 */
public final class AuthFailureLimits {

  private static final long MAX_CLIENTS = 100_000;

  private final long burst;
  private final long perSecond;
  private final Cache<String, Bucket> buckets;

  public AuthFailureLimits(long burst, long perSecond) {
    if (burst <= 0) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: positive)");
    }
    if (perSecond <= 0) {
      throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: positive)");
    }
    this.burst = burst;
    this.perSecond = perSecond;
    // An idle bucket is full again after burst / perSecond seconds; forgetting it then loses
    // nothing, and bounds the memory many addresses can take.
    Duration refillTime = Duration.ofSeconds(burst / perSecond + 1);
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(refillTime).maximumSize(MAX_CLIENTS).build();
  }

  /**
   * Whether the client may try to authenticate.
   *
   * @return zero if it may, otherwise how long until its next failure would be allowed
   */
  public Duration retryAfter(String client) {
    Bucket bucket = buckets.getIfPresent(client);
    if (bucket == null) {
      return Duration.ZERO;
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed()
        ? Duration.ZERO
        : Duration.ofNanos(probe.getNanosToWaitForRefill());
  }

  /** Takes one token from the client's bucket for a failed authentication. */
  public void recordFailure(String client) {
    buckets.get(client, c -> newBucket()).tryConsume(1);
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }
}

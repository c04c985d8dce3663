package io.wasmbed.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ipfilter.AbstractRemoteAddressFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Limits how fast one source address may open connections: a token bucket per address ({@code
 * connectionBurst} tokens, refilled at {@code connectionsPerSecond}). Runs first in the pipeline,
 * when the channel registers, so a refused connection is closed before any TLS work is done.
 */
@Sharable
final class ConnectionRateLimiter extends AbstractRemoteAddressFilter<InetSocketAddress> {
  static final String NAME = "rate-limit";

  private static final long MAX_TRACKED_ADDRESSES = 100_000;

  private final int perSecond;
  private final int burst;
  private final GatewayMetrics metrics;
  private final RefusalLog refusals;
  private final Cache<InetAddress, Bucket> buckets;

  ConnectionRateLimiter(int perSecond, int burst, GatewayMetrics metrics, RefusalLog refusals) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.metrics = metrics;
    this.refusals = refusals;
    // An idle bucket refills completely within burst / perSecond; forgetting it then loses nothing.
    Duration refill = Duration.ofMillis(Math.max(1_000, 1_000L * burst / perSecond + 1_000));
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(refill).maximumSize(MAX_TRACKED_ADDRESSES).build();
  }

  @Override
  protected boolean accept(ChannelHandlerContext ctx, InetSocketAddress remote) {
    return buckets.get(remote.getAddress(), address -> newBucket()).tryConsume(1);
  }

  @Override
  protected ChannelFuture channelRejected(ChannelHandlerContext ctx, InetSocketAddress remote) {
    // The closed channel's TLS handler then reports a failed handshake; admission skips that.
    ctx.channel().attr(Refusal.KEY).set(Refusal.RATE_LIMITED);
    metrics.refused(Refusal.RATE_LIMITED);
    refusals.refused(
        remote,
        Refusal.RATE_LIMITED,
        "more than " + perSecond + " connections per second, burst " + burst);
    return null; // the filter closes the channel
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }
}

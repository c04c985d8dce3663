package io.wasmbed.gateway;

import io.github.bucket4j.Bucket;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message.ProtocolError;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits how fast one admitted session may send frames: a token bucket per connection ({@link
 * #FRAME_BURST} frames, refilled at {@link #FRAMES_PER_SECOND}). A session beyond it is answered
 * {@code ProtocolError("rate limit exceeded: ...")} and closed; the refusal is logged and counted
 * with reason {@code frame_rate}. Frames that arrive after that are dropped.
 */
final class FrameRateLimiter extends ChannelInboundHandlerAdapter {
  static final String NAME = "frame-rate";

  /** Far above a device's needs: a heartbeat every 30 s plus acknowledgements and output. */
  static final int FRAMES_PER_SECOND = 50;

  static final int FRAME_BURST = 200;

  static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(FrameRateLimiter.class);

  private final GatewayMetrics metrics;
  private final RefusalLog refusals;
  private final int perSecond;
  private final int burst;
  private final Bucket bucket;
  private boolean exceeded;

  FrameRateLimiter(GatewayMetrics metrics, RefusalLog refusals) {
    this(metrics, refusals, FRAMES_PER_SECOND, FRAME_BURST);
  }

  FrameRateLimiter(GatewayMetrics metrics, RefusalLog refusals, int perSecond, int burst) {
    this.metrics = metrics;
    this.refusals = refusals;
    this.perSecond = perSecond;
    this.burst = burst;
    this.bucket =
        Bucket.builder()
            .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
            .build();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (exceeded) {
      ReferenceCountUtil.release(message);
      return;
    }
    Session session = ctx.channel().attr(Session.KEY).get();
    if (session == null || bucket.tryConsume(1)) {
      ctx.fireChannelRead(message);
      return;
    }
    exceeded = true;
    long id = message instanceof Envelope envelope ? envelope.messageId() : 0;
    ReferenceCountUtil.release(message);
    String detail = "more than " + perSecond + " frames per second, burst " + burst;
    ctx.channel().attr(Refusal.KEY).set(Refusal.FRAME_RATE);
    metrics.refused(Refusal.FRAME_RATE);
    refusals.refused(
        ctx.channel().remoteAddress(),
        Refusal.FRAME_RATE,
        "device " + session.device() + " sent " + detail);
    log.debug("Device {} exceeded its frame rate; closing", session.device());
    session.markClosing(Session.CloseReason.FRAME_RATE);
    ctx.writeAndFlush(Envelope.of(id, new ProtocolError("rate limit exceeded: " + detail)))
        .addListener(f -> closeGracefully(ctx));
  }

  /**
   * Ends TLS first and keeps draining (and dropping) what the device still sends until it closes,
   * so that closing with unread input does not reset the connection and lose the ProtocolError; a
   * device that does not close within {@link #CLOSE_GRACE} is closed anyway.
   */
  private static void closeGracefully(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls == null) {
      ctx.close();
      return;
    }
    tls.closeOutbound();
    ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
  }
}

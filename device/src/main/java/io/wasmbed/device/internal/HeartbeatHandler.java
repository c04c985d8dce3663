package io.wasmbed.device.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a Heartbeat every interval once the session is established, and consumes the gateway's
 * HeartbeatAcks. The gateway, not the device, decides when a silent peer is dead.
 */
public final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "heartbeat";
  private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);

  private final long intervalNanos;
  private ScheduledFuture<?> task;
  private long lastSentId = -1;
  private long lastSentNanos;

  public HeartbeatHandler(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
      Session session = Session.of(ctx.channel());
      task =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> beat(session), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void beat(Session session) {
    long id = session.send(new Message.Heartbeat());
    if (id >= 0) {
      lastSentId = id;
      lastSentNanos = System.nanoTime();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Envelope envelope && envelope.message() instanceof Message.HeartbeatAck) {
      if (envelope.messageId() == lastSentId) {
        log.debug(
            "Heartbeat #{} acknowledged after {} us",
            lastSentId,
            (System.nanoTime() - lastSentNanos) / 1000);
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** Stops sending heartbeats on this connection (used by the agent's hang simulation). */
  public void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }
}

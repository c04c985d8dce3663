package io.wasmbed.device.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the TLS handshake into an established session and notes the first valid message from the
 * gateway. A failed handshake is logged with its root cause and closes the connection; the agent
 * then reconnects with backoff.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "session";
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

  private final SessionEvents events;

  public SessionHandler(SessionEvents events) {
    this.events = events;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      if (handshake.isSuccess()) {
        events.established(Session.of(ctx.channel()));
      } else {
        log.debug(
            "TLS handshake with {} failed: {}; closing",
            ctx.channel().remoteAddress(),
            rootCause(handshake.cause()).toString());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Envelope envelope) {
      Session session = Session.of(ctx.channel());
      if (session.hung()) {
        return;
      }
      log.debug("Received {} #{}", Session.name(envelope.message()), envelope.messageId());
      if (!(envelope.message() instanceof Message.ProtocolError) && session.markHeard()) {
        events.gatewayHeard(session);
      }
    }
    ctx.fireChannelRead(msg);
  }

  static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}

package io.wasmbed.device.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the pipeline: whatever reaches it ends the connection, never the agent. A ProtocolError
 * from the gateway closes the connection; a message a device does not expect is answered with
 * ProtocolError(reason) and closes it; any other failure (I/O, TLS) is logged at DEBUG with its
 * root cause and closes it. The agent then reconnects with backoff. Malformed frames are answered
 * before this handler, by the protocol module's {@code ProtocolErrorHandler}.
 */
public final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "connection-errors";
  private static final Logger log = LoggerFactory.getLogger(ConnectionErrorHandler.class);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Envelope envelope
        && envelope.message() instanceof Message.ProtocolError error) {
      log.debug("Gateway reported a protocol error: {}; closing and reconnecting", error.reason());
      ctx.close();
    } else if (msg instanceof Envelope envelope) {
      refuse(ctx, "unexpected message from gateway: " + Session.name(envelope.message()));
    } else {
      refuse(ctx, "unexpected object in pipeline: " + msg.getClass().getName());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "Connection to {} failed: {}; closing",
        ctx.channel().remoteAddress(),
        SessionHandler.rootCause(cause).toString());
    log.trace("Connection failure detail", cause);
    ctx.close();
  }

  private static void refuse(ChannelHandlerContext ctx, String reason) {
    log.debug("Closing connection to {}: {}", ctx.channel().remoteAddress(), reason);
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(Envelope.of(0, new Message.ProtocolError(reason)))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }
}

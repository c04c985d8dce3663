package io.wasmbed.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.wasmbed.protocol.Message.ProtocolError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection whose peer broke the protocol: on a {@link ProtocolException} it sends {@code
 * ProtocolError(reason)} with message id 0 (the offending frame's id is not known) and closes the
 * channel once the write completes or fails. Other exceptions pass on unchanged.
 *
 * <p>Add it after the application handler (so it sees what that handler does not consume) and after
 * {@link Frames#addCodec}, under {@link Frames#ERROR_HANDLER}. Stateless and shareable.
 */
@Sharable
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ProtocolErrorHandler.class);

  /** One instance serves every channel. */
  public static final ProtocolErrorHandler INSTANCE = new ProtocolErrorHandler();

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ProtocolException error = protocolError(cause);
    if (error == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    log.debug(
        "Protocol error from {}: {}; sending ProtocolError and closing",
        ctx.channel().remoteAddress(),
        error.getMessage());
    if (!ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    ctx.writeAndFlush(Envelope.of(0, new ProtocolError(reason(error))))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static ProtocolException protocolError(Throwable cause) {
    if (cause instanceof ProtocolException e) {
      return e;
    }
    if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException e) {
      return e;
    }
    return null;
  }

  private static String reason(ProtocolException error) {
    return error.getMessage() == null ? "protocol error" : error.getMessage();
  }
}

package io.wasmbed.gateway;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wasmbed.protocol.ProtocolException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts protocol errors and passes them on to the protocol module's {@code ProtocolErrorHandler}
 * (which answers {@code ProtocolError} and closes); closes the connection on any other failure.
 * Either way only this one connection ends.
 */
@Sharable
final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "connection-errors";

  private static final Logger log = LoggerFactory.getLogger(ConnectionErrorHandler.class);

  private final GatewayMetrics metrics;

  ConnectionErrorHandler(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (find(cause, ProtocolException.class) != null) {
      metrics.protocolError();
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (find(cause, SSLException.class) == null) {
      // TLS failures are already counted and logged by admission.
      log.debug(
          "Connection {} failed: {}; closing", ctx.channel().remoteAddress(), cause.toString());
    }
    log.trace("Connection {} failure", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}

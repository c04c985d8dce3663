package io.wasmbed.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.wasmbed.protocol.Envelope;

/** Counts frames in and out by message type. */
@Sharable
final class FrameMetricsHandler extends ChannelDuplexHandler {
  static final String NAME = "frame-metrics";

  private final GatewayMetrics metrics;

  FrameMetricsHandler(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof Envelope envelope) {
      metrics.frameIn(envelope.message().getClass().getSimpleName());
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof Envelope envelope) {
      metrics.frameOut(envelope.message().getClass().getSimpleName());
    }
    ctx.write(message, promise);
  }
}

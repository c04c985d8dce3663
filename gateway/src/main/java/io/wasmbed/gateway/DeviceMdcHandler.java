package io.wasmbed.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Puts the admitted device's name into the MDC ({@link DeviceMdc#KEY}) while the handlers behind it
 * handle an event or a write, and takes it out again: event loops are shared by many devices.
 */
@Sharable
final class DeviceMdcHandler extends ChannelDuplexHandler {
  static final String NAME = "mdc";

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    try (DeviceMdc scope = scope(ctx)) {
      ctx.fireChannelRead(message);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    try (DeviceMdc scope = scope(ctx)) {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try (DeviceMdc scope = scope(ctx)) {
      ctx.fireExceptionCaught(cause);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    try (DeviceMdc scope = scope(ctx)) {
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    try (DeviceMdc scope = scope(ctx)) {
      ctx.write(message, promise);
    }
  }

  private static DeviceMdc scope(ChannelHandlerContext ctx) {
    Session session = ctx.channel().attr(Session.KEY).get();
    return DeviceMdc.of(session == null ? null : session.device());
  }
}

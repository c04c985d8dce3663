package io.wasmbed.device.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in the pipeline: every inbound event, and all handlers it reaches, log with the device
 * name. The event loop may be shared by many agents, so the name is set per event.
 */
public final class MdcHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "mdc";

  private final String deviceName;

  public MdcHandler(String deviceName) {
    this.deviceName = deviceName;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    DeviceMdc.run(
        deviceName,
        () -> {
          ctx.fireChannelActive();
        });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    DeviceMdc.run(
        deviceName,
        () -> {
          ctx.fireChannelInactive();
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    DeviceMdc.run(
        deviceName,
        () -> {
          ctx.fireChannelRead(msg);
        });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    DeviceMdc.run(
        deviceName,
        () -> {
          ctx.fireUserEventTriggered(evt);
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    DeviceMdc.run(
        deviceName,
        () -> {
          ctx.fireExceptionCaught(cause);
        });
  }
}

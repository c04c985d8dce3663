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
    try (var ignored = DeviceMdc.put(deviceName)) {
      ctx.fireChannelActive();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    try (var ignored = DeviceMdc.put(deviceName)) {
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try (var ignored = DeviceMdc.put(deviceName)) {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    try (var ignored = DeviceMdc.put(deviceName)) {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try (var ignored = DeviceMdc.put(deviceName)) {
      ctx.fireExceptionCaught(cause);
    }
  }
}

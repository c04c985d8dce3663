package io.wasmbed.device.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.util.concurrent.Executor;

/**
 * Hands Deploy and Stop to the device's apps off the event loop (starting a module may take a
 * while) and writes the ack back on the connection the request came from.
 */
public final class CommandHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "commands";

  private final DeviceApps apps;
  private final Executor work;

  public CommandHandler(DeviceApps apps, Executor work) {
    this.apps = apps;
    this.work = work;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Envelope envelope)) {
      ctx.fireChannelRead(msg);
      return;
    }
    Session session = Session.of(ctx.channel());
    long id = envelope.messageId();
    if (envelope.message() instanceof Message.Deploy deploy) {
      work.execute(() -> session.reply(id, apps.deploy(deploy)));
    } else if (envelope.message() instanceof Message.Stop stop) {
      work.execute(() -> session.reply(id, apps.stop(stop)));
    } else {
      ctx.fireChannelRead(msg);
    }
  }
}

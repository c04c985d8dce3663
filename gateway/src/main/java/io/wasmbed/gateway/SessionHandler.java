package io.wasmbed.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.protocol.Message.HeartbeatAck;
import io.wasmbed.protocol.ProtocolException;
import java.time.Clock;

/**
 * Keeps an admitted session alive: answers each {@code Heartbeat} with a {@code HeartbeatAck}
 * carrying the same message id, takes the device's {@code DeviceInfo}, closes the session when the
 * idle handler reports that no frame arrived within the heartbeat timeout, and reports the end of
 * the connection to the registry.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "session";

  private final DeviceSessions sessions;
  private final Clock clock;

  SessionHandler(DeviceSessions sessions, Clock clock) {
    this.sessions = sessions;
    this.clock = clock;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Session session = ctx.channel().attr(Session.KEY).get();
    if (session == null || !(message instanceof Envelope envelope)) {
      ctx.fireChannelRead(message);
      return;
    }
    if (envelope.message() instanceof Heartbeat) {
      ctx.writeAndFlush(Envelope.of(envelope.messageId(), new HeartbeatAck(clock.millis())));
      sessions.heartbeat(session);
    } else if (envelope.message() instanceof DeviceInfo info) {
      sessions.deviceInfo(session, info);
    } else {
      ctx.fireChannelRead(message);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      Session session = ctx.channel().attr(Session.KEY).get();
      if (session != null) {
        sessions.timedOut(session);
      } else {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Session session = ctx.channel().attr(Session.KEY).get();
    if (session != null && ConnectionErrorHandler.find(cause, ProtocolException.class) != null) {
      session.markClosing(Session.CloseReason.PROTOCOL_ERROR);
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Session session = ctx.channel().attr(Session.KEY).get();
    if (session != null) {
      sessions.closed(session);
    }
    ctx.fireChannelInactive();
  }
}

package io.wasmbed.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.Message.AppOutput;
import io.wasmbed.protocol.Message.AppStatus;
import io.wasmbed.protocol.Message.DeployAck;
import io.wasmbed.protocol.Message.ProtocolError;
import io.wasmbed.protocol.Message.StopAck;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the device's answers and reports: acknowledgements and app status to the {@link
 * DeploymentReconciler} (on the control loop), app output into the ring buffer. Anything a device
 * must not send is answered with {@code ProtocolError} and the connection is closed.
 */
final class DispatchHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "dispatch";

  private static final Logger log = LoggerFactory.getLogger(DispatchHandler.class);
  private static final int MAX_OUTPUT_CHARS = 4096;

  private final DeploymentReconciler reconciler;
  private final ControlLoop control;
  private final OutputBuffer output;
  private final GatewayMetrics metrics;

  DispatchHandler(
      DeploymentReconciler reconciler,
      ControlLoop control,
      OutputBuffer output,
      GatewayMetrics metrics) {
    this.reconciler = reconciler;
    this.control = control;
    this.output = output;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Session session = ctx.channel().attr(Session.KEY).get();
    if (session == null || !(message instanceof Envelope envelope)) {
      ctx.fireChannelRead(message);
      return;
    }
    long id = envelope.messageId();
    Message body = envelope.message();
    if (body instanceof DeployAck ack) {
      control.execute(
          "DeployAck from " + session.device(),
          session.device(),
          () -> reconciler.deployAcked(session, id, ack));
    } else if (body instanceof StopAck ack) {
      control.execute(
          "StopAck from " + session.device(),
          session.device(),
          () -> reconciler.stopAcked(session, id, ack));
    } else if (body instanceof AppStatus status) {
      control.execute(
          "AppStatus from " + session.device(),
          session.device(),
          () -> reconciler.statusReported(session, status));
    } else if (body instanceof AppOutput out) {
      record(session, out);
    } else if (body instanceof ProtocolError error) {
      log.debug("Device {} reports a protocol error: {}", session.device(), error.reason());
    } else {
      rejectUnexpected(ctx, session, envelope);
    }
  }

  private void record(Session session, AppOutput out) {
    String text =
        out.text().length() > MAX_OUTPUT_CHARS
            ? out.text().substring(0, MAX_OUTPUT_CHARS)
            : out.text();
    output.add(
        new OutputLine(
            session.device(), out.app(), out.kind(), text, Instant.ofEpochMilli(out.timeMillis())));
    log.debug("Output of {} on {} ({}): {}", out.app(), session.device(), out.kind(), text);
  }

  private void rejectUnexpected(ChannelHandlerContext ctx, Session session, Envelope envelope) {
    String type = envelope.message().getClass().getSimpleName();
    metrics.protocolError();
    log.debug("Device {} sent {}, which only a gateway sends; closing", session.device(), type);
    session.markClosing(Session.CloseReason.PROTOCOL_ERROR);
    ctx.writeAndFlush(
            Envelope.of(
                envelope.messageId(), new ProtocolError("unexpected " + type + " from a device")))
        .addListener(f -> ctx.close());
  }
}

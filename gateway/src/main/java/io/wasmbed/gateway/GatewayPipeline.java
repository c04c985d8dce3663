package io.wasmbed.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.wasmbed.protocol.Frames;
import io.wasmbed.protocol.ProtocolErrorHandler;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * One device connection's pipeline, one handler per concern:
 *
 * <pre>
 * rate-limit -> tls -> frame codec -> frame-metrics -> idle -> admission -> frame-rate -> mdc
 *     -> session -> dispatch -> connection-errors -> protocol errors
 * </pre>
 */
final class GatewayPipeline extends ChannelInitializer<SocketChannel> {
  static final String TLS = "tls";
  static final String IDLE = "idle";
  static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final SslContext tls;
  private final GatewayConfig config;
  private final Clock clock;
  private final Parts parts;
  private final FrameMetricsHandler frameMetrics;
  private final ConnectionErrorHandler errors;
  private final ConnectionRateLimiter rateLimiter;
  private final DeviceMdcHandler mdc = new DeviceMdcHandler();

  /** The shared state handlers work with. */
  record Parts(
      DeviceIndex index,
      io.wasmbed.store.ResourceStore store,
      DeviceSessions sessions,
      DeploymentReconciler reconciler,
      ControlLoop control,
      OutputBuffer output,
      GatewayMetrics metrics,
      RefusalLog refusals) {}

  GatewayPipeline(SslContext tls, GatewayConfig config, Clock clock, Parts parts) {
    this.tls = tls;
    this.config = config;
    this.clock = clock;
    this.parts = parts;
    this.frameMetrics = new FrameMetricsHandler(parts.metrics());
    this.errors = new ConnectionErrorHandler(parts.metrics());
    this.rateLimiter =
        new ConnectionRateLimiter(
            config.connectionsPerSecond(),
            config.connectionBurst(),
            parts.metrics(),
            parts.refusals());
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(ConnectionRateLimiter.NAME, rateLimiter);
    SslHandler ssl = tls.newHandler(channel.alloc());
    ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
    pipeline.addLast(TLS, ssl);
    Frames.addCodec(pipeline, config.maxFrameBytes());
    pipeline.addLast(FrameMetricsHandler.NAME, frameMetrics);
    pipeline.addLast(
        IDLE,
        new IdleStateHandler(config.heartbeatTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    pipeline.addLast(
        AdmissionHandler.NAME,
        new AdmissionHandler(
            parts.index(),
            parts.store(),
            parts.sessions(),
            parts.metrics(),
            parts.control(),
            parts.refusals()));
    pipeline.addLast(
        FrameRateLimiter.NAME, new FrameRateLimiter(parts.metrics(), parts.refusals()));
    pipeline.addLast(DeviceMdcHandler.NAME, mdc);
    pipeline.addLast(SessionHandler.NAME, new SessionHandler(parts.sessions(), clock));
    pipeline.addLast(
        DispatchHandler.NAME,
        new DispatchHandler(parts.reconciler(), parts.control(), parts.output(), parts.metrics()));
    pipeline.addLast(ConnectionErrorHandler.NAME, errors);
    pipeline.addLast(Frames.ERROR_HANDLER, ProtocolErrorHandler.INSTANCE);
  }
}

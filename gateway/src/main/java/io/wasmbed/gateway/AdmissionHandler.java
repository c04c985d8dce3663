package io.wasmbed.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.store.Device;
import io.wasmbed.store.ResourceStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once the TLS handshake is over, whether the peer is a device this gateway serves: the
 * leaf certificate's public key must belong to a Device that is not Revoked. Until then nothing
 * passes further up the pipeline; refused connections are counted, logged with their reason and
 * closed, and never reach the session registry.
 */
final class AdmissionHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "admission";

  private static final Logger log = LoggerFactory.getLogger(AdmissionHandler.class);
  private static final int MAX_EARLY_MESSAGES = 16;

  private final DeviceIndex index;
  private final ResourceStore store;
  private final DeviceSessions sessions;
  private final GatewayMetrics metrics;
  private final ControlLoop control;
  private final List<Object> early = new ArrayList<>();
  private long activeAtNanos;
  private boolean admitted;
  private boolean refused;

  AdmissionHandler(
      DeviceIndex index,
      ResourceStore store,
      DeviceSessions sessions,
      GatewayMetrics metrics,
      ControlLoop control) {
    this.index = index;
    this.store = store;
    this.sessions = sessions;
    this.metrics = metrics;
    this.control = control;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activeAtNanos = System.nanoTime();
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent handshake) {
      metrics.handshake(Duration.ofNanos(System.nanoTime() - activeAtNanos));
      if (handshake.isSuccess()) {
        identify(ctx);
      } else {
        Throwable cause = handshake.cause();
        refuse(ctx, Refusal.ofHandshakeFailure(cause), rootMessage(cause));
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (admitted) {
      ctx.fireChannelRead(message);
    } else if (!refused) {
      early.add(message);
      if (early.size() > MAX_EARLY_MESSAGES) {
        refuse(ctx, Refusal.HANDSHAKE_FAILED, "sent too much before admission");
      }
    }
  }

  private void identify(ChannelHandlerContext ctx) {
    SSLSession tls = ctx.pipeline().get(SslHandler.class).engine().getSession();
    if (!TlsContexts.TLS_1_3.equals(tls.getProtocol())) {
      refuse(ctx, Refusal.TLS_VERSION, "negotiated " + tls.getProtocol() + " (expected: TLSv1.3)");
      return;
    }
    X509Certificate leaf;
    try {
      Certificate[] chain = tls.getPeerCertificates();
      leaf = (X509Certificate) chain[0];
    } catch (SSLPeerUnverifiedException e) {
      refuse(ctx, Refusal.NO_CERTIFICATE, "no client certificate");
      return;
    }
    String publicKey = PublicKeys.encode(leaf.getPublicKey());
    Optional<Device> device = index.byPublicKey(publicKey);
    if (device.isPresent()) {
      decide(ctx, device.get(), leaf);
      return;
    }
    // Not indexed yet (registered a moment ago?): look once in the store, off the event loop.
    ctx.channel().config().setAutoRead(false);
    control.execute(
        "admission lookup for " + ctx.channel().remoteAddress(),
        () -> {
          Device found = index.refreshAndFind(store, publicKey).orElse(null);
          ctx.executor()
              .execute(
                  () -> {
                    decide(ctx, found, leaf);
                    ctx.channel().config().setAutoRead(true);
                  });
        });
  }

  private void decide(ChannelHandlerContext ctx, Device device, X509Certificate leaf) {
    if (device == null) {
      refuse(
          ctx,
          Refusal.UNKNOWN_KEY,
          "public key of " + leaf.getSubjectX500Principal() + " matches no Device");
    } else if (device.status().phase() == Device.Phase.Revoked) {
      try (DeviceMdc scope = DeviceMdc.of(device.name())) {
        refuse(ctx, Refusal.REVOKED, "device " + device.name() + " is Revoked");
      }
    } else if (ctx.channel().isActive()) {
      admitted = true;
      try (DeviceMdc scope = DeviceMdc.of(device.name())) {
        sessions.open(device.name(), ctx.channel());
      }
      List<Object> buffered = List.copyOf(early);
      early.clear();
      buffered.forEach(ctx::fireChannelRead);
    }
  }

  private void refuse(ChannelHandlerContext ctx, Refusal reason, String detail) {
    if (refused) {
      return;
    }
    refused = true;
    early.clear();
    metrics.refused(reason);
    log.debug(
        "Refused connection from {}: {} ({}); closing",
        ctx.channel().remoteAddress(),
        reason.label(),
        detail);
    if (reason == Refusal.UNKNOWN_KEY || reason == Refusal.REVOKED) {
      log.info("Refused device connection from {}: {}", ctx.channel().remoteAddress(), detail);
    }
    ctx.close();
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}

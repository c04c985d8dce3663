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
import java.security.cert.CertificateException;
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
  private final RefusalLog refusals;
  private final List<Object> early = new ArrayList<>();
  private long activeAtNanos;
  private boolean admitted;
  private boolean refused;

  AdmissionHandler(
      DeviceIndex index,
      ResourceStore store,
      DeviceSessions sessions,
      GatewayMetrics metrics,
      ControlLoop control,
      RefusalLog refusals) {
    this.index = index;
    this.store = store;
    this.sessions = sessions;
    this.metrics = metrics;
    this.control = control;
    this.refusals = refusals;
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
        refuse(ctx, Refusal.ofHandshakeFailure(cause), handshakeFailure(cause));
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
      refuse(ctx, Refusal.UNKNOWN_KEY, describe(leaf) + ": public key matches no Device");
      return;
    }
    try (DeviceMdc scope = DeviceMdc.of(device.name())) {
      if (device.status().phase() == Device.Phase.Revoked) {
        refuse(ctx, Refusal.REVOKED, describe(leaf) + ": device " + device.name() + " is Revoked");
        return;
      }
      Optional<String> holder = sessions.conflictingHolder(device.name());
      if (holder.isPresent()) {
        refuseConflictingIdentity(ctx, device, leaf, holder.get());
        return;
      }
    }
    if (ctx.channel().isActive()) {
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
    if (refused || ctx.channel().attr(Refusal.KEY).get() != null) {
      return;
    }
    refused = true;
    ctx.channel().attr(Refusal.KEY).set(reason);
    early.clear();
    metrics.refused(reason);
    refusals.refused(ctx.channel().remoteAddress(), reason, detail);
    ctx.close();
  }

  private void refuseConflictingIdentity(
      ChannelHandlerContext ctx, Device device, X509Certificate leaf, String holder) {
    refuse(
        ctx,
        Refusal.IDENTITY_CONFLICT,
        describe(leaf)
            + ": device "
            + device.name()
            + " is held by "
            + holder
            + " while its sessions conflict");
  }

  /** Subject and serial of a certificate, for log lines. */
  private static String describe(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName()
        + ", serial "
        + certificate.getSerialNumber().toString(16);
  }

  /**
   * Why a handshake failed: the device CA validator's refusal (which names the certificate's
   * subject and serial) when there is one, else the root cause.
   */
  private static String handshakeFailure(Throwable failure) {
    CertificateException rejected =
        ConnectionErrorHandler.find(failure, CertificateException.class);
    return rejected != null ? rejected.getMessage() : rootMessage(failure);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}

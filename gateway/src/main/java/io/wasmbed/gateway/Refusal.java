package io.wasmbed.gateway;

import io.netty.util.AttributeKey;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;

/** Why the gateway refused a connection; the label is the metric's {@code reason} tag. */
enum Refusal {
  NO_CERTIFICATE("no_certificate"),
  CERTIFICATE_REJECTED("certificate_rejected"),
  TLS_VERSION("tls_version"),
  HANDSHAKE_TIMEOUT("handshake_timeout"),
  HANDSHAKE_FAILED("handshake_failed"),
  UNKNOWN_KEY("unknown_key"),
  REVOKED("revoked"),
  RATE_LIMITED("rate_limited"),
  IDENTITY_CONFLICT("identity_conflict"),
  /** An admitted session sent frames faster than its limit; it is closed. */
  FRAME_RATE("frame_rate");

  /** Set on a channel once it was refused, so that one refusal is counted and logged once. */
  static final AttributeKey<Refusal> KEY = AttributeKey.valueOf("wasmbed.refusal");

  private final String label;

  Refusal(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  /** Names the refusal for a failed TLS handshake from its cause chain. */
  static Refusal ofHandshakeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return CERTIFICATE_REJECTED;
      }
      if (t instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
        return HANDSHAKE_TIMEOUT;
      }
      String message = String.valueOf(t.getMessage());
      if (message.contains("Empty client certificate chain")
          || message.contains("peer not authenticated")) {
        return NO_CERTIFICATE;
      }
      if (t instanceof SSLHandshakeException && message.contains("protocol")) {
        return TLS_VERSION;
      }
    }
    return HANDSHAKE_FAILED;
  }
}

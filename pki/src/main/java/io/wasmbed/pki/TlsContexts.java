package io.wasmbed.pki;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;

/**
 * Netty TLS contexts for the device link: TLS 1.3 only, AES-256-GCM, ChaCha20-Poly1305 and
 * AES-128-GCM, client certificate required. Uses the JDK provider because BoringSSL
 * (netty-tcnative) cannot use Ed25519 certificates.
 */
public final class TlsContexts {
  public static final String TLS_1_3 = "TLSv1.3";
  public static final List<String> CIPHERS =
      List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");

  private TlsContexts() {}

  /** The gateway side: presents {@code credentials}, requires and checks client certificates. */
  public static SslContext server(Credentials credentials, X509TrustManager clientTrust) {
    try {
      return SslContextBuilder.forServer(credentials.key(), credentials.chain())
          .sslProvider(SslProvider.JDK)
          .protocols(TLS_1_3)
          .ciphers(CIPHERS)
          .clientAuth(ClientAuth.REQUIRE)
          .trustManager(clientTrust)
          .build();
    } catch (SSLException e) {
      throw new PkiException("cannot build TLS server context", e);
    }
  }

  /**
   * The device side: presents {@code credentials} and trusts only servers whose chain leads to
   * {@code trustedGatewayCa}. The host name is not checked against the certificate: devices connect
   * by configured address and the gateway CA issues server certificates only to gateways. Use
   * {@link #client(Credentials, X509Certificate, boolean)} to enable HTTPS-style checking.
   */
  public static SslContext client(Credentials credentials, X509Certificate trustedGatewayCa) {
    return client(credentials, trustedGatewayCa, false);
  }

  /**
   * As {@link #client(Credentials, X509Certificate)}; with {@code verifyHostname} the host name
   * passed to {@code newHandler(alloc, host, port)} must match the server certificate's SAN.
   */
  public static SslContext client(
      Credentials credentials, X509Certificate trustedGatewayCa, boolean verifyHostname) {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .protocols(TLS_1_3)
          .ciphers(CIPHERS)
          .keyManager(credentials.key(), credentials.chain())
          .trustManager(trustedGatewayCa)
          .endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null)
          .build();
    } catch (SSLException e) {
      throw new PkiException("cannot build TLS client context", e);
    }
  }
}

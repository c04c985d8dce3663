package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RefusalTest {

  @Test
  void namesHandshakeFailuresByTheirCause() {
    SSLHandshakeException rejected = new SSLHandshakeException("certificate refused");
    rejected.initCause(new CertificateException("chain does not lead to the device CA"));

    assertThat(Refusal.ofHandshakeFailure(new DecoderException(rejected)))
        .isEqualTo(Refusal.CERTIFICATE_REJECTED);
    assertThat(
            Refusal.ofHandshakeFailure(new SSLHandshakeException("Empty client certificate chain")))
        .isEqualTo(Refusal.NO_CERTIFICATE);
    assertThat(
            Refusal.ofHandshakeFailure(
                new SSLHandshakeException(
                    "The client supported protocol versions [TLSv1.2] are not accepted by server"
                        + " preferences [TLSv1.3]")))
        .isEqualTo(Refusal.TLS_VERSION);
    assertThat(Refusal.ofHandshakeFailure(new SslHandshakeTimeoutException("timed out")))
        .isEqualTo(Refusal.HANDSHAKE_TIMEOUT);
    assertThat(Refusal.ofHandshakeFailure(new ClosedChannelException()))
        .isEqualTo(Refusal.HANDSHAKE_FAILED);
  }

  @Test
  void labelsAreMetricTagValues() {
    for (Refusal refusal : Refusal.values()) {
      assertThat(refusal.label()).matches("[a-z_]+");
    }
  }
}

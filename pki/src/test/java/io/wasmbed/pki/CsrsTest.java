package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CsrsTest {
  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void createsVerifiableCsrInDerAndPem(KeyAlgorithm algorithm) {
    KeyPair pair = Keys.generate(algorithm);

    byte[] der = Csrs.create(pair, "sensor-7");
    var fromDer = Csrs.parse(der);
    var fromPem = Csrs.parse(Pem.encode(fromDer).getBytes(StandardCharsets.US_ASCII));

    assertThat(Csrs.commonName(fromDer)).isEqualTo("sensor-7");
    assertThat(Csrs.publicKey(fromDer)).isEqualTo(pair.getPublic());
    assertThat(Csrs.publicKey(fromPem)).isEqualTo(pair.getPublic());
  }

  @Test
  void refusesCsrWithBadSignature() throws Exception {
    byte[] der = Csrs.create(Keys.generate(), "dev");
    der[der.length - 1] ^= 0x01;

    assertThatThrownBy(() -> Csrs.parse(der))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void refusesCsrSignedByAnotherKey() throws Exception {
    KeyPair claimed = Keys.generate();
    KeyPair signer = Keys.generate();
    byte[] der =
        new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=dev"), claimed.getPublic())
            .build(new JcaContentSignerBuilder("Ed25519").build(signer.getPrivate()))
            .getEncoded();

    assertThatThrownBy(() -> Csrs.parse(der)).hasMessageContaining("signature does not verify");
  }

  @Test
  void refusesGarbage() {
    assertThatThrownBy(() -> Csrs.parse(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}))
        .isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> Csrs.parse(new byte[0])).isInstanceOf(PkiException.class);
  }

  @Test
  void refusesUnprintableCommonName() {
    assertThatThrownBy(() -> Csrs.create(Keys.generate(), "bad\nname"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("commonName");
  }
}

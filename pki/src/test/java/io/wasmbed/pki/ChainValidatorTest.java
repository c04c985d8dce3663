package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainValidatorTest {
  @TempDir Path dir;
  private final MutableClock clock = MutableClock.now();
  private CertificateAuthority ca;
  private X509Certificate leaf;

  @BeforeEach
  void setUp() {
    ca = CertificateAuthority.loadOrCreate(dir, "device-ca", KeyAlgorithm.ED25519, clock);
    leaf = ca.issueDeviceCertificate(Csrs.create(Keys.generate(), "dev-1"), "dev-1");
  }

  @Test
  void acceptsLeafNotOnTheCrl() {
    var result = validate(ChainValidator.CLIENT_AUTH);

    assertThat(result.valid()).as(result.reason()).isTrue();
    assertThat(result.path()).containsExactly(leaf, ca.certificate());
  }

  @Test
  void refusesLeafListedOnTheCaCrl() {
    ca.revoke(leaf.getSerialNumber());

    var result = validate(ChainValidator.CLIENT_AUTH);

    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("revoked").contains(leaf.getSerialNumber().toString(16));
  }

  @Test
  void refusesWhenTheCrlIsStale() {
    var crl = ca.crl();
    clock.advance(Duration.ofDays(8));

    var result =
        ChainValidator.validate(
            leaf,
            List.of(),
            List.of(ca.certificate()),
            clock.instant(),
            ChainValidator.CLIENT_AUTH,
            List.of(crl));

    assertThat(result.reason()).contains("stale");
  }

  @Test
  void refusesCrlSignedByAnotherKeyWithTheSameName() {
    var impostor =
        CertificateAuthority.loadOrCreate(
            dir.resolve("x"), "device-ca", KeyAlgorithm.ED25519, clock);

    var result =
        ChainValidator.validate(
            leaf,
            List.of(),
            List.of(ca.certificate()),
            clock.instant(),
            ChainValidator.CLIENT_AUTH,
            List.of(impostor.crl()));

    assertThat(result.reason()).contains("does not verify");
  }

  @Test
  void refusesWrongExtendedKeyUsage() {
    var result = validate(ChainValidator.SERVER_AUTH);

    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("extendedKeyUsage");
  }

  @Test
  void refusesExpiredTrustAnchor() {
    var result =
        ChainValidator.validate(
            leaf,
            List.of(),
            List.of(ca.certificate()),
            clock.instant().plus(Duration.ofDays(3651)),
            null,
            List.of());

    assertThat(result.reason()).contains("no usable trust anchor").contains("expired");
  }

  @Test
  void matchesServerCertificateAgainstPeerNames() {
    var key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    var server =
        ca.issueServerCertificate(key.getPublic(), "gw", List.of("*.gw.example", "10.0.0.1"));
    var request =
        ChainValidator.Request.of(server, List.of(), List.of(ca.certificate()), clock.instant())
            .withExtendedKeyUsage(ChainValidator.SERVER_AUTH);

    assertThat(ChainValidator.validate(request.withPeerName("a.gw.example")).valid()).isTrue();
    assertThat(ChainValidator.validate(request.withPeerName("10.0.0.1")).valid()).isTrue();
    assertThat(ChainValidator.validate(request.withPeerName("a.b.gw.example")).valid()).isFalse();
    assertThat(ChainValidator.validate(request.withPeerName("gw.example")).valid()).isFalse();
    assertThat(ChainValidator.validate(request.withPeerName("10.0.0.2")).valid()).isFalse();
  }

  private ChainValidator.Result validate(String eku) {
    return ChainValidator.validate(
        leaf, List.of(), List.of(ca.certificate()), clock.instant(), eku, List.of(ca.crl()));
  }
}

package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @TempDir Path dir;
  private final MutableClock clock = MutableClock.now();

  @Test
  void createsSelfSignedCaWithCaExtensions() throws Exception {
    var ca = CertificateAuthority.loadOrCreate(dir, "device-ca", KeyAlgorithm.ED25519, clock);
    X509Certificate cert = ca.certificate();

    cert.verify(cert.getPublicKey());
    assertThat(cert.getBasicConstraints()).isEqualTo(0);
    assertThat(cert.getCriticalExtensionOIDs())
        .contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(cert.getKeyUsage())
        .containsExactly(false, false, false, false, false, true, true, false, false);
    assertThat(ski(cert)).isEqualTo(aki(cert));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("device-ca.key"))))
        .isEqualTo("rw-------");
    assertThat(dir.resolve("device-ca.crt")).exists();
  }

  @Test
  void reusesKeyAndCertificateOnLaterStarts() {
    var first = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ECDSA_P256, clock);
    var second = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);

    assertThat(second.certificate()).isEqualTo(first.certificate());
    assertThat(second.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void refusesKeyFileWithGroupPermissions() throws Exception {
    CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);
    Files.setPosixFilePermissions(
        dir.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(
            () -> CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("ca.key")
        .hasMessageContaining("rw-r--r--");
  }

  @Test
  void refusesCertificateThatDoesNotMatchKey() throws Exception {
    CertificateAuthority.loadOrCreate(dir.resolve("a"), "ca", KeyAlgorithm.ED25519, clock);
    CertificateAuthority.loadOrCreate(dir.resolve("b"), "ca", KeyAlgorithm.ED25519, clock);
    Files.copy(
        dir.resolve("b/ca.crt"),
        dir.resolve("a/ca.crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(
            () ->
                CertificateAuthority.loadOrCreate(
                    dir.resolve("a"), "ca", KeyAlgorithm.ED25519, clock))
        .hasMessageContaining("does not match");
  }

  @Test
  void issuesDeviceCertificateForClientAuth() throws Exception {
    var ca = CertificateAuthority.loadOrCreate(dir, "device-ca", KeyAlgorithm.ED25519, clock);
    KeyPair device = Keys.generate();

    X509Certificate cert = ca.issueDeviceCertificate(Csrs.create(device, "dev-1"), "dev-1");

    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=dev-1");
    assertThat(cert.getPublicKey()).isEqualTo(device.getPublic());
    assertThat(cert.getExtendedKeyUsage()).containsExactly(ChainValidator.CLIENT_AUTH);
    assertThat(cert.getKeyUsage()[0]).isTrue();
    assertThat(cert.getKeyUsage()[5]).isFalse();
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getSerialNumber().signum()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isBetween(64, 128);
    assertThat(aki(cert)).isEqualTo(ski(ca.certificate()));
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(365).plus(CertificateAuthority.BACKDATE).withNanos(0));
  }

  @Test
  void usesConfiguredLeafValidity() {
    var ca =
        CertificateAuthority.loadOrCreate(
            dir, "ca", KeyAlgorithm.ED25519, clock, Duration.ofDays(30));

    X509Certificate cert = ca.issueDeviceCertificate(Csrs.create(Keys.generate(), "d"), "d");

    assertThat(cert.getNotAfter().toInstant())
        .isBetween(
            clock.instant().plus(Duration.ofDays(30)).minusSeconds(1),
            clock.instant().plus(Duration.ofDays(30)));
  }

  @Test
  void givesEveryCertificateADifferentSerial() {
    var ca = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);
    byte[] csr = Csrs.create(Keys.generate(), "d");

    BigInteger a = ca.issueDeviceCertificate(csr, "d").getSerialNumber();
    BigInteger b = ca.issueDeviceCertificate(csr, "d").getSerialNumber();

    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void refusesCsrWithBadSignature() {
    var ca = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);
    byte[] csr = Csrs.create(Keys.generate(), "dev-1");
    csr[csr.length - 2] ^= 0x40;

    assertThatThrownBy(() -> ca.issueDeviceCertificate(csr, "dev-1"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void refusesCsrForAnotherName() {
    var ca = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);

    assertThatThrownBy(
            () -> ca.issueDeviceCertificate(Csrs.create(Keys.generate(), "dev-2"), "dev-1"))
        .hasMessageContaining("'dev-2'")
        .hasMessageContaining("expected: 'dev-1'");
  }

  @Test
  void issuesServerCertificateWithDnsAndIpNames() throws Exception {
    var ca = CertificateAuthority.loadOrCreate(dir, "gw-ca", KeyAlgorithm.ECDSA_P256, clock);
    KeyPair key = Keys.generate(KeyAlgorithm.ECDSA_P256);

    X509Certificate cert =
        ca.issueServerCertificate(key.getPublic(), "gw-1", List.of("gw.local", "127.0.0.1", "::1"));

    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getExtendedKeyUsage()).containsExactly(ChainValidator.SERVER_AUTH);
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(2, "gw.local"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
  }

  @Test
  void revocationsArePersistedAndListedInASignedCrl() throws Exception {
    var ca = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);
    X509Certificate cert = ca.issueDeviceCertificate(Csrs.create(Keys.generate(), "d"), "d");

    ca.revoke(cert.getSerialNumber());
    var reloaded = CertificateAuthority.loadOrCreate(dir, "ca", KeyAlgorithm.ED25519, clock);
    X509CRL crl = reloaded.crl();

    assertThat(reloaded.isRevoked(cert.getSerialNumber())).isTrue();
    assertThat(reloaded.isRevoked(BigInteger.TEN)).isFalse();
    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.isRevoked(cert)).isTrue();
    assertThat(crl.getRevokedCertificates()).hasSize(1);
    assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()))
        .isEqualTo(Duration.ofDays(7));
    assertThat(crl.getExtensionValue(Extension.cRLNumber.getId())).isNotNull();
    assertThat(Pem.parseCrl(Pem.encode(crl))).isEqualTo(crl);
  }

  @Test
  void crlFromAnotherCaDoesNotVerify() {
    var ca = CertificateAuthority.loadOrCreate(dir.resolve("a"), "ca", KeyAlgorithm.ED25519, clock);
    var other =
        CertificateAuthority.loadOrCreate(dir.resolve("b"), "ca", KeyAlgorithm.ED25519, clock);

    assertThatThrownBy(() -> other.crl().verify(ca.certificate().getPublicKey()))
        .isInstanceOf(java.security.SignatureException.class);
  }

  private static byte[] ski(X509Certificate cert) {
    byte[] value = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets())
        .getKeyIdentifier();
  }

  private static byte[] aki(X509Certificate cert) {
    byte[] value = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
    return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets())
        .getKeyIdentifierObject()
        .getOctets();
  }
}

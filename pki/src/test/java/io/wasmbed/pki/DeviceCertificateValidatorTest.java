package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceCertificateValidatorTest {
  @TempDir Path dir;
  private final MutableClock clock = MutableClock.now();
  private CertificateAuthority ca;
  private KeyPair caKeys;
  private DeviceCertificateValidator validator;

  @BeforeEach
  void setUp() {
    ca = CertificateAuthority.loadOrCreate(dir, "device-ca", KeyAlgorithm.ED25519, clock);
    caKeys = Keys.readKeyPair(dir.resolve("device-ca.key"));
    validator = DeviceCertificateValidator.of(ca, clock);
  }

  @Test
  void acceptsIssuedDeviceCertificate() throws Exception {
    X509Certificate cert = device("dev-1");

    List<X509Certificate> path = validator.validate(new X509Certificate[] {cert});

    assertThat(path).containsExactly(cert, ca.certificate());
    assertThat(validator.getAcceptedIssuers()).containsExactly(ca.certificate());
  }

  @Test
  void acceptsChainThatIncludesTheCa() throws Exception {
    X509Certificate cert = device("dev-1");

    validator.checkClientTrusted(new X509Certificate[] {cert, ca.certificate()}, "UNKNOWN");
  }

  @Test
  void rejectsMissingChain() {
    assertRefused(new X509Certificate[0], "none presented");
    assertThatThrownBy(() -> validator.validate(null)).isInstanceOf(CertificateException.class);
  }

  @Test
  void rejectsExpiredCertificateNamingSerial() {
    X509Certificate cert = device("dev-1");
    clock.advance(Duration.ofDays(366));

    assertRefused(new X509Certificate[] {cert}, "expired at")
        .hasMessageContaining("CN=dev-1")
        .hasMessageContaining(cert.getSerialNumber().toString(16));
  }

  @Test
  void rejectsNotYetValidCertificate() {
    X509Certificate cert = device("dev-1");
    clock.advance(Duration.ofHours(-1));

    assertRefused(new X509Certificate[] {cert}, "not valid before");
  }

  @Test
  void rejectsRevokedCertificate() {
    X509Certificate cert = device("dev-1");
    ca.revoke(cert.getSerialNumber());

    assertRefused(new X509Certificate[] {cert}, "refused: revoked");
  }

  @Test
  void rejectsCertificateWithoutClientAuth() {
    X509Certificate cert =
        craft(
            "dev-1",
            false,
            new KeyUsage(KeyUsage.digitalSignature),
            KeyPurposeId.id_kp_serverAuth,
            null);

    assertRefused(new X509Certificate[] {cert}, "lacks clientAuth");
  }

  @Test
  void rejectsKeyUsageWithoutDigitalSignature() {
    X509Certificate cert =
        craft(
            "dev-1",
            false,
            new KeyUsage(KeyUsage.keyAgreement),
            KeyPurposeId.id_kp_clientAuth,
            null);

    assertRefused(new X509Certificate[] {cert}, "digitalSignature");
  }

  @Test
  void rejectsCaCertificateAsLeaf() {
    X509Certificate cert =
        craft(
            "dev-1",
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign),
            KeyPurposeId.id_kp_clientAuth,
            null);

    assertRefused(new X509Certificate[] {cert}, "is a CA certificate");
  }

  @Test
  void rejectsUnknownCriticalExtension() {
    X509Certificate cert =
        craft(
            "dev-1",
            false,
            new KeyUsage(KeyUsage.digitalSignature),
            KeyPurposeId.id_kp_clientAuth,
            new ASN1ObjectIdentifier("1.3.6.1.4.1.55738.666.1"));

    assertRefused(
        new X509Certificate[] {cert}, "unknown critical extension 1.3.6.1.4.1.55738.666.1");
  }

  @Test
  void rejectsCertificateFromAnotherCa() {
    var other =
        CertificateAuthority.loadOrCreate(
            dir.resolve("other"), "other-ca", KeyAlgorithm.ED25519, clock);
    X509Certificate cert =
        other.issueDeviceCertificate(Csrs.create(Keys.generate(), "dev-1"), "dev-1");

    assertRefused(new X509Certificate[] {cert}, "not a trusted device CA");
  }

  @Test
  void rejectsChainThroughUntrustedIntermediate() {
    var other =
        CertificateAuthority.loadOrCreate(
            dir.resolve("other"), "other-ca", KeyAlgorithm.ED25519, clock);
    X509Certificate cert =
        other.issueDeviceCertificate(Csrs.create(Keys.generate(), "dev-1"), "dev-1");

    assertRefused(new X509Certificate[] {cert, other.certificate()}, "no valid path");
  }

  @Test
  void revocationPredicateIsConsultedOnEveryCheck() throws Exception {
    X509Certificate cert = device("dev-1");
    var revoked = new java.util.HashSet<BigInteger>();
    var custom =
        new DeviceCertificateValidator(List.of(ca.certificate()), revoked::contains, clock);
    custom.validate(new X509Certificate[] {cert});

    revoked.add(cert.getSerialNumber());

    assertThatThrownBy(() -> custom.validate(new X509Certificate[] {cert}))
        .hasMessageContaining("revoked");
  }

  @Test
  void refusesToJudgeServers() {
    assertThatThrownBy(
            () -> validator.checkServerTrusted(new X509Certificate[] {device("d")}, "EC"))
        .isInstanceOf(CertificateException.class);
  }

  private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      X509Certificate[] chain, String reason) {
    return assertThatThrownBy(() -> validator.validate(chain))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining(reason);
  }

  private X509Certificate device(String name) {
    return ca.issueDeviceCertificate(Csrs.create(Keys.generate(), name), name);
  }

  /** A certificate signed by the device CA with extensions the CA itself would never issue. */
  private X509Certificate craft(
      String name, boolean isCa, KeyUsage usage, KeyPurposeId purpose, ASN1ObjectIdentifier odd) {
    try {
      KeyPair key = Keys.generate();
      var now = clock.instant();
      var builder =
          new JcaX509v3CertificateBuilder(
              ca.certificate(),
              BigInteger.valueOf(now.toEpochMilli()),
              Date.from(now.minusSeconds(60)),
              Date.from(now.plus(Duration.ofDays(1))),
              new X500Name("CN=" + name),
              key.getPublic());
      var extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      builder.addExtension(Extension.keyUsage, true, usage);
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(ca.certificate()));
      if (odd != null) {
        builder.addExtension(odd, true, new DEROctetString(new byte[] {5, 0}));
      }
      var signer = new JcaContentSignerBuilder("Ed25519").build(caKeys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

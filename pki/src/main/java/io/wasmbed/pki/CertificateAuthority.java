package io.wasmbed.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A certificate authority kept in one directory: {@code <name>.key} (PKCS#8 PEM, rw-------), {@code
 * <name>.crt} (self-signed CA certificate) and {@code <name>.revoked} (one line per revoked serial:
 * {@code <hex serial> <ISO-8601 revocation time>}).
 *
 * <p>Issued leaf certificates carry a random positive 128-bit serial, SKI and AKI, and are never
 * valid beyond the CA certificate. Methods are thread-safe.
 */
public final class CertificateAuthority {
  public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(365);
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration CRL_VALIDITY = Duration.ofDays(7);

  /** Certificates start slightly in the past to tolerate clock skew between peers. */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);

  private final String name;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final Clock clock;
  private final Duration leafValidity;
  private final Path revokedFile;
  private final SecureRandom random = new SecureRandom();
  private final Map<BigInteger, Instant> revoked;

  private CertificateAuthority(
      String name,
      PrivateKey key,
      X509Certificate certificate,
      Clock clock,
      Duration leafValidity,
      Path revokedFile) {
    this.name = name;
    this.key = key;
    this.certificate = certificate;
    this.clock = clock;
    this.leafValidity = leafValidity;
    this.revokedFile = revokedFile;
    this.revoked = readRevoked(revokedFile);
  }

  public static CertificateAuthority loadOrCreate(
      Path dir, String name, KeyAlgorithm algorithm, Clock clock) {
    return loadOrCreate(dir, name, algorithm, clock, DEFAULT_LEAF_VALIDITY);
  }

  /**
   * Loads the CA {@code name} from {@code dir}, or creates it there with a fresh {@code algorithm}
   * key. An existing key is reused whatever {@code algorithm} says. Refuses a key file that group
   * or others can access, and a certificate that does not match the key.
   */
  public static CertificateAuthority loadOrCreate(
      Path dir, String name, KeyAlgorithm algorithm, Clock clock, Duration leafValidity) {
    requireName(name);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(clock, "clock");
    if (leafValidity == null || leafValidity.isNegative() || leafValidity.isZero()) {
      throw new PkiException("leafValidity: " + leafValidity + " (expected: positive duration)");
    }
    SecureFiles.createPrivateDirectories(dir);
    Path keyFile = dir.resolve(name + ".key");
    Path certFile = dir.resolve(name + ".crt");
    Path revokedFile = dir.resolve(name + ".revoked");

    PrivateKey key;
    X509Certificate certificate;
    if (Files.exists(keyFile)) {
      key = Keys.readPrivateKey(keyFile);
      certificate = loadCertificate(certFile, key);
      log.info(
          "CA {} loaded from {} (subject {})", name, dir, certificate.getSubjectX500Principal());
    } else if (Files.exists(certFile)) {
      throw new PkiException(
          "CA "
              + name
              + ": "
              + certFile
              + " exists but "
              + keyFile
              + " is missing (expected both)");
    } else {
      KeyPair pair = Keys.generate(algorithm);
      key = pair.getPrivate();
      certificate = selfSign(name, pair, algorithm, clock);
      Keys.writePrivateKey(keyFile, key);
      Pem.writeCertificates(certFile, List.of(certificate));
      log.info(
          "CA {} created in {} ({} key, valid until {})",
          name,
          dir,
          algorithm,
          certificate.getNotAfter().toInstant());
    }
    return new CertificateAuthority(name, key, certificate, clock, leafValidity, revokedFile);
  }

  public String name() {
    return name;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public Duration leafValidity() {
    return leafValidity;
  }

  /**
   * Issues a client certificate for {@code deviceName} from a PKCS#10 request (DER or PEM). The
   * request's signature must verify and its subject must be {@code CN=deviceName}.
   */
  public X509Certificate issueDeviceCertificate(byte[] csrDer, String deviceName) {
    Csrs.requireCommonName(deviceName);
    PKCS10CertificationRequest csr = Csrs.parse(csrDer);
    String requested = Csrs.commonName(csr);
    if (!deviceName.equals(requested)) {
      throw new PkiException(
          "csr for device "
              + deviceName
              + ": subject CN '"
              + requested
              + "' (expected: '"
              + deviceName
              + "')");
    }
    PublicKey publicKey = Csrs.publicKey(csr);
    requireAcceptableLeafKey(publicKey, deviceName);

    X509Certificate issued =
        issue(
            deviceName,
            publicKey,
            new KeyUsage(KeyUsage.digitalSignature),
            KeyPurposeId.id_kp_clientAuth,
            null);
    log.info(
        "CA {} issued device certificate for {} serial {} (expires {})",
        name,
        deviceName,
        issued.getSerialNumber().toString(16),
        issued.getNotAfter().toInstant());
    return issued;
  }

  /**
   * Issues a TLS server certificate for {@code publicKey} with SAN entries for {@code hostnames}
   * (IP literals become iPAddress entries, everything else dNSName) and EKU serverAuth.
   */
  public X509Certificate issueServerCertificate(
      PublicKey publicKey, String commonName, List<String> hostnames) {
    Csrs.requireCommonName(commonName);
    requireAcceptableLeafKey(publicKey, commonName);
    GeneralNames san = subjectAlternativeNames(hostnames);

    X509Certificate issued =
        issue(
            commonName,
            publicKey,
            new KeyUsage(KeyUsage.digitalSignature),
            KeyPurposeId.id_kp_serverAuth,
            san);
    log.info(
        "CA {} issued server certificate for {} {} serial {}",
        name,
        commonName,
        hostnames,
        issued.getSerialNumber().toString(16));
    return issued;
  }

  /** Revokes {@code serial}; persisted before this returns. Revoking twice is harmless. */
  public synchronized void revoke(BigInteger serial) {
    if (serial == null || serial.signum() <= 0) {
      throw new PkiException("serial: " + serial + " (expected: positive serial number)");
    }
    if (revoked.containsKey(serial)) {
      return;
    }
    revoked.put(serial, clock.instant());
    writeRevoked();
    log.info("CA {} revoked serial {}; next CRL lists it", name, serial.toString(16));
  }

  public synchronized boolean isRevoked(BigInteger serial) {
    return serial != null && revoked.containsKey(serial);
  }

  public synchronized Set<BigInteger> revokedSerials() {
    return Set.copyOf(revoked.keySet());
  }

  /**
   * A CRL signed by this CA listing every revoked serial, with thisUpdate now and nextUpdate {@link
   * #CRL_VALIDITY} later, CRLNumber (the signing time in milliseconds, monotonic across restarts as
   * long as the clock is) and AKI.
   */
  public synchronized X509CRL crl() {
    Instant now = clock.instant();
    X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate, Date.from(now));
    builder.setNextUpdate(Date.from(now.plus(CRL_VALIDITY)));
    revoked.forEach(
        (serial, at) -> builder.addCRLEntry(serial, Date.from(at), CRLReason.unspecified));
    try {
      var extensions = new JcaX509ExtensionUtils();
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      builder.addExtension(
          Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
      X509CRLHolder holder = builder.build(signer());
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException("CA " + name + ": cannot sign CRL", e);
    }
  }

  private X509Certificate issue(
      String commonName,
      PublicKey publicKey,
      KeyUsage keyUsage,
      KeyPurposeId purpose,
      GeneralNames san) {
    Instant now = clock.instant();
    Instant notAfter = min(now.plus(leafValidity), certificate.getNotAfter().toInstant());
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            certificate,
            randomSerial(),
            Date.from(now.minus(BACKDATE)),
            Date.from(notAfter),
            subject(commonName),
            publicKey);
    try {
      var extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, keyUsage);
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      if (san != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, san);
      }
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException("CA " + name + ": cannot issue certificate for " + commonName, e);
    }
  }

  private ContentSigner signer() {
    try {
      return new JcaContentSignerBuilder(Keys.algorithmOf(key).signatureAlgorithm()).build(key);
    } catch (OperatorCreationException e) {
      throw new PkiException("CA " + name + ": cannot create signer", e);
    }
  }

  private BigInteger randomSerial() {
    BigInteger serial;
    do {
      serial = new BigInteger(128, random);
    } while (serial.signum() == 0);
    return serial;
  }

  private static X509Certificate selfSign(
      String name, KeyPair pair, KeyAlgorithm algorithm, Clock clock) {
    Instant now = clock.instant();
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Wasmbed")
            .addRDN(BCStyle.CN, name)
            .build();
    var builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(128, new SecureRandom()).setBit(0),
            Date.from(now.minus(BACKDATE)),
            Date.from(now.plus(CA_VALIDITY)),
            subject,
            pair.getPublic());
    try {
      var extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(pair.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(pair.getPublic()));
      var signer =
          new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(pair.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new PkiException("CA " + name + ": cannot create self-signed certificate", e);
    }
  }

  private static X509Certificate loadCertificate(Path certFile, PrivateKey key) {
    if (!Files.exists(certFile)) {
      throw new PkiException(
          "CA certificate " + certFile + ": does not exist (expected beside its key)");
    }
    X509Certificate certificate = Pem.readCertificates(certFile).get(0);
    if (!certificate.getPublicKey().equals(Keys.publicKey(key))) {
      throw new PkiException(
          "CA certificate " + certFile + ": public key does not match the private key beside it");
    }
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException("CA certificate " + certFile + ": not a CA (basicConstraints)");
    }
    return certificate;
  }

  private static X500Name subject(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static GeneralNames subjectAlternativeNames(List<String> hostnames) {
    if (hostnames == null || hostnames.isEmpty()) {
      return null;
    }
    List<GeneralName> names = new ArrayList<>();
    for (String host : hostnames) {
      if (host == null || host.isBlank() || host.contains(" ")) {
        throw new PkiException("hostname: '" + host + "' (expected: DNS name or IP address)");
      }
      boolean ip = IPAddress.isValid(host);
      names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static void requireAcceptableLeafKey(PublicKey publicKey, String subject) {
    String algorithm = publicKey.getAlgorithm();
    boolean acceptable =
        switch (algorithm) {
          case "EdDSA", "Ed25519" ->
              "Ed25519"
                  .equalsIgnoreCase(
                      ((java.security.interfaces.EdECKey) publicKey).getParams().getName());
          case "EC" -> true;
          case "RSA", "RSASSA-PSS" ->
              ((java.security.interfaces.RSAKey) publicKey).getModulus().bitLength() >= 2048;
          default -> false;
        };
    if (!acceptable) {
      throw new PkiException(
          "public key of "
              + subject
              + ": "
              + algorithm
              + " (expected: Ed25519, ECDSA or RSA >= 2048 bits)");
    }
  }

  private static void requireName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      throw new PkiException("CA name: '" + name + "' (expected: [A-Za-z0-9._-], 1-63 chars)");
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Map<BigInteger, Instant> readRevoked(Path file) {
    Map<BigInteger, Instant> entries = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return entries;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (line.isBlank()) {
          continue;
        }
        String[] fields = line.strip().split("\\s+");
        entries.put(new BigInteger(fields[0], 16), Instant.parse(fields[1]));
      }
    } catch (IOException | RuntimeException e) {
      throw new PkiException(
          "revocation list " + file + ": unreadable (expected lines '<hex serial> <instant>')", e);
    }
    return entries;
  }

  private void writeRevoked() {
    StringBuilder text = new StringBuilder();
    revoked.forEach(
        (serial, at) -> text.append(serial.toString(16)).append(' ').append(at).append('\n'));
    SecureFiles.writeAtomically(revokedFile, text.toString().getBytes(StandardCharsets.US_ASCII));
  }
}

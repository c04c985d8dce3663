package io.wasmbed.pki;

import java.math.BigInteger;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's trust decision for device client certificates. A chain is accepted only if its leaf
 * is an end-entity certificate valid at the clock's time, with EKU clientAuth, keyUsage
 * digitalSignature (if keyUsage is present), no unknown critical extension, not revoked, and a path
 * through any presented intermediates to one of the device CA certificates ({@link
 * ChainValidator}). Every refusal is a {@link CertificateException} naming the subject, serial and
 * reason, logged at DEBUG.
 *
 * <p>This trust manager validates client certificates only; server checks always fail.
 */
public final class DeviceCertificateValidator extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(DeviceCertificateValidator.class);

  private final List<X509Certificate> deviceCas;
  private final Predicate<BigInteger> isRevoked;
  private final Clock clock;

  /**
   * @param deviceCas the device CA certificate(s) trusted as anchors
   * @param isRevoked true for revoked serials (e.g. {@code deviceCa::isRevoked})
   * @param clock the time used for validity checks
   */
  public DeviceCertificateValidator(
      List<X509Certificate> deviceCas, Predicate<BigInteger> isRevoked, Clock clock) {
    if (deviceCas == null || deviceCas.isEmpty()) {
      throw new IllegalArgumentException("deviceCas: " + deviceCas + " (expected: at least one)");
    }
    this.deviceCas = List.copyOf(deviceCas);
    this.isRevoked = Objects.requireNonNull(isRevoked, "isRevoked");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Trusts {@code deviceCa}'s certificate and consults its revocations on every handshake. */
  public static DeviceCertificateValidator of(CertificateAuthority deviceCa, Clock clock) {
    return new DeviceCertificateValidator(
        List.of(deviceCa.certificate()), deviceCa::isRevoked, clock);
  }

  /** Validates a client chain (leaf first); returns the validated path, leaf first. */
  public List<X509Certificate> validate(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0 || chain[0] == null) {
      throw rejectMissingChain();
    }
    X509Certificate leaf = chain[0];
    Instant now = clock.instant();

    rejectCaCertificate(leaf);
    rejectUnknownCriticalExtension(leaf);
    rejectMissingClientAuth(leaf);
    rejectKeyUsageWithoutDigitalSignature(leaf);
    rejectOutsideValidity(leaf, now);
    rejectUnknownIssuer(leaf, chain);
    List<X509Certificate> path = rejectInvalidPath(leaf, chain, now);
    rejectRevoked(leaf, path);
    return path;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException(
        "DeviceCertificateValidator validates device client certificates only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return deviceCas.toArray(X509Certificate[]::new);
  }

  private CertificateException rejectMissingChain() {
    log.debug("Device handshake without client certificate; refusing");
    return new CertificateException("device certificate: none presented (expected: a chain)");
  }

  private void rejectCaCertificate(X509Certificate leaf) throws CertificateException {
    if (leaf.getBasicConstraints() >= 0) {
      throw refuse(leaf, "is a CA certificate (expected: end entity, basicConstraints cA=false)");
    }
  }

  private void rejectUnknownCriticalExtension(X509Certificate leaf) throws CertificateException {
    String problem = CertificateProfile.unknownCriticalExtension(leaf);
    if (problem != null) {
      throw refuse(leaf, problem);
    }
  }

  private void rejectMissingClientAuth(X509Certificate leaf) throws CertificateException {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw refuse(leaf, "extendedKeyUsage malformed: " + e.getMessage());
    }
    if (usages == null || !usages.contains(ChainValidator.CLIENT_AUTH)) {
      throw refuse(leaf, "extendedKeyUsage " + usages + " lacks clientAuth");
    }
  }

  private void rejectKeyUsageWithoutDigitalSignature(X509Certificate leaf)
      throws CertificateException {
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw refuse(leaf, "keyUsage does not allow digitalSignature");
    }
  }

  private void rejectOutsideValidity(X509Certificate leaf, Instant now)
      throws CertificateException {
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw refuse(leaf, "expired at " + leaf.getNotAfter().toInstant() + " (now " + now + ")");
    } catch (CertificateNotYetValidException e) {
      throw refuse(
          leaf, "not valid before " + leaf.getNotBefore().toInstant() + " (now " + now + ")");
    }
  }

  /** Fast, specific refusal for the common case: a chain from some other CA. */
  private void rejectUnknownIssuer(X509Certificate leaf, X509Certificate[] chain)
      throws CertificateException {
    var issuer = leaf.getIssuerX500Principal();
    boolean known =
        deviceCas.stream().anyMatch(ca -> ca.getSubjectX500Principal().equals(issuer))
            || chain.length > 1;
    if (!known) {
      throw refuse(leaf, "issuer " + issuer.getName() + " is not a trusted device CA");
    }
    boolean directlyIssued = chain.length == 1;
    if (directlyIssued
        && deviceCas.stream()
            .filter(ca -> ca.getSubjectX500Principal().equals(issuer))
            .noneMatch(ca -> ChainValidator.verifies(leaf, ca.getPublicKey()))) {
      throw refuse(leaf, "signature does not verify with the device CA key of " + issuer.getName());
    }
  }

  private List<X509Certificate> rejectInvalidPath(
      X509Certificate leaf, X509Certificate[] chain, Instant now) throws CertificateException {
    List<X509Certificate> intermediates = Arrays.asList(chain).subList(1, chain.length);
    ChainValidator.Result result =
        ChainValidator.validate(
            ChainValidator.Request.of(leaf, intermediates, deviceCas, now)
                .withExtendedKeyUsage(ChainValidator.CLIENT_AUTH)
                .withKeyUsage(java.util.Set.of(ChainValidator.KeyUsageBit.DIGITAL_SIGNATURE)));
    if (!result.valid()) {
      throw refuse(leaf, "no valid path to the device CA: " + result.reason());
    }
    return result.path();
  }

  private void rejectRevoked(X509Certificate leaf, List<X509Certificate> path)
      throws CertificateException {
    for (X509Certificate certificate : path.subList(0, path.size() - 1)) {
      if (isRevoked.test(certificate.getSerialNumber())) {
        throw refuse(
            leaf,
            certificate == leaf
                ? "revoked"
                : "issuer " + ChainValidator.subjectOf(certificate) + " revoked");
      }
    }
  }

  private static CertificateException refuse(X509Certificate leaf, String reason) {
    String subject = ChainValidator.subjectOf(leaf);
    String serial = leaf.getSerialNumber().toString(16);
    log.debug("Device certificate {} serial {} refused: {}", subject, serial, reason);
    return new CertificateException(
        "device certificate " + subject + " serial " + serial + " refused: " + reason);
  }
}

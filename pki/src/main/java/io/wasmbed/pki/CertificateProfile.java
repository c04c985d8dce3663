package io.wasmbed.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * RFC 5280 profile checks that the JDK's PKIX path validation does not make: extension criticality,
 * SKI/AKI presence, serial numbers, consistent CA flags, signature algorithm fields and minimum key
 * strength. Each method returns {@code null} when the certificate passes, or the reason it does
 * not.
 */
final class CertificateProfile {
  static final String BASIC_CONSTRAINTS = Extension.basicConstraints.getId();
  static final String KEY_USAGE = Extension.keyUsage.getId();
  static final String EXTENDED_KEY_USAGE = Extension.extendedKeyUsage.getId();
  static final String SUBJECT_ALT_NAME = Extension.subjectAlternativeName.getId();
  static final String NAME_CONSTRAINTS = Extension.nameConstraints.getId();
  static final String SUBJECT_KEY_ID = Extension.subjectKeyIdentifier.getId();
  static final String AUTHORITY_KEY_ID = Extension.authorityKeyIdentifier.getId();
  static final String POLICY_CONSTRAINTS = Extension.policyConstraints.getId();

  /** Extensions this package understands well enough to accept when marked critical. */
  static final Set<String> KNOWN_CRITICAL =
      Set.of(
          BASIC_CONSTRAINTS,
          KEY_USAGE,
          EXTENDED_KEY_USAGE,
          SUBJECT_ALT_NAME,
          NAME_CONSTRAINTS,
          POLICY_CONSTRAINTS,
          Extension.certificatePolicies.getId(),
          Extension.policyMappings.getId(),
          Extension.inhibitAnyPolicy.getId());

  private static final int KEY_CERT_SIGN = 5;

  private CertificateProfile() {}

  /** A trust anchor must itself be a well-formed, currently valid CA certificate. */
  static String anchorProblem(X509Certificate anchor, Instant time) {
    String problem = validityProblem(anchor, time);
    if (problem == null) {
      problem = commonProblem(anchor);
    }
    if (problem == null) {
      problem = caProblem(anchor);
    }
    if (problem == null) {
      problem = unknownCriticalExtension(anchor);
    }
    if (problem == null) {
      problem = selfSignedAuthorityKeyIdProblem(anchor);
    }
    return problem;
  }

  static String validityProblem(X509Certificate certificate, Instant time) {
    Date at = Date.from(time);
    if (at.before(certificate.getNotBefore())) {
      return "not valid before " + certificate.getNotBefore().toInstant() + " (time " + time + ")";
    }
    if (at.after(certificate.getNotAfter())) {
      return "expired at " + certificate.getNotAfter().toInstant() + " (time " + time + ")";
    }
    return null;
  }

  /** Checks every path certificate (anchor, intermediates, leaf) needs. */
  static String commonProblem(X509Certificate certificate) {
    if (certificate.getVersion() != 3) {
      return "version: v" + certificate.getVersion() + " (expected: v3)";
    }
    if (certificate.getIssuerX500Principal().getEncoded().length <= 2) {
      return "issuer: empty (expected: a distinguished name)";
    }
    if (isCritical(certificate, SUBJECT_KEY_ID)) {
      return "subjectKeyIdentifier: critical (expected: non-critical)";
    }
    if (isCritical(certificate, AUTHORITY_KEY_ID)) {
      return "authorityKeyIdentifier: critical (expected: non-critical)";
    }
    if (!signatureAlgorithmsAgree(certificate)) {
      return "signatureAlgorithm differs from tbsCertificate.signature";
    }
    String problem = authorityInfoAccessProblem(certificate);
    return problem != null ? problem : keyStrengthProblem(certificate.getPublicKey());
  }

  /** RFC 5280 4.1.2.2: positive, at most 20 octets. Not applied to trust anchors. */
  static String serialProblem(X509Certificate certificate) {
    BigInteger serial = certificate.getSerialNumber();
    if (serial.signum() <= 0) {
      return "serial number: " + serial + " (expected: positive)";
    }
    if (serial.toByteArray().length > 20) {
      return "serial number: " + serial.toByteArray().length + " octets (expected: at most 20)";
    }
    return null;
  }

  /** The DER NameConstraints value of {@code certificate}, or null. */
  static byte[] nameConstraintsDer(X509Certificate certificate) {
    byte[] value = certificate.getExtensionValue(NAME_CONSTRAINTS);
    return value == null ? null : ASN1OctetString.getInstance(value).getOctets();
  }

  private static String nameConstraintsProblem(X509Certificate ca) {
    byte[] der = nameConstraintsDer(ca);
    if (der == null) {
      return null;
    }
    if (!isCritical(ca, NAME_CONSTRAINTS)) {
      return "nameConstraints: non-critical (expected: critical, RFC 5280 4.2.1.10)";
    }
    try {
      NameConstraints constraints = NameConstraints.getInstance(der);
      boolean permitted =
          constraints.getPermittedSubtrees() != null
              && constraints.getPermittedSubtrees().length > 0;
      boolean excluded =
          constraints.getExcludedSubtrees() != null && constraints.getExcludedSubtrees().length > 0;
      if (!permitted && !excluded) {
        return "nameConstraints: empty (expected: some subtree)";
      }
      return GeneralNameSyntax.subtreesProblem(constraints);
    } catch (RuntimeException e) {
      return "nameConstraints: malformed (" + e.getMessage() + ")";
    }
  }

  private static String authorityInfoAccessProblem(X509Certificate certificate) {
    byte[] value = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (value == null) {
      return null;
    }
    try {
      AuthorityInformationAccess.getInstance(ASN1OctetString.getInstance(value).getOctets());
      return null;
    } catch (RuntimeException e) {
      return "authorityInfoAccess: malformed (" + e.getMessage() + ")";
    }
  }

  /** What RFC 5280 4.2.1.9 and 4.2.1.3 demand of a CA certificate. */
  static String caProblem(X509Certificate ca) {
    if (ca.getBasicConstraints() < 0) {
      return "basicConstraints: missing or cA=false (expected: cA=true)";
    }
    if (!isCritical(ca, BASIC_CONSTRAINTS)) {
      return "basicConstraints: non-critical (expected: critical in a CA certificate)";
    }
    boolean[] usage = ca.getKeyUsage();
    if (usage != null && !usage[KEY_CERT_SIGN]) {
      return "keyUsage: no keyCertSign (expected for a CA certificate)";
    }
    if (ca.getSubjectX500Principal().getEncoded().length <= 2) {
      return "subject: empty (expected: a distinguished name in a CA certificate)";
    }
    if (ca.getExtensionValue(SUBJECT_KEY_ID) == null) {
      return "subjectKeyIdentifier: missing (expected in a CA certificate)";
    }
    if (ca.getExtensionValue(POLICY_CONSTRAINTS) != null && !isCritical(ca, POLICY_CONSTRAINTS)) {
      return "policyConstraints: non-critical (expected: critical)";
    }
    return nameConstraintsProblem(ca);
  }

  /** What RFC 5280 demands of an end-entity certificate (the leaf). */
  static String leafProblem(X509Certificate leaf) {
    boolean[] usage = leaf.getKeyUsage();
    boolean keyCertSign = usage != null && usage[KEY_CERT_SIGN];
    boolean ca = leaf.getBasicConstraints() >= 0;
    if (keyCertSign && !ca) {
      return "keyUsage: keyCertSign without basicConstraints cA=true";
    }
    if (ca && usage != null && !keyCertSign) {
      return "basicConstraints: cA=true without keyUsage keyCertSign";
    }
    if (leaf.getExtensionValue(NAME_CONSTRAINTS) != null) {
      return "nameConstraints: present in an end-entity certificate";
    }
    if (leaf.getExtensionValue(AUTHORITY_KEY_ID) == null && !isSelfIssued(leaf)) {
      return "authorityKeyIdentifier: missing (expected in every non-self-signed certificate)";
    }
    return subjectAltNameProblem(leaf);
  }

  /** A CA certificate between the anchor and the leaf. */
  static String intermediateProblem(X509Certificate intermediate) {
    String problem = caProblem(intermediate);
    if (problem == null && intermediate.getExtensionValue(AUTHORITY_KEY_ID) == null) {
      problem = "authorityKeyIdentifier: missing (expected in every non-self-signed certificate)";
    }
    if (problem == null) {
      problem = subjectAltNameProblem(intermediate);
    }
    return problem;
  }

  static String unknownCriticalExtension(X509Certificate certificate) {
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical == null) {
      return null;
    }
    for (String oid : critical) {
      if (!KNOWN_CRITICAL.contains(oid)) {
        return "unknown critical extension " + oid;
      }
    }
    return null;
  }

  /** Platform key policy: RSA >= 2048 bits (multiple of 8), EC on P-256/P-384/P-521, EdDSA. */
  static String keyStrengthProblem(PublicKey key) {
    if (key instanceof RSAKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048 || bits % 8 != 0) {
        return "RSA key: " + bits + " bits (expected: >= 2048, a multiple of 8)";
      }
      return null;
    }
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits != 256 && bits != 384 && bits != 521 || !isNamedCurve(key)) {
        return "EC key: " + bits + "-bit or explicit curve (expected: named P-256, P-384, P-521)";
      }
      return null;
    }
    if (key instanceof DSAKey) {
      return "DSA key (expected: Ed25519, ECDSA or RSA)";
    }
    return null;
  }

  static boolean isCritical(X509Certificate certificate, String oid) {
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    return critical != null && critical.contains(oid);
  }

  static boolean isSelfIssued(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
  }

  private static String subjectAltNameProblem(X509Certificate certificate) {
    Collection<java.util.List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return "subjectAltName: malformed (" + e.getMessage() + ")";
    }
    boolean emptySubject = certificate.getSubjectX500Principal().getEncoded().length <= 2;
    if (emptySubject && (names == null || !isCritical(certificate, SUBJECT_ALT_NAME))) {
      return "subject empty and subjectAltName "
          + (names == null ? "missing" : "non-critical")
          + " (expected: critical subjectAltName)";
    }
    if (!emptySubject && isCritical(certificate, SUBJECT_ALT_NAME)) {
      return "subjectAltName: critical with a non-empty subject (expected: non-critical)";
    }
    return GeneralNameSyntax.subjectAltNameProblem(certificate, true);
  }

  private static String selfSignedAuthorityKeyIdProblem(X509Certificate anchor) {
    byte[] akiValue = anchor.getExtensionValue(AUTHORITY_KEY_ID);
    if (akiValue == null || !isSelfIssued(anchor)) {
      return null;
    }
    try {
      var aki =
          AuthorityKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(akiValue));
      if (aki.getKeyIdentifierObject() == null) {
        return "authorityKeyIdentifier: no keyIdentifier";
      }
      if (aki.getAuthorityCertIssuer() != null || aki.getAuthorityCertSerialNumber() != null) {
        return "authorityKeyIdentifier: authorityCertIssuer/SerialNumber in a self-signed CA";
      }
      byte[] skiValue = anchor.getExtensionValue(SUBJECT_KEY_ID);
      byte[] ski =
          SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(skiValue))
              .getKeyIdentifier();
      if (!java.util.Arrays.equals(ski, aki.getKeyIdentifierObject().getOctets())) {
        return "authorityKeyIdentifier: keyIdentifier differs from subjectKeyIdentifier";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "authorityKeyIdentifier: malformed (" + e.getMessage() + ")";
    }
  }

  private static boolean signatureAlgorithmsAgree(X509Certificate certificate) {
    try {
      var parsed = org.bouncycastle.asn1.x509.Certificate.getInstance(certificate.getEncoded());
      return parsed.getSignatureAlgorithm().equals(parsed.getTBSCertificate().getSignature());
    } catch (CertificateEncodingException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isNamedCurve(PublicKey key) {
    try {
      var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.getEncoded());
      var parameters = spki.getAlgorithm().getParameters();
      return parameters instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs {@link #commonProblem}, {@link #intermediateProblem} and {@link #leafProblem} on each
   * certificate of a candidate path while the JDK builds it, so a path that fails them is abandoned
   * and the builder tries the next candidate.
   */
  static final class PathChecker extends PKIXCertPathChecker {
    private final X509Certificate leaf;

    PathChecker(X509Certificate leaf) {
      this.leaf = leaf;
    }

    @Override
    public void init(boolean forward) throws CertPathValidatorException {
      if (forward) {
        throw new CertPathValidatorException("forward checking not supported");
      }
    }

    @Override
    public boolean isForwardCheckingSupported() {
      return false;
    }

    @Override
    public Set<String> getSupportedExtensions() {
      return null;
    }

    @Override
    public void check(Certificate certificate, Collection<String> unresolvedCriticalExtensions)
        throws CertPathValidatorException {
      X509Certificate x509 = (X509Certificate) certificate;
      String problem = commonProblem(x509);
      if (problem == null) {
        problem = serialProblem(x509);
      }
      if (problem == null) {
        problem = x509.equals(leaf) ? leafProblem(x509) : intermediateProblem(x509);
      }
      if (problem != null) {
        throw new CertPathValidatorException(ChainValidator.subjectOf(x509) + ": " + problem);
      }
    }
  }
}

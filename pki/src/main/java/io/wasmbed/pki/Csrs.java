package io.wasmbed.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 certificate signing requests: devices create them, the CA parses and verifies them. */
public final class Csrs {
  private Csrs() {}

  /** A DER CSR with subject {@code CN=commonName}, signed by {@code keyPair}'s private key. */
  public static byte[] create(KeyPair keyPair, String commonName) {
    requireCommonName(commonName);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    KeyAlgorithm algorithm = Keys.algorithmOf(keyPair.getPrivate());
    try {
      var signer =
          new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(keyPair.getPrivate());
      return new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
          .build(signer)
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new PkiException("cannot create CSR for " + commonName, e);
    }
  }

  /**
   * Parses a DER or PEM CSR and verifies its self-signature; a CSR that does not verify is refused
   * with a {@link PkiException}.
   */
  public static PKCS10CertificationRequest parse(byte[] derOrPem) {
    if (derOrPem == null || derOrPem.length == 0) {
      throw new PkiException("csr: empty (expected: DER or PEM PKCS#10 request)");
    }
    PKCS10CertificationRequest csr = isPem(derOrPem) ? parsePem(derOrPem) : parseDer(derOrPem);
    verify(csr);
    return csr;
  }

  public static PublicKey publicKey(PKCS10CertificationRequest csr) {
    try {
      return PublicKeys.fromSubjectPublicKeyInfo(csr.getSubjectPublicKeyInfo().getEncoded());
    } catch (IOException e) {
      throw new PkiException("csr: cannot encode public key", e);
    }
  }

  /** The subject's single common name, or {@code null} if it has none. */
  public static String commonName(PKCS10CertificationRequest csr) {
    RDN[] rdns = csr.getSubject().getRDNs(BCStyle.CN);
    if (rdns.length != 1 || rdns[0].isMultiValued()) {
      return null;
    }
    ASN1Encodable value = rdns[0].getFirst().getValue();
    return IETFUtils.valueToString(value);
  }

  static void requireCommonName(String commonName) {
    if (commonName == null
        || commonName.isBlank()
        || commonName.length() > 64
        || commonName.chars().anyMatch(Character::isISOControl)) {
      throw new PkiException(
          "commonName: '" + commonName + "' (expected: 1-64 printable characters)");
    }
  }

  private static void verify(PKCS10CertificationRequest csr) {
    boolean valid;
    try {
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey(csr)));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw new PkiException("csr " + csr.getSubject() + ": cannot verify signature: " + e, e);
    }
    if (!valid) {
      throw new PkiException(
          "csr " + csr.getSubject() + ": signature does not verify with the request's own key");
    }
  }

  private static boolean isPem(byte[] bytes) {
    return new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.US_ASCII)
        .stripLeading()
        .startsWith("-----BEGIN");
  }

  private static PKCS10CertificationRequest parsePem(byte[] pem) {
    return Pem.parseCsr(new String(pem, StandardCharsets.US_ASCII));
  }

  private static PKCS10CertificationRequest parseDer(byte[] der) {
    try {
      return new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new PkiException("csr: malformed DER PKCS#10 request: " + e.getMessage(), e);
    }
  }
}

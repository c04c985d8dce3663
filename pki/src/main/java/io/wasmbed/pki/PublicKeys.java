package io.wasmbed.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The textual device identity: base64url without padding of the DER SubjectPublicKeyInfo. The
 * gateway finds a Device by this string.
 */
public final class PublicKeys {
  private PublicKeys() {}

  public static String encode(PublicKey key) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getEncoded());
  }

  public static PublicKey decode(String encoded) {
    if (encoded == null || encoded.isBlank()) {
      throw new PkiException("publicKey: empty (expected: base64url SubjectPublicKeyInfo)");
    }
    byte[] der;
    try {
      der = Base64.getUrlDecoder().decode(encoded.strip());
    } catch (IllegalArgumentException e) {
      throw new PkiException(
          "publicKey: " + abbreviate(encoded) + " (expected: base64url without padding)", e);
    }
    return fromSubjectPublicKeyInfo(der);
  }

  /** A JDK public key from DER SubjectPublicKeyInfo (Ed25519, EC, RSA, RSASSA-PSS). */
  static PublicKey fromSubjectPublicKeyInfo(byte[] der) {
    ASN1ObjectIdentifier oid;
    try {
      oid = SubjectPublicKeyInfo.getInstance(der).getAlgorithm().getAlgorithm();
    } catch (RuntimeException e) {
      throw new PkiException("publicKey: not a DER SubjectPublicKeyInfo", e);
    }
    String algorithm = jcaAlgorithm(oid);
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new PkiException("publicKey: invalid " + algorithm + " key", e);
    }
  }

  private static String jcaAlgorithm(ASN1ObjectIdentifier oid) {
    if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      return "Ed25519";
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      return "EC";
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
      return "RSA";
    }
    if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid)) {
      return "RSASSA-PSS";
    }
    throw new PkiException(
        "publicKey algorithm: " + oid + " (expected: Ed25519, EC, RSA or RSASSA-PSS)");
  }

  private static String abbreviate(String text) {
    return text.length() <= 16 ? text : text.substring(0, 16) + "...";
  }
}

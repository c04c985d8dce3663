package io.wasmbed.pki;

/** Key algorithms Wasmbed issues and accepts for device and server keys. */
public enum KeyAlgorithm {
  /** Ed25519 (RFC 8410), the default for devices and CAs. */
  ED25519("Ed25519", "Ed25519"),
  /** ECDSA on NIST P-256 with SHA-256. */
  ECDSA_P256("EC", "SHA256withECDSA");

  private final String jcaName;
  private final String signatureAlgorithm;

  KeyAlgorithm(String jcaName, String signatureAlgorithm) {
    this.jcaName = jcaName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The default algorithm: {@link #ED25519}. */
  public static KeyAlgorithm defaultAlgorithm() {
    return ED25519;
  }

  /** The JCA key algorithm name ({@code Ed25519} or {@code EC}). */
  public String jcaName() {
    return jcaName;
  }

  /** The JCA signature algorithm used when this key signs certificates, CSRs and CRLs. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }
}

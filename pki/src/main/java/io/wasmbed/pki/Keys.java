package io.wasmbed.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Key generation and storage. Private keys are PKCS#8 PEM files ({@code -----BEGIN PRIVATE
 * KEY-----}) readable by the owner only; reading refuses files that group or others can access.
 */
public final class Keys {
  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private Keys() {}

  /** A fresh {@link KeyAlgorithm#ED25519} key pair. */
  public static KeyPair generate() {
    return generate(KeyAlgorithm.ED25519);
  }

  public static KeyPair generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.jcaName());
      if (algorithm == KeyAlgorithm.ECDSA_P256) {
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot generate " + algorithm + " key pair", e);
    }
  }

  /**
   * Writes {@code key} as PKCS#8 PEM. The file is created owner-only (rw-------) from the start in
   * the target directory and moved into place atomically, so no reader ever sees a partial or
   * group-readable key.
   */
  public static void writePrivateKey(Path file, PrivateKey key) {
    StringWriter text = new StringWriter();
    try (PemWriter writer = new PemWriter(text)) {
      writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
    } catch (IOException e) {
      throw new PkiException("cannot encode private key for " + file, e);
    }
    SecureFiles.writeOwnerOnly(file, text.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a PKCS#8 (or OpenSSL "EC PRIVATE KEY") PEM private key. Refuses files with group or other
   * permissions.
   */
  public static PrivateKey readPrivateKey(Path file) {
    requireOwnerOnly(file);
    try {
      return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new PkiException("cannot read private key " + file, e);
    } catch (PkiException e) {
      throw new PkiException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a PEM private key (PKCS#8 {@code PRIVATE KEY} or {@code EC PRIVATE KEY}). */
  public static PrivateKey parsePrivateKey(String pem) {
    PrivateKeyInfo info = privateKeyInfo(pem);
    String algorithm = jcaAlgorithm(info);
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("invalid " + algorithm + " private key", e);
    }
  }

  /** Derives the public key of an Ed25519 or EC private key. */
  public static PublicKey publicKey(PrivateKey key) {
    try {
      AsymmetricKeyParameter parameters = PrivateKeyFactory.createKey(key.getEncoded());
      AsymmetricKeyParameter publicParameters;
      if (parameters instanceof Ed25519PrivateKeyParameters ed) {
        publicParameters = ed.generatePublicKey();
      } else if (parameters instanceof ECPrivateKeyParameters ec) {
        var domain = ec.getParameters();
        publicParameters =
            new ECPublicKeyParameters(domain.getG().multiply(ec.getD()).normalize(), domain);
      } else {
        throw new PkiException(
            "key algorithm: " + key.getAlgorithm() + " (expected: Ed25519 or EC)");
      }
      byte[] spki =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicParameters).getEncoded();
      return PublicKeys.fromSubjectPublicKeyInfo(spki);
    } catch (IOException e) {
      throw new PkiException("cannot derive public key from " + key.getAlgorithm() + " key", e);
    }
  }

  /** Reads a private key file and derives its public key. */
  public static KeyPair readKeyPair(Path file) {
    PrivateKey key = readPrivateKey(file);
    return new KeyPair(publicKey(key), key);
  }

  /** The {@link KeyAlgorithm} of an Ed25519 or EC (P-256) key. */
  public static KeyAlgorithm algorithmOf(Key key) {
    if (key instanceof EdECKey ed && "Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
      return KeyAlgorithm.ED25519;
    }
    if (key instanceof ECKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
      return KeyAlgorithm.ECDSA_P256;
    }
    throw new PkiException(
        "key algorithm: " + key.getAlgorithm() + " (expected: Ed25519 or ECDSA P-256)");
  }

  /** Throws unless {@code file} exists and only its owner may access it. */
  public static void requireOwnerOnly(Path file) {
    if (!Files.exists(file)) {
      throw new PkiException("private key " + file + ": does not exist");
    }
    Set<PosixFilePermission> permissions = SecureFiles.posixPermissions(file);
    if (permissions == null) {
      return;
    }
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(permissions);
    extra.retainAll(GROUP_OR_OTHER);
    if (!extra.isEmpty()) {
      throw new PkiException(
          "private key "
              + file
              + ": permissions "
              + SecureFiles.describe(permissions)
              + " (expected: owner only, rw-------; run chmod 600)");
    }
  }

  private static PrivateKeyInfo privateKeyInfo(String pem) {
    try (Reader reader = new StringReader(pem);
        PEMParser parser = new PEMParser(reader)) {
      Object object = parser.readObject();
      if (object instanceof PrivateKeyInfo info) {
        return info;
      }
      if (object instanceof PEMKeyPair pair) {
        return pair.getPrivateKeyInfo();
      }
      throw new PkiException(
          "PEM object: "
              + (object == null ? "none" : object.getClass().getSimpleName())
              + " (expected: an unencrypted PRIVATE KEY)");
    } catch (IOException e) {
      throw new PkiException("malformed PEM private key", e);
    }
  }

  private static String jcaAlgorithm(PrivateKeyInfo info) {
    var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      return "Ed25519";
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      return "EC";
    }
    throw new PkiException("private key algorithm: " + oid + " (expected: Ed25519 or EC)");
  }
}

package io.wasmbed.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM text and files for certificates, CRLs and CSRs (never private keys: see {@link Keys}). */
public final class Pem {
  private Pem() {}

  public static String encode(X509Certificate certificate) {
    return encode(List.of(certificate));
  }

  public static String encode(List<X509Certificate> certificates) {
    return write(certificates.toArray());
  }

  public static String encode(X509CRL crl) {
    return write(crl);
  }

  public static String encode(PKCS10CertificationRequest csr) {
    return write(csr);
  }

  /** All certificates in {@code pem}, in order; throws if it holds anything else or nothing. */
  public static List<X509Certificate> parseCertificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object object : readAll(pem)) {
      if (!(object instanceof X509CertificateHolder holder)) {
        throw unexpected(object, "CERTIFICATE");
      }
      certificates.add(certificate(encoded(holder)));
    }
    if (certificates.isEmpty()) {
      throw new PkiException("PEM: no CERTIFICATE block found");
    }
    return List.copyOf(certificates);
  }

  public static X509CRL parseCrl(String pem) {
    List<Object> objects = readAll(pem);
    if (objects.size() != 1 || !(objects.get(0) instanceof X509CRLHolder holder)) {
      throw unexpected(objects.isEmpty() ? null : objects.get(0), "exactly one X509 CRL");
    }
    return crl(encoded(holder));
  }

  public static PKCS10CertificationRequest parseCsr(String pem) {
    List<Object> objects = readAll(pem);
    if (objects.size() != 1 || !(objects.get(0) instanceof PKCS10CertificationRequest csr)) {
      throw unexpected(
          objects.isEmpty() ? null : objects.get(0), "exactly one CERTIFICATE REQUEST");
    }
    return csr;
  }

  public static void writeCertificates(Path file, List<X509Certificate> certificates) {
    SecureFiles.writeAtomically(file, encode(certificates).getBytes(StandardCharsets.US_ASCII));
  }

  public static List<X509Certificate> readCertificates(Path file) {
    return parseCertificates(read(file));
  }

  public static void writeCrl(Path file, X509CRL crl) {
    SecureFiles.writeAtomically(file, encode(crl).getBytes(StandardCharsets.US_ASCII));
  }

  public static X509CRL readCrl(Path file) {
    return parseCrl(read(file));
  }

  /** A JDK certificate from DER. */
  public static X509Certificate certificate(byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new PkiException("malformed X.509 certificate: " + e.getMessage(), e);
    }
  }

  /** A JDK CRL from DER. */
  public static X509CRL crl(byte[] der) {
    try {
      return (X509CRL)
          CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    } catch (CertificateException | CRLException e) {
      throw new PkiException("malformed X.509 CRL: " + e.getMessage(), e);
    }
  }

  private static String write(Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new PkiException("cannot PEM-encode " + objects.length + " object(s)", e);
    }
    return text.toString();
  }

  private static List<Object> readAll(String pem) {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      throw new PkiException("malformed PEM: " + e.getMessage(), e);
    }
    return objects;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new PkiException("cannot read " + file, e);
    }
  }

  private static byte[] encoded(X509CertificateHolder holder) {
    try {
      return holder.getEncoded();
    } catch (IOException e) {
      throw new PkiException("cannot encode certificate", e);
    }
  }

  private static byte[] encoded(X509CRLHolder holder) {
    try {
      return holder.getEncoded();
    } catch (IOException e) {
      throw new PkiException("cannot encode CRL", e);
    }
  }

  private static PkiException unexpected(Object object, String expected) {
    String actual = object == null ? "nothing" : object.getClass().getSimpleName();
    return new PkiException("PEM: found " + actual + " (expected: " + expected + ")");
  }
}

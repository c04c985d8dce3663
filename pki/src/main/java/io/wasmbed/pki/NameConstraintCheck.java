package io.wasmbed.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.util.IPAddress;

/**
 * Applies the path's name constraints to the peer name itself. The JDK checks constraints against
 * the names in the certificate; a wildcard SAN such as {@code *.example.com} passes an exclusion of
 * {@code bar.example.com} there, yet must not authenticate {@code bar.example.com}
 * (CVE-2025-61727).
 */
final class NameConstraintCheck {
  private NameConstraintCheck() {}

  /** Null if every CA on {@code path} permits {@code peerName}, else the reason. */
  static String peerNameProblem(List<X509Certificate> path, String peerName) {
    boolean ip = IPAddress.isValid(peerName);
    int type = ip ? GeneralName.iPAddress : GeneralName.dNSName;
    for (X509Certificate ca : path.subList(1, path.size())) {
      byte[] der = CertificateProfile.nameConstraintsDer(ca);
      if (der == null) {
        continue;
      }
      NameConstraints constraints = NameConstraints.getInstance(der);
      if (matchesAny(constraints.getExcludedSubtrees(), type, peerName)) {
        return "peer name "
            + peerName
            + " excluded by name constraints of "
            + ChainValidator.subjectOf(ca);
      }
      GeneralSubtree[] permitted = constraints.getPermittedSubtrees();
      if (hasType(permitted, type) && !matchesAny(permitted, type, peerName)) {
        return "peer name "
            + peerName
            + " not permitted by name constraints of "
            + ChainValidator.subjectOf(ca);
      }
    }
    return null;
  }

  /**
   * Applies the name constraints of the path's trust anchor (last element) to the subject and
   * subjectAltName of every certificate below it (self-issued intermediates excepted, RFC 5280
   * 6.1.3 b), using BouncyCastle's {@link PKIXNameConstraintValidator}. Null if they pass.
   */
  static String anchorConstraintsProblem(List<X509Certificate> path) {
    X509Certificate anchor = path.get(path.size() - 1);
    byte[] der = CertificateProfile.nameConstraintsDer(anchor);
    if (der == null) {
      return null;
    }
    try {
      NameConstraints constraints = NameConstraints.getInstance(der);
      PKIXNameConstraintValidator validator = new PKIXNameConstraintValidator();
      if (constraints.getPermittedSubtrees() != null) {
        validator.intersectPermittedSubtree(constraints.getPermittedSubtrees());
      }
      if (constraints.getExcludedSubtrees() != null) {
        for (GeneralSubtree subtree : constraints.getExcludedSubtrees()) {
          validator.addExcludedSubtree(subtree);
        }
      }
      for (int i = 0; i < path.size() - 1; i++) {
        X509Certificate certificate = path.get(i);
        if (i > 0 && CertificateProfile.isSelfIssued(certificate)) {
          continue;
        }
        checkNames(validator, certificate);
      }
      return null;
    } catch (NameConstraintValidatorException | IOException | RuntimeException e) {
      return "name constraints of trust anchor "
          + ChainValidator.subjectOf(anchor)
          + ": "
          + e.getMessage();
    }
  }

  private static void checkNames(PKIXNameConstraintValidator validator, X509Certificate cert)
      throws NameConstraintValidatorException, IOException {
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    if (subject.getRDNs().length > 0) {
      validator.checkPermittedDN(subject);
      validator.checkExcludedDN(subject);
    }
    byte[] san = cert.getExtensionValue(CertificateProfile.SUBJECT_ALT_NAME);
    if (san == null) {
      return;
    }
    GeneralNames names = GeneralNames.getInstance(JcaX509ExtensionUtils.parseExtensionValue(san));
    for (GeneralName name : names.getNames()) {
      validator.checkPermitted(name);
      validator.checkExcluded(name);
    }
  }

  private static boolean hasType(GeneralSubtree[] subtrees, int type) {
    if (subtrees != null) {
      for (GeneralSubtree subtree : subtrees) {
        if (subtree.getBase().getTagNo() == type) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matchesAny(GeneralSubtree[] subtrees, int type, String peerName) {
    if (subtrees == null) {
      return false;
    }
    for (GeneralSubtree subtree : subtrees) {
      GeneralName base = subtree.getBase();
      if (base.getTagNo() != type) {
        continue;
      }
      boolean match =
          type == GeneralName.dNSName
              ? dnsWithin(peerName, ((ASN1String) base.getName()).getString())
              : ipWithin(peerName, ASN1OctetString.getInstance(base.getName()).getOctets());
      if (match) {
        return true;
      }
    }
    return false;
  }

  private static boolean dnsWithin(String host, String constraint) {
    String h = host.toLowerCase(Locale.ROOT);
    String c = constraint.toLowerCase(Locale.ROOT);
    if (c.isEmpty()) {
      return true;
    }
    return h.equals(c) || h.endsWith(c.startsWith(".") ? c : "." + c);
  }

  private static boolean ipWithin(String address, byte[] addressAndMask) {
    byte[] peer;
    try {
      peer = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return false;
    }
    if (addressAndMask.length != peer.length * 2) {
      return false;
    }
    for (int i = 0; i < peer.length; i++) {
      byte mask = addressAndMask[peer.length + i];
      if ((peer[i] & mask) != (addressAndMask[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}

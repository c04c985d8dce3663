package io.wasmbed.pki;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Syntax of DNS names, IP addresses and mailboxes in subjectAltName entries and name-constraint
 * subtrees (RFC 5280 4.2.1.6 and 4.2.1.10): names that are not well formed are refused rather than
 * matched in some implementation-defined way.
 */
final class GeneralNameSyntax {
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern LOCAL_PART = Pattern.compile("[^@\\s]+");

  private GeneralNameSyntax() {}

  /** Null if every SAN entry of {@code certificate} is well formed. */
  static String subjectAltNameProblem(X509Certificate certificate, boolean allowWildcard) {
    byte[] value = certificate.getExtensionValue(CertificateProfile.SUBJECT_ALT_NAME);
    if (value == null) {
      return null;
    }
    GeneralNames names;
    try {
      names = GeneralNames.getInstance(JcaX509ExtensionUtils.parseExtensionValue(value));
    } catch (IOException | RuntimeException e) {
      return "subjectAltName: malformed (" + e.getMessage() + ")";
    }
    for (GeneralName name : names.getNames()) {
      String problem = sanEntryProblem(name, allowWildcard);
      if (problem != null) {
        return "subjectAltName: " + problem;
      }
    }
    return null;
  }

  /** Null if every subtree in {@code constraints} is well formed. */
  static String subtreesProblem(NameConstraints constraints) {
    for (GeneralSubtree[] subtrees :
        new GeneralSubtree[][] {
          constraints.getPermittedSubtrees(), constraints.getExcludedSubtrees()
        }) {
      if (subtrees == null) {
        continue;
      }
      for (GeneralSubtree subtree : subtrees) {
        if (subtree.getMinimum().signum() != 0 || subtree.getMaximum() != null) {
          return "subtree minimum/maximum set (expected: minimum 0, no maximum)";
        }
        String problem = subtreeBaseProblem(subtree.getBase());
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  /** Counts subtrees, for bounding name-constraint work. */
  static int subtreeCount(NameConstraints constraints) {
    int permitted =
        constraints.getPermittedSubtrees() == null ? 0 : constraints.getPermittedSubtrees().length;
    int excluded =
        constraints.getExcludedSubtrees() == null ? 0 : constraints.getExcludedSubtrees().length;
    return permitted + excluded;
  }

  private static String sanEntryProblem(GeneralName name, boolean allowWildcard) {
    switch (name.getTagNo()) {
      case GeneralName.dNSName:
        String dns = string(name);
        return isDnsName(dns, allowWildcard) ? null : "invalid dNSName '" + dns + "'";
      case GeneralName.iPAddress:
        int length = ASN1OctetString.getInstance(name.getName()).getOctets().length;
        return length == 4 || length == 16 ? null : "iPAddress of " + length + " octets";
      case GeneralName.rfc822Name:
        String mailbox = string(name);
        return isMailbox(mailbox) ? null : "invalid rfc822Name '" + mailbox + "'";
      default:
        return null;
    }
  }

  private static String subtreeBaseProblem(GeneralName base) {
    switch (base.getTagNo()) {
      case GeneralName.dNSName:
        String dns = string(base);
        return dns.isEmpty() || isDnsName(dns, false)
            ? null
            : "nameConstraints: invalid dNSName subtree '" + dns + "'";
      case GeneralName.iPAddress:
        byte[] octets = ASN1OctetString.getInstance(base.getName()).getOctets();
        return (octets.length == 8 || octets.length == 32) && contiguousMask(octets)
            ? null
            : "nameConstraints: invalid iPAddress subtree";
      case GeneralName.rfc822Name:
        String mail = string(base);
        boolean valid =
            mail.contains("@")
                ? isMailbox(mail)
                : isDnsName(mail.startsWith(".") ? mail.substring(1) : mail, false);
        return valid ? null : "nameConstraints: invalid rfc822Name subtree '" + mail + "'";
      default:
        return null;
    }
  }

  static boolean isDnsName(String name, boolean allowWildcard) {
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    String[] labels = name.split("\\.", -1);
    int start = allowWildcard && labels.length > 2 && labels[0].equals("*") ? 1 : 0;
    for (int i = start; i < labels.length; i++) {
      if (!LABEL.matcher(labels[i]).matches()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isMailbox(String mailbox) {
    int at = mailbox.indexOf('@');
    return at > 0
        && at == mailbox.lastIndexOf('@')
        && LOCAL_PART.matcher(mailbox.substring(0, at)).matches()
        && isDnsName(mailbox.substring(at + 1), false);
  }

  private static boolean contiguousMask(byte[] addressAndMask) {
    boolean zeroSeen = false;
    for (int i = addressAndMask.length / 2; i < addressAndMask.length; i++) {
      for (int bit = 7; bit >= 0; bit--) {
        boolean one = (addressAndMask[i] >> bit & 1) == 1;
        if (one && zeroSeen) {
          return false;
        }
        zeroSeen |= !one;
      }
    }
    return true;
  }

  private static String string(GeneralName name) {
    return ((ASN1String) name.getName()).getString();
  }
}

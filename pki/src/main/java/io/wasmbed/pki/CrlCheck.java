package io.wasmbed.pki;

import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Revocation against caller-supplied CRLs (complete CRLs only, no delta CRLs or distribution
 * points). A CRL whose issuer name matches a certificate's issuer must verify with that issuer's
 * key, be current, carry a non-critical CRLNumber and have no unknown critical extensions;
 * otherwise validation fails closed. A certificate without any CRL from its issuer is not checked.
 */
final class CrlCheck {
  private static final String CRL_NUMBER = Extension.cRLNumber.getId();
  private static final Set<String> KNOWN_CRITICAL =
      Set.of(Extension.issuingDistributionPoint.getId(), Extension.deltaCRLIndicator.getId());
  private static final int CRL_SIGN = 6;

  private CrlCheck() {}

  /** The first revocation problem along {@code path} (leaf first, anchor last), or null. */
  static String firstProblem(List<X509Certificate> path, List<X509CRL> crls, Instant time) {
    for (int i = 0; i + 1 < path.size(); i++) {
      X509Certificate certificate = path.get(i);
      X509Certificate issuer = path.get(i + 1);
      for (X509CRL crl : crls) {
        if (!crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal())) {
          continue;
        }
        String problem = crlProblem(crl, issuer, time);
        if (problem == null) {
          problem = revocationOf(certificate, crl);
        }
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  private static String crlProblem(X509CRL crl, X509Certificate issuer, Instant time) {
    String name = "CRL of " + crl.getIssuerX500Principal().getName();
    boolean[] usage = issuer.getKeyUsage();
    if (usage != null && !usage[CRL_SIGN]) {
      return name + ": issuer keyUsage lacks cRLSign";
    }
    try {
      crl.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException e) {
      return name + ": signature does not verify with the issuer key";
    }
    Set<String> critical = crl.getCriticalExtensionOIDs();
    if (critical != null && critical.contains(CRL_NUMBER)) {
      return name + ": CRLNumber critical (expected: non-critical)";
    }
    if (crl.getExtensionValue(CRL_NUMBER) == null) {
      return name + ": CRLNumber missing (expected per RFC 5280 5.2.3)";
    }
    if (critical != null) {
      for (String oid : critical) {
        if (!KNOWN_CRITICAL.contains(oid) || oid.equals(Extension.deltaCRLIndicator.getId())) {
          return name + ": unsupported critical extension " + oid;
        }
      }
    }
    Date at = Date.from(time);
    if (crl.getThisUpdate().after(at)) {
      return name + ": thisUpdate " + crl.getThisUpdate().toInstant() + " after " + time;
    }
    if (crl.getNextUpdate() != null && crl.getNextUpdate().before(at)) {
      return name + ": stale, nextUpdate " + crl.getNextUpdate().toInstant() + " before " + time;
    }
    return null;
  }

  private static String revocationOf(X509Certificate certificate, X509CRL crl) {
    X509CRLEntry entry = crl.getRevokedCertificate(certificate.getSerialNumber());
    if (entry == null) {
      return null;
    }
    if (entry.getCriticalExtensionOIDs() != null && !entry.getCriticalExtensionOIDs().isEmpty()) {
      return "CRL entry for serial "
          + certificate.getSerialNumber().toString(16)
          + ": unsupported critical entry extension "
          + entry.getCriticalExtensionOIDs();
    }
    return "certificate "
        + ChainValidator.subjectOf(certificate)
        + " serial "
        + certificate.getSerialNumber().toString(16)
        + " revoked at "
        + entry.getRevocationDate().toInstant();
  }
}

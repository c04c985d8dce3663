package io.wasmbed.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.util.IPAddress;

/**
 * Matches a peer name against a certificate's subjectAltName (RFC 6125 / RFC 9525): DNS names
 * case-insensitively, a wildcard only as the whole left-most label of a name with at least three
 * labels; IP addresses only against iPAddress entries, by value. The subject CN is never used.
 */
final class PeerNames {
  private static final int DNS = 2;
  private static final int IP = 7;

  private PeerNames() {}

  /** Null if {@code peerName} matches a SAN entry of {@code leaf}, else the reason. */
  static String mismatch(X509Certificate leaf, String peerName) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return "subjectAltName: malformed (" + e.getMessage() + ")";
    }
    if (names == null) {
      return "subjectAltName: missing (expected an entry for " + peerName + ")";
    }
    boolean ip = IPAddress.isValid(peerName);
    List<String> candidates = new ArrayList<>();
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      if (ip && type == IP && sameAddress(peerName, (String) name.get(1))) {
        return null;
      }
      if (!ip && type == DNS && dnsMatches((String) name.get(1), peerName)) {
        return null;
      }
      candidates.add(String.valueOf(name.get(1)));
    }
    return "subjectAltName: " + candidates + " (expected: an entry matching " + peerName + ")";
  }

  static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (!GeneralNameSyntax.isDnsName(h, false) || !GeneralNameSyntax.isDnsName(p, true)) {
      return false;
    }
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    int dot = h.indexOf('.');
    return dot > 0 && h.substring(dot).equals(p.substring(1));
  }

  private static boolean sameAddress(String a, String b) {
    try {
      if (!IPAddress.isValid(a) || !IPAddress.isValid(b)) {
        return false;
      }
      // Both are literals, so getByName parses them without any name lookup.
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

package io.wasmbed.pki;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * General X.509 path validation: builds a path from a leaf through untrusted intermediates to one
 * of the trust anchors with the JDK's PKIX {@link CertPathBuilder} (RFC 5280 signatures, validity,
 * basic constraints, path length, name constraints, policies, unknown critical extensions), with
 * JDK revocation disabled. On top of that it applies:
 *
 * <ul>
 *   <li>trust-anchor checks (the anchor must itself be a valid CA certificate at the time);
 *   <li>an RFC 5280 profile check of every path certificate ({@link CertificateProfile});
 *   <li>the required extended key usage and key usage of the leaf;
 *   <li>revocation from the supplied CRLs ({@link CrlCheck}), fail-closed on a broken CRL;
 *   <li>an optional peer name (DNS name or IP address) matched against the leaf's SAN.
 * </ul>
 */
public final class ChainValidator {
  /** id-kp-clientAuth. */
  public static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  /** id-kp-serverAuth. */
  public static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  /** anyExtendedKeyUsage. */
  public static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

  /**
   * Upper bound on name-constraint comparisons (subtrees x names) before any path is built, so a
   * hostile chain cannot make validation quadratic. Go's crypto/x509 uses the same figure.
   */
  public static final int MAX_NAME_CONSTRAINT_CHECKS = 250_000;

  /** Intermediates allowed when a request does not say (the JDK builder's own default). */
  public static final int DEFAULT_MAX_INTERMEDIATES = 5;

  private ChainValidator() {}

  /** Key usage bits, in the order of {@link X509Certificate#getKeyUsage()}. */
  public enum KeyUsageBit {
    DIGITAL_SIGNATURE,
    CONTENT_COMMITMENT,
    KEY_ENCIPHERMENT,
    DATA_ENCIPHERMENT,
    KEY_AGREEMENT,
    KEY_CERT_SIGN,
    CRL_SIGN,
    ENCIPHER_ONLY,
    DECIPHER_ONLY
  }

  /** What to validate and under which constraints; build with {@link #of} and the withers. */
  public record Request(
      X509Certificate leaf,
      List<X509Certificate> intermediates,
      List<X509Certificate> trustAnchors,
      Instant time,
      String requiredExtendedKeyUsage,
      Set<KeyUsageBit> requiredKeyUsage,
      List<X509CRL> crls,
      int maxIntermediates,
      String peerName) {
    public Request {
      Objects.requireNonNull(leaf, "leaf");
      // X.509 times have one-second resolution; compare at that resolution.
      time = Objects.requireNonNull(time, "time").truncatedTo(ChronoUnit.SECONDS);
      intermediates = intermediates == null ? List.of() : List.copyOf(intermediates);
      trustAnchors = trustAnchors == null ? List.of() : List.copyOf(trustAnchors);
      requiredKeyUsage =
          requiredKeyUsage == null || requiredKeyUsage.isEmpty()
              ? Set.of()
              : Set.copyOf(EnumSet.copyOf(requiredKeyUsage));
      crls = crls == null ? List.of() : List.copyOf(crls);
      if (maxIntermediates < 0) {
        throw new IllegalArgumentException(
            "maxIntermediates: " + maxIntermediates + " (expected: >= 0)");
      }
    }

    public static Request of(
        X509Certificate leaf,
        List<X509Certificate> intermediates,
        List<X509Certificate> trustAnchors,
        Instant time) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          null,
          Set.of(),
          List.of(),
          DEFAULT_MAX_INTERMEDIATES,
          null);
    }

    public Request withExtendedKeyUsage(String oid) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          oid,
          requiredKeyUsage,
          crls,
          maxIntermediates,
          peerName);
    }

    public Request withKeyUsage(Set<KeyUsageBit> bits) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          requiredExtendedKeyUsage,
          bits,
          crls,
          maxIntermediates,
          peerName);
    }

    public Request withCrls(List<X509CRL> list) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          requiredExtendedKeyUsage,
          requiredKeyUsage,
          list,
          maxIntermediates,
          peerName);
    }

    public Request withMaxIntermediates(int max) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          requiredExtendedKeyUsage,
          requiredKeyUsage,
          crls,
          max,
          peerName);
    }

    public Request withPeerName(String name) {
      return new Request(
          leaf,
          intermediates,
          trustAnchors,
          time,
          requiredExtendedKeyUsage,
          requiredKeyUsage,
          crls,
          maxIntermediates,
          name);
    }
  }

  /** The outcome: the path found (leaf first, anchor last), or the reason there is none. */
  public record Result(boolean valid, String reason, List<X509Certificate> path) {
    public Result {
      Objects.requireNonNull(reason, "reason");
      path = path == null ? List.of() : List.copyOf(path);
    }

    public static Result accepted(List<X509Certificate> path) {
      return new Result(true, "", path);
    }

    public static Result refused(String reason) {
      return new Result(false, reason, List.of());
    }
  }

  /** Validates with RFC 5280 defaults plus the given EKU (may be null) and CRLs. */
  public static Result validate(
      X509Certificate leaf,
      List<X509Certificate> intermediates,
      List<X509Certificate> trustAnchors,
      Instant time,
      String requiredExtendedKeyUsage,
      List<X509CRL> crls) {
    return validate(
        Request.of(leaf, intermediates, trustAnchors, time)
            .withExtendedKeyUsage(requiredExtendedKeyUsage)
            .withCrls(crls));
  }

  public static Result validate(Request request) {
    List<String> anchorRefusals = new ArrayList<>();
    Set<TrustAnchor> anchors = usableAnchors(request, anchorRefusals);
    if (anchors.isEmpty()) {
      return Result.refused("no usable trust anchor" + describe(anchorRefusals));
    }
    String budget = nameConstraintBudgetProblem(request);
    if (budget != null) {
      return Result.refused(budget);
    }
    String leafProblem = leafProblem(request);
    if (leafProblem != null) {
      return Result.refused(leafProblem);
    }

    List<X509Certificate> path;
    try {
      path = buildPathHonouringAnchorConstraints(request, anchors);
    } catch (CertPathBuilderException e) {
      return Result.refused(
          "no valid path to a trust anchor: " + rootMessage(e) + describe(anchorRefusals));
    } catch (GeneralSecurityException e) {
      return Result.refused("path building failed: " + e.getMessage());
    } catch (RuntimeException e) {
      // e.g. the JDK's UnsupportedOperationException for otherName name constraints
      return Result.refused("path building failed: unsupported input: " + e);
    }

    if (request.peerName() != null) {
      String excluded = NameConstraintCheck.peerNameProblem(path, request.peerName());
      if (excluded != null) {
        return Result.refused(excluded);
      }
    }

    String revocation = CrlCheck.firstProblem(path, request.crls(), request.time());
    if (revocation != null) {
      return Result.refused(revocation);
    }
    return Result.accepted(path);
  }

  /**
   * The JDK builder refuses trust anchors with name constraints and its validator never applies the
   * constraints inside an anchor certificate, so they are applied here to each built path; a path
   * whose anchor constraints fail is abandoned and building retried without that anchor.
   */
  private static List<X509Certificate> buildPathHonouringAnchorConstraints(
      Request request, Set<TrustAnchor> anchors) throws GeneralSecurityException {
    Set<TrustAnchor> remaining = new LinkedHashSet<>(anchors);
    while (true) {
      List<X509Certificate> path = buildPath(request, remaining);
      String problem = NameConstraintCheck.anchorConstraintsProblem(path);
      if (problem == null) {
        return path;
      }
      X509Certificate anchor = path.get(path.size() - 1);
      remaining.removeIf(a -> a.getTrustedCert().equals(anchor));
      if (remaining.isEmpty()) {
        throw new CertPathBuilderException(problem);
      }
    }
  }

  private static List<X509Certificate> buildPath(Request request, Set<TrustAnchor> anchors)
      throws GeneralSecurityException {
    X509CertSelector target = new X509CertSelector();
    target.setCertificate(request.leaf());
    PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(request.time()));
    parameters.setMaxPathLength(request.maxIntermediates());
    List<X509Certificate> pool = new ArrayList<>(request.intermediates());
    pool.add(request.leaf());
    parameters.addCertStore(
        CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
    parameters.addCertPathChecker(new CertificateProfile.PathChecker(request.leaf()));

    var result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
    List<X509Certificate> path = new ArrayList<>();
    result.getCertPath().getCertificates().forEach(c -> path.add((X509Certificate) c));
    path.add(result.getTrustAnchor().getTrustedCert());
    return path;
  }

  private static Set<TrustAnchor> usableAnchors(Request request, List<String> refusals) {
    Set<TrustAnchor> anchors = new LinkedHashSet<>();
    Set<X509Certificate> seen = new HashSet<>();
    for (X509Certificate anchor : request.trustAnchors()) {
      if (!seen.add(anchor)) {
        continue;
      }
      String problem = CertificateProfile.anchorProblem(anchor, request.time());
      if (problem == null) {
        anchors.add(new TrustAnchor(anchor, null));
      } else {
        refusals.add(anchor.getSubjectX500Principal() + ": " + problem);
      }
    }
    return anchors;
  }

  private static String nameConstraintBudgetProblem(Request request) {
    int subtrees = 0;
    List<X509Certificate> cas = new ArrayList<>(request.trustAnchors());
    cas.addAll(request.intermediates());
    for (X509Certificate ca : cas) {
      byte[] der = CertificateProfile.nameConstraintsDer(ca);
      if (der != null) {
        try {
          subtrees += GeneralNameSyntax.subtreeCount(NameConstraints.getInstance(der));
        } catch (RuntimeException e) {
          return "nameConstraints of " + subjectOf(ca) + ": malformed";
        }
      }
    }
    long names = 1;
    try {
      var san = request.leaf().getSubjectAlternativeNames();
      names += san == null ? 0 : san.size();
    } catch (CertificateParsingException e) {
      return "subjectAltName: malformed (" + e.getMessage() + ")";
    }
    long checks = subtrees * names;
    if (checks > MAX_NAME_CONSTRAINT_CHECKS) {
      return "name constraints: "
          + subtrees
          + " subtrees x "
          + names
          + " names = "
          + checks
          + " checks (expected: at most "
          + MAX_NAME_CONSTRAINT_CHECKS
          + ")";
    }
    return null;
  }

  /** Checks on the leaf alone that do not depend on the path. */
  private static String leafProblem(Request request) {
    X509Certificate leaf = request.leaf();
    String problem = extendedKeyUsageProblem(leaf, request.requiredExtendedKeyUsage());
    if (problem == null) {
      problem = keyUsageProblem(leaf, request.requiredKeyUsage());
    }
    if (problem == null && request.peerName() != null) {
      problem = PeerNames.mismatch(leaf, request.peerName());
    }
    return problem;
  }

  /** RFC 5280 4.2.1.12: absent EKU allows any purpose; present, it must list the purpose. */
  static String extendedKeyUsageProblem(X509Certificate leaf, String required) {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      return "extendedKeyUsage: malformed (" + e.getMessage() + ")";
    }
    if (usages != null && usages.isEmpty()) {
      return "extendedKeyUsage: empty (expected: at least one purpose)";
    }
    if (required == null || usages == null) {
      return null;
    }
    if (usages.contains(required) || usages.contains(ANY_EXTENDED_KEY_USAGE)) {
      return null;
    }
    return "extendedKeyUsage: " + usages + " (expected: " + required + ")";
  }

  static String keyUsageProblem(X509Certificate leaf, Set<KeyUsageBit> required) {
    boolean[] usage = leaf.getKeyUsage();
    if (usage == null || required.isEmpty()) {
      return null;
    }
    for (KeyUsageBit bit : required) {
      if (bit.ordinal() >= usage.length || !usage[bit.ordinal()]) {
        return "keyUsage: missing " + bit + " (expected: " + required + ")";
      }
    }
    return null;
  }

  static String describe(List<String> refusals) {
    return refusals.isEmpty() ? "" : " (refused anchors: " + String.join("; ", refusals) + ")";
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + cause.getMessage();
  }

  static boolean verifies(X509Certificate certificate, PublicKey issuerKey) {
    try {
      certificate.verify(issuerKey);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String subjectOf(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}

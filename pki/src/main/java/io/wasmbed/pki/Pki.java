package io.wasmbed.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform PKI under one directory:
 *
 * <pre>
 * pkiDir/device-ca.key|.crt|.revoked   Ed25519 CA that issues device client certificates
 * pkiDir/gateway-ca.key|.crt|.revoked  ECDSA P-256 CA that issues gateway server certificates
 * pkiDir/gateways/NAME.key|.crt        gateway server key (ECDSA P-256) and chain
 * </pre>
 *
 * <p>The gateway side uses ECDSA P-256 because the device only has to verify what the gateway
 * presents, and P-256 is what constrained TLS stacks (mbedTLS, wolfSSL, BearSSL, hardware crypto)
 * verify everywhere; Ed25519 certificate support in TLS clients is still patchy. Devices, whose
 * certificates only our gateway verifies, default to Ed25519.
 */
public final class Pki {
  public static final String DEVICE_CA = "device-ca";
  public static final String GATEWAY_CA = "gateway-ca";

  /** Gateway certificates are reissued when they would expire within this window. */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private static final Logger log = LoggerFactory.getLogger(Pki.class);

  private final Path dir;
  private final Clock clock;
  private final CertificateAuthority deviceCa;
  private final CertificateAuthority gatewayCa;

  private Pki(
      Path dir, Clock clock, CertificateAuthority deviceCa, CertificateAuthority gatewayCa) {
    this.dir = dir;
    this.clock = clock;
    this.deviceCa = deviceCa;
    this.gatewayCa = gatewayCa;
  }

  public static Pki loadOrCreate(Path pkiDir, Clock clock) {
    Objects.requireNonNull(pkiDir, "pkiDir");
    Objects.requireNonNull(clock, "clock");
    var deviceCa =
        CertificateAuthority.loadOrCreate(pkiDir, DEVICE_CA, KeyAlgorithm.ED25519, clock);
    var gatewayCa =
        CertificateAuthority.loadOrCreate(pkiDir, GATEWAY_CA, KeyAlgorithm.ECDSA_P256, clock);
    return new Pki(pkiDir, clock, deviceCa, gatewayCa);
  }

  public CertificateAuthority deviceCa() {
    return deviceCa;
  }

  public CertificateAuthority gatewayCa() {
    return gatewayCa;
  }

  /** A trust manager for device client certificates backed by the device CA's revocations. */
  public DeviceCertificateValidator deviceTrust() {
    return DeviceCertificateValidator.of(deviceCa, clock);
  }

  /**
   * The server credentials of gateway {@code gatewayName}: loaded if present, still issued by the
   * current gateway CA, covering {@code hostnames} and not within {@link #RENEW_BEFORE} of expiry;
   * otherwise a new key and certificate are created and stored. Chain: server certificate, gateway
   * CA.
   */
  public synchronized Credentials gatewayCredentials(String gatewayName, List<String> hostnames) {
    Csrs.requireCommonName(gatewayName);
    if (!gatewayName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new PkiException("gatewayName: '" + gatewayName + "' (expected: [A-Za-z0-9._-])");
    }
    List<String> names = List.copyOf(hostnames == null ? List.of() : hostnames);
    Path gateways = dir.resolve("gateways");
    Path keyFile = gateways.resolve(gatewayName + ".key");
    Path chainFile = gateways.resolve(gatewayName + ".crt");

    if (Files.exists(keyFile) && Files.exists(chainFile)) {
      Credentials existing = Credentials.load(keyFile, chainFile);
      String staleness = staleness(existing, names);
      if (staleness == null) {
        return existing;
      }
      log.info("Gateway {} certificate {}; issuing a new one", gatewayName, staleness);
    }

    SecureFiles.createPrivateDirectories(gateways);
    KeyPair pair = Keys.generate(KeyAlgorithm.ECDSA_P256);
    X509Certificate certificate =
        gatewayCa.issueServerCertificate(pair.getPublic(), gatewayName, names);
    Credentials created =
        new Credentials(pair.getPrivate(), List.of(certificate, gatewayCa.certificate()));
    created.save(keyFile, chainFile);
    return created;
  }

  private String staleness(Credentials credentials, List<String> hostnames) {
    X509Certificate leaf = credentials.certificate();
    Instant now = clock.instant();
    if (!ChainValidator.verifies(leaf, gatewayCa.certificate().getPublicKey())) {
      return "was not issued by the current gateway CA";
    }
    if (!leaf.getPublicKey().equals(Keys.publicKey(credentials.key()))) {
      return "does not match its key";
    }
    if (leaf.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
      return "expires at " + leaf.getNotAfter().toInstant();
    }
    if (!sanValues(leaf).containsAll(lowerCase(hostnames))) {
      return "does not cover hostnames " + hostnames;
    }
    return null;
  }

  private static Set<String> sanValues(X509Certificate certificate) {
    Set<String> values = new HashSet<>();
    try {
      var names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        names.forEach(n -> values.add(canonical(String.valueOf(n.get(1)))));
      }
    } catch (CertificateParsingException e) {
      return Set.of();
    }
    return values;
  }

  private static Set<String> lowerCase(List<String> hostnames) {
    Set<String> values = new HashSet<>();
    hostnames.forEach(h -> values.add(canonical(h)));
    return values;
  }

  /**
   * One spelling per name: lower case, and IPv6 literals in the JDK's long form, which is how
   * certificates report them ({@code ::1} is {@code 0:0:0:0:0:0:0:1}). Only literals with a colon
   * are parsed, so this never resolves a host name.
   */
  static String canonical(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.indexOf(':') < 0) {
      return lower;
    }
    try {
      return InetAddress.getByName(lower).getHostAddress();
    } catch (UnknownHostException e) {
      return lower;
    }
  }
}

package io.wasmbed.device;

import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's identity on disk: its private key, created on first run and reused ever after, and,
 * once enrolled, its certificate chain, the gateway CA it trusts and its name.
 *
 * <pre>
 * dataDir/
 *   device.key      PKCS#8 PEM, owner-only (rw-------) from creation
 *   device.crt      certificate chain PEM, leaf first
 *   gateway-ca.crt  CA that must have issued the gateway's server certificate
 *   device.name     the name the control plane enrolled the device under (written last)
 * </pre>
 */
public final class DeviceIdentity {

  public static final String KEY_FILE = "device.key";
  public static final String CHAIN_FILE = "device.crt";
  public static final String GATEWAY_CA_FILE = "gateway-ca.crt";
  public static final String NAME_FILE = "device.name";

  private static final Logger log = LoggerFactory.getLogger(DeviceIdentity.class);

  /** What enrollment gave the device. */
  private record Enrollment(String name, List<X509Certificate> chain, X509Certificate gatewayCa) {}

  private final Path dataDir;
  private final KeyPair keyPair;
  private volatile Enrollment enrollment;

  private DeviceIdentity(Path dataDir, KeyPair keyPair, Enrollment enrollment) {
    this.dataDir = dataDir;
    this.keyPair = keyPair;
    this.enrollment = enrollment;
  }

  /**
   * Loads the identity in {@code dataDir}, creating the directory and the device key on first run.
   * An existing key is always reused, whatever {@code algorithm} says: the key is the identity.
   */
  public static DeviceIdentity loadOrCreate(Path dataDir, KeyAlgorithm algorithm) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(algorithm, "algorithm");
    createOwnerOnlyDirectory(dataDir);
    Path keyFile = dataDir.resolve(KEY_FILE);
    KeyPair keyPair;
    if (Files.exists(keyFile)) {
      keyPair = Keys.readKeyPair(keyFile);
      log.debug("Device key in {} reused", keyFile);
    } else {
      keyPair = Keys.generate(algorithm);
      Keys.writePrivateKey(keyFile, keyPair.getPrivate());
      log.info("Device key created in {} ({})", keyFile, algorithm);
    }
    return new DeviceIdentity(dataDir, keyPair, loadEnrollment(dataDir, keyPair.getPublic()));
  }

  public Path dataDir() {
    return dataDir;
  }

  public PublicKey publicKey() {
    return keyPair.getPublic();
  }

  /** A DER PKCS#10 request for {@code deviceName}, signed with the device key. */
  public byte[] csr(String deviceName) {
    requireName(deviceName);
    return Csrs.create(keyPair, deviceName);
  }

  /**
   * Stores what enrollment returned. The leaf certificate must certify this device's key; the name
   * file is written last, so a crash midway leaves the device not enrolled rather than half.
   */
  public void install(String deviceName, List<X509Certificate> chain, X509Certificate gatewayCa) {
    requireName(deviceName);
    Objects.requireNonNull(gatewayCa, "gatewayCa");
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException(
          "chain: " + chain + " (expected: device certificate first, then its CA)");
    }
    requireOwnKey(chain.get(0), publicKey());
    Pem.writeCertificates(dataDir.resolve(CHAIN_FILE), chain);
    Pem.writeCertificates(dataDir.resolve(GATEWAY_CA_FILE), List.of(gatewayCa));
    writeAtomically(dataDir.resolve(NAME_FILE), deviceName + "\n");
    enrollment = new Enrollment(deviceName, List.copyOf(chain), gatewayCa);
    log.info("Device {} enrolled; identity stored in {}", deviceName, dataDir);
  }

  public boolean isEnrolled() {
    return enrollment != null;
  }

  public String deviceName() {
    return enrolled().name();
  }

  /** The device key with its certificate chain, for the TLS client. */
  public Credentials credentials() {
    return new Credentials(keyPair.getPrivate(), enrolled().chain());
  }

  public X509Certificate certificate() {
    return enrolled().chain().get(0);
  }

  public X509Certificate gatewayCa() {
    return enrolled().gatewayCa();
  }

  private Enrollment enrolled() {
    Enrollment current = enrollment;
    if (current == null) {
      throw new IllegalStateException(
          "device in " + dataDir + " is not enrolled (expected: " + NAME_FILE + " after install)");
    }
    return current;
  }

  private static Enrollment loadEnrollment(Path dataDir, PublicKey publicKey) {
    Path nameFile = dataDir.resolve(NAME_FILE);
    if (!Files.exists(nameFile)) {
      return null;
    }
    try {
      String name = Files.readString(nameFile, StandardCharsets.UTF_8).strip();
      List<X509Certificate> chain = Pem.readCertificates(dataDir.resolve(CHAIN_FILE));
      List<X509Certificate> gatewayCas = Pem.readCertificates(dataDir.resolve(GATEWAY_CA_FILE));
      requireName(name);
      if (chain.isEmpty() || gatewayCas.isEmpty()) {
        throw new IllegalStateException(
            "device identity in "
                + dataDir
                + " is incomplete (expected: certificates in "
                + CHAIN_FILE
                + " and "
                + GATEWAY_CA_FILE
                + ")");
      }
      requireOwnKey(chain.get(0), publicKey);
      return new Enrollment(name, chain, gatewayCas.get(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read device identity in " + dataDir, e);
    }
  }

  private static void requireOwnKey(X509Certificate leaf, PublicKey publicKey) {
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), publicKey.getEncoded())) {
      throw new IllegalArgumentException(
          "chain[0]: certificate for "
              + leaf.getSubjectX500Principal().getName()
              + " (expected: a certificate of this device's public key)");
    }
  }

  private static void requireName(String deviceName) {
    if (deviceName == null || deviceName.isBlank()) {
      throw new IllegalArgumentException(
          "deviceName: " + deviceName + " (expected: a non-blank device name)");
    }
  }

  private static void createOwnerOnlyDirectory(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        return;
      }
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create device data directory " + dir, e);
    }
  }

  private static void writeAtomically(Path file, String content) {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temporary, content, StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

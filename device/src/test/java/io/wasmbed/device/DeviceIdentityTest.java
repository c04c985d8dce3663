package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceIdentityTest {

  @TempDir Path dir;

  @Test
  void createsKeyOnceOwnerOnlyAndReusesItAfterReload() throws IOException {
    Path data = dir.resolve("dev");

    DeviceIdentity first = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ED25519);
    DeviceIdentity second = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ED25519);

    assertThat(second.publicKey().getEncoded()).isEqualTo(first.publicKey().getEncoded());
    assertThat(first.publicKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
    Path key = data.resolve(DeviceIdentity.KEY_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(first.isEnrolled()).isFalse();
  }

  @Test
  void keepsExistingKeyWhateverAlgorithmIsAskedLater() {
    Path data = dir.resolve("dev");
    DeviceIdentity ecdsa = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ECDSA_P256);

    DeviceIdentity reloaded = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ED25519);

    assertThat(reloaded.publicKey().getEncoded()).isEqualTo(ecdsa.publicKey().getEncoded());
  }

  @Test
  void csrCarriesNameAndDeviceKey() {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir, KeyAlgorithm.ED25519);

    var csr = Csrs.parse(identity.csr("dev-7"));

    assertThat(Csrs.commonName(csr)).isEqualTo("dev-7");
    assertThat(Csrs.publicKey(csr).getEncoded()).isEqualTo(identity.publicKey().getEncoded());
  }

  @Test
  void installedEnrollmentSurvivesReload() {
    Pki pki = Pki.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
    Path data = dir.resolve("dev");
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ED25519);
    var certificate = pki.deviceCa().issueDeviceCertificate(identity.csr("dev-1"), "dev-1");
    var chain = List.of(certificate, pki.deviceCa().certificate());

    identity.install("dev-1", chain, pki.gatewayCa().certificate());
    DeviceIdentity reloaded = DeviceIdentity.loadOrCreate(data, KeyAlgorithm.ED25519);

    assertThat(reloaded.isEnrolled()).isTrue();
    assertThat(reloaded.deviceName()).isEqualTo("dev-1");
    assertThat(reloaded.credentials().chain()).isEqualTo(chain);
    assertThat(reloaded.credentials().key().getEncoded())
        .isEqualTo(identity.credentials().key().getEncoded());
    assertThat(reloaded.gatewayCa()).isEqualTo(pki.gatewayCa().certificate());
    assertThat(data.resolve(DeviceIdentity.CHAIN_FILE)).exists();
    assertThat(data.resolve(DeviceIdentity.GATEWAY_CA_FILE)).exists();
  }

  @Test
  void refusesCertificateOfAnotherKey() {
    Pki pki = Pki.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
    DeviceIdentity other = DeviceIdentity.loadOrCreate(dir.resolve("other"), KeyAlgorithm.ED25519);
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir.resolve("dev"), KeyAlgorithm.ED25519);
    var foreign = pki.deviceCa().issueDeviceCertificate(other.csr("other"), "other");

    assertThatThrownBy(
            () -> identity.install("dev", List.of(foreign), pki.gatewayCa().certificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chain[0]")
        .hasMessageContaining("expected: a certificate of this device's public key");
    assertThat(identity.isEnrolled()).isFalse();
  }

  @Test
  void credentialsOfUnenrolledDeviceAreRefused() {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir, KeyAlgorithm.ED25519);

    assertThatThrownBy(identity::credentials)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not enrolled");
  }
}

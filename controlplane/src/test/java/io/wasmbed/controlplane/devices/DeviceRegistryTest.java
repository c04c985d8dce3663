package io.wasmbed.controlplane.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pem;
import io.wasmbed.pki.Pki;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import io.wasmbed.store.StoreException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceRegistryTest {

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path dir;
  private ResourceStore store;
  private Pki pki;
  private DeviceRegistry registry;

  @BeforeEach
  void setUp() {
    Clock clock = Clock.systemUTC();
    store = SqliteResourceStore.open(dir.resolve("store.db"), clock);
    pki = Pki.loadOrCreate(dir.resolve("pki"), clock);
    registry = new DeviceRegistry(store, pki, clock);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void issuesAClientCertificateChainingToTheDeviceCa() throws Exception {
    KeyPair key = Keys.generate();
    Enrollment enrollment =
        registry.register("sensor-1", Csrs.create(key, "sensor-1"), Map.of("zone", "a"), "esp32");

    X509Certificate certificate = enrollment.certificate();
    X509Certificate ca = pki.deviceCa().certificate();
    certificate.verify(ca.getPublicKey());
    assertThat(enrollment.chain()).hasSize(2).last().isEqualTo(ca);
    assertThat(certificate.getExtendedKeyUsage()).contains(CLIENT_AUTH);
    assertThat(certificate.getPublicKey()).isEqualTo(key.getPublic());
    assertThat(certificate.getSubjectX500Principal().getName()).contains("sensor-1");
    assertThat(enrollment.gatewayCa()).isEqualTo(pki.gatewayCa().certificate());

    Device stored = store.get(Kind.DEVICE, "sensor-1").orElseThrow();
    assertThat(stored.spec().publicKey()).isEqualTo(PublicKeys.encode(key.getPublic()));
    assertThat(stored.spec().deviceType()).isEqualTo("esp32");
    assertThat(stored.metadata().labels()).containsEntry("zone", "a");
    assertThat(stored.status().phase()).isEqualTo(Device.Phase.Enrolled);
    assertThat(new BigInteger(stored.status().certificate().serial(), 16))
        .isEqualTo(certificate.getSerialNumber());
    assertThat(stored.status().certificate().notAfter())
        .isEqualTo(certificate.getNotAfter().toInstant());
  }

  @Test
  void acceptsCsrAsPem() {
    KeyPair key = Keys.generate();
    String pem = Pem.encode(Csrs.parse(Csrs.create(key, "pem-device")));
    Enrollment enrollment =
        registry.register("pem-device", pem.getBytes(StandardCharsets.US_ASCII), null, null);
    assertThat(enrollment.certificate().getPublicKey()).isEqualTo(key.getPublic());
  }

  @Test
  void refusesATakenName() {
    registry.register("dup", Csrs.create(Keys.generate(), "dup"), Map.of(), null);
    byte[] other = Csrs.create(Keys.generate(), "dup");
    assertThatThrownBy(() -> registry.register("dup", other, Map.of(), null))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void refusesAKeyAnotherDeviceAlreadyHas() {
    KeyPair key = Keys.generate();
    registry.register("first", Csrs.create(key, "first"), Map.of(), null);
    assertThatThrownBy(() -> registry.register("second", Csrs.create(key, "second"), null, null))
        .isInstanceOf(ControlPlaneException.Conflict.class)
        .hasMessageContaining("'first'");
    assertThat(store.get(Kind.DEVICE, "second")).isEmpty();
  }

  @Test
  void refusesGarbageAndTamperedCsrs() {
    assertThatThrownBy(() -> registry.register("bad", new byte[] {1, 2, 3}, null, null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("csr: ");

    byte[] csr = Csrs.create(Keys.generate(), "tampered");
    csr[csr.length - 3] ^= 0x55; // inside the signature
    assertThatThrownBy(() -> registry.register("tampered", csr, null, null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("csr: ");
    assertThat(store.get(Kind.DEVICE, "tampered")).isEmpty();
  }

  @Test
  void refusesCsrForAnotherName() {
    byte[] csr = Csrs.create(Keys.generate(), "someone-else");
    assertThatThrownBy(() -> registry.register("me", csr, null, null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessage("csr: subject CN 'someone-else' (expected: CN 'me', the device's name)");
  }

  @Test
  void refusesBadNamesAndLabels() {
    byte[] csr = Csrs.create(Keys.generate(), "ok");
    assertThatThrownBy(() -> registry.register("Bad_Name", csr, null, null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("name: 'Bad_Name'");
    assertThatThrownBy(() -> registry.register("ok", csr, Map.of("zone", "no spaces"), null))
        .isInstanceOf(ControlPlaneException.Invalid.class)
        .hasMessageStartingWith("labels.zone:");
  }

  @Test
  void revokeRevokesTheCertificateAndMarksTheDevice() {
    Enrollment enrollment =
        registry.register("gone", Csrs.create(Keys.generate(), "gone"), null, null);
    Device revoked = registry.revoke("gone");

    assertThat(revoked.status().phase()).isEqualTo(Device.Phase.Revoked);
    assertThat(pki.deviceCa().isRevoked(enrollment.certificate().getSerialNumber())).isTrue();
    assertThat(registry.revoke("gone").status().phase()).isEqualTo(Device.Phase.Revoked);
  }

  @Test
  void deleteRevokesTheCertificateAndRemovesTheDevice() {
    Enrollment enrollment =
        registry.register("old", Csrs.create(Keys.generate(), "old"), null, null);
    assertThat(registry.delete("old")).isTrue();
    assertThat(store.get(Kind.DEVICE, "old")).isEmpty();
    assertThat(pki.deviceCa().isRevoked(enrollment.certificate().getSerialNumber())).isTrue();
    assertThat(registry.delete("old")).isFalse();
  }
}

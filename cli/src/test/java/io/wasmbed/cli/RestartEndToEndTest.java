package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wasmbed.device.DeviceAgent;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart of the embedded platform on the same data directory loses nothing. */
class RestartEndToEndTest {

  @TempDir Path dataDir;

  @Test
  void restartKeepsDevicesApplicationsKeysAndCertificates() throws Exception {
    byte[] deviceCa;
    byte[] gatewayCa;
    String adminKey;
    String digest;
    try (Fixture first = Fixture.start(dataDir)) {
      assertThat(first.platform.initialAdminKey()).isPresent();
      adminKey = first.platform.initialAdminKey().orElseThrow();
      first.devices(2);
      assertThat(
              first
                  .cli(
                      "app",
                      "deploy",
                      Fixture.example("temperature-monitor").toString(),
                      "--name",
                      "temp",
                      "--selector",
                      "fleet=e2e")
                  .exitCode())
          .isZero();
      first.awaitAppPhase("temp", Application.Phase.Running);
      digest = first.app("temp").spec().module().digest();
      deviceCa = first.platform.pki().deviceCa().certificate().getEncoded();
      gatewayCa = first.platform.pki().gatewayCa().certificate().getEncoded();
    }

    assertThat(Files.readString(dataDir.resolve("admin.key")).trim()).isEqualTo(adminKey);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve("admin.key"))))
        .isEqualTo("rw-------");

    try (Fixture second = Fixture.start(dataDir)) {
      assertThat(second.platform.initialAdminKey()).isEmpty();
      assertThat(second.platform.pki().deviceCa().certificate().getEncoded()).isEqualTo(deviceCa);
      assertThat(second.platform.pki().gatewayCa().certificate().getEncoded()).isEqualTo(gatewayCa);
      assertThat(second.device("device-01").status().certificate()).isNotNull();
      assertThat(second.app("temp").spec().module().digest()).isEqualTo(digest);

      Fixture.CliRun list = second.cli("device", "list");
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("device-01").contains("device-02");

      // The devices come back with the keys and certificates they got before the restart.
      DeviceAgent agent = second.connect(second.enroll("device-01"), Duration.ofSeconds(30));
      second.awaitDevicePhase("device-01", Device.Phase.Connected);
      assertThat(agent.connected()).isTrue();
      second.connect(second.enroll("device-02"), Duration.ofSeconds(30));
      second.awaitAppPhase("temp", Application.Phase.Running);
    }
  }
}

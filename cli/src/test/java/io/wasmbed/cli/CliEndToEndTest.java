package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.store.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as an operator uses it: the agent's registration flow and clear errors. */
class CliEndToEndTest extends RunningPlatformTest {

  @TempDir Path deviceDir;

  @Test
  void agentWithoutCertificateWritesCsrThenRegistersThroughTheCliAndConnects() throws Exception {
    Fixture.CliRun first = fixture.cli("agent", "--dir", deviceDir.toString(), "--name", "dev1");
    assertThat(first.exitCode()).isEqualTo(3);
    assertThat(first.out()).contains("device register dev1");
    assertThat(deviceDir.resolve("device.csr")).exists();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(deviceDir.resolve("device.key"))))
        .isEqualTo("rw-------");

    Fixture.CliRun register =
        fixture.cli(
            "device",
            "register",
            "dev1",
            "--csr",
            deviceDir.resolve("device.csr").toString(),
            "--label",
            "zone=lab",
            "--out",
            deviceDir.toString());
    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(DeviceIdentity.loadOrCreate(deviceDir, KeyAlgorithm.ED25519).isEnrolled()).isTrue();
    assertThat(fixture.device("dev1").metadata().labels()).containsEntry("zone", "lab");

    Thread agent =
        new Thread(
            () ->
                fixture.cli(
                    "agent",
                    "--dir",
                    deviceDir.toString(),
                    "--gateway",
                    fixture.platform.gatewayHost() + ":" + fixture.platform.gateway().port()));
    agent.start();
    try {
      fixture.awaitDevicePhase("dev1", Device.Phase.Connected);
      Fixture.CliRun list = fixture.cli("device", "list", "--selector", "zone=lab");
      assertThat(list.out()).contains("dev1").contains("Connected");
    } finally {
      agent.interrupt();
      agent.join(10_000);
    }
    fixture.awaitDevicePhase("dev1", Device.Phase.Disconnected);
  }

  @Test
  void agentRegistersItselfWithRegisterFlag() throws Exception {
    Thread agent =
        new Thread(
            () ->
                fixture.cli(
                    "agent",
                    "--dir",
                    deviceDir.toString(),
                    "--name",
                    "dev2",
                    "--register",
                    "--gateway",
                    fixture.platform.gatewayHost() + ":" + fixture.platform.gateway().port()));
    agent.start();
    try {
      fixture.awaitDevicePhase("dev2", Device.Phase.Connected);
    } finally {
      agent.interrupt();
      agent.join(10_000);
    }
  }

  @Test
  void badInputGivesOneLineErrorsAndNonZeroExitCodes() {
    Fixture.CliRun missing = fixture.cli("app", "deploy", "nope.wasm", "--name", "x", "--to", "a");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.wasm: no such file");

    Fixture.CliRun noTargets =
        fixture.cli("app", "deploy", Fixture.example("crc32").toString(), "--name", "x");
    assertThat(noTargets.exitCode()).isEqualTo(2);
    assertThat(noTargets.err()).contains("--to").contains("--selector");

    Fixture.CliRun badSelector =
        fixture.cli(
            "app",
            "deploy",
            Fixture.example("crc32").toString(),
            "--name",
            "x",
            "--selector",
            "foo");
    assertThat(badSelector.exitCode()).isEqualTo(2);
    assertThat(badSelector.err()).contains("'foo' (expected: key=value)");

    Fixture.CliRun notWasm = fixture.cli("app", "deploy", "pom.xml", "--name", "x", "--to", "a");
    assertThat(notWasm.exitCode()).isEqualTo(1);
    assertThat(notWasm.err()).startsWith("error: HTTP 400").doesNotContain("Exception");

    Fixture.CliRun badPolicy =
        fixture.cli(
            "app",
            "deploy",
            Fixture.example("crc32").toString(),
            "--name",
            "x",
            "--to",
            "a",
            "--restart",
            "Sometimes");
    assertThat(badPolicy.exitCode()).isEqualTo(1);
    assertThat(badPolicy.err()).contains("HTTP 400").contains("restartPolicy");

    Fixture.CliRun unknown = fixture.cli("app", "status", "ghost");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("HTTP 404").contains("ghost");

    Fixture.CliRun badDuration =
        fixture.cli(
            "app",
            "deploy",
            Fixture.example("crc32").toString(),
            "--name",
            "x",
            "--to",
            "a",
            "--tick",
            "soon");
    assertThat(badDuration.exitCode()).isEqualTo(2);
    assertThat(badDuration.err()).contains("soon").contains("expected");
  }

  @Test
  void namesAreEncodedSoAQueryInANameCannotActOnAnotherResource() {
    fixture.devices(1);

    Fixture.CliRun delete = fixture.cli("device", "delete", "device-01?really=no");

    assertThat(delete.exitCode()).isEqualTo(1);
    assertThat(delete.err()).contains("HTTP 400").contains("device-01?really=no");
    assertThat(fixture.platform.store().get(io.wasmbed.store.Kind.DEVICE, "device-01")).isPresent();
  }

  @Test
  void filesThatAreNotWhatTheyClaimAreRefusedLocally() throws Exception {
    Path junkKey = dataDir.resolve("junk.key");
    Files.write(junkKey, new byte[64 * 1024]);
    Fixture.CliRun junk = fixture.cli("device", "list", "--api-key-file", junkKey.toString());
    assertThat(junk.exitCode()).isEqualTo(2);
    assertThat(junk.err().strip().lines().count()).isEqualTo(1);

    DeviceIdentity.loadOrCreate(deviceDir, KeyAlgorithm.ED25519);
    Fixture.CliRun privateKeyAsCsr =
        fixture.cli(
            "device", "register", "dev9", "--csr", deviceDir.resolve("device.key").toString());
    assertThat(privateKeyAsCsr.exitCode()).isEqualTo(2);
    assertThat(privateKeyAsCsr.err()).contains("not a certificate signing request");
    assertThat(fixture.platform.store().get(io.wasmbed.store.Kind.DEVICE, "dev9")).isEmpty();
  }

  @Test
  void wrongApiKeyIsRefused() throws Exception {
    Path wrongKey = dataDir.resolve("wrong.key");
    Files.writeString(wrongKey, "wb_not_a_real_key");

    Fixture.CliRun run = fixture.cli("device", "list", "--api-key-file", wrongKey.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("HTTP 401");
  }
}

package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wasmbed.pki.Credentials;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Device.AppState;
import io.wasmbed.store.Kind;
import io.wasmbed.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayDeploymentTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  // The gateway treats modules as opaque bytes; the device validates them.
  private static final byte[] MODULE = "\0asm\1\0\0\0 module".getBytes(StandardCharsets.ISO_8859_1);
  private static final String DIGEST = ModuleSources.digestOf(MODULE);

  @TempDir Path dir;
  private GatewayFixture gw;

  @BeforeEach
  void startGateway() {
    gw = new GatewayFixture(dir, Duration.ofSeconds(90), Duration.ofMillis(1500));
  }

  @AfterEach
  void stopGateway() {
    gw.close();
  }

  private RawDevice connected(String name, Map<String, String> apps) {
    return connected(name, apps, true);
  }

  private RawDevice connected(String name, Map<String, String> apps, boolean acking) {
    Credentials creds = gw.register(name);
    RawDevice device = acking ? gw.introduceAcking(creds, apps) : gw.introduce(creds, apps);
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains(name));
    return device;
  }

  private void awaitApp(String device, String app, AppPhase phase) {
    await()
        .atMost(WAIT)
        .until(() -> gw.app(device, app).map(AppState::phase), p -> p.equals(Optional.of(phase)));
  }

  @Test
  void placedApplicationIsDeployedAndRecordedRunning() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));

      Envelope envelope = device.await(Message.Deploy.class, WAIT);
      Message.Deploy deploy = (Message.Deploy) envelope.message();
      assertThat(deploy.app()).isEqualTo("thermo");
      assertThat(deploy.digest()).isEqualTo(DIGEST);
      assertThat(deploy.module()).isEqualTo(MODULE);
      assertThat(deploy.config()).containsEntry("unit", "celsius");
      assertThat(envelope.messageId()).isEqualTo(1);
      awaitApp("sensor-1", "thermo", AppPhase.Running);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().digest()).isEqualTo(DIGEST);
      assertThat(gw.counter("wasmbed.gateway.deploys", "outcome", "running")).isEqualTo(1);
    }
  }

  @Test
  void applicationPlacedElsewhereIsNotDeployed() {
    try (RawDevice device = connected("sensor-1", Map.of());
        RawDevice other = connected("sensor-2", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-2"));

      awaitApp("sensor-2", "thermo", AppPhase.Running);
      assertThat(other.received).anyMatch(e -> e.message() instanceof Message.Deploy);
      assertThat(device.received).noneMatch(e -> e.message() instanceof Message.Deploy);
      assertThat(gw.app("sensor-1", "thermo")).isEmpty();
    }
  }

  @Test
  void reconcilingAgainSendsNothingNew() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      device.await(Message.Deploy.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Running);

      // Touch the application (new resourceVersion, same desired state), then add a second app.
      gw.place("thermo", List.of("sensor-1"));
      gw.deploy("second", MODULE, DIGEST, List.of("sensor-1"));

      // Work is handled in order, so "second" arriving first means "thermo" caused nothing new.
      Envelope next = device.await(Message.Deploy.class, WAIT);
      assertThat(((Message.Deploy) next.message()).app()).isEqualTo("second");
      awaitApp("sensor-1", "second", AppPhase.Running);
      assertThat(device.received).noneMatch(e -> e.message() instanceof Message.Deploy);
    }
  }

  @Test
  void appsTheDeviceAlreadyRunsAreNotRedeployed() {
    gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
    gw.deploy("second", MODULE, DIGEST, List.of("sensor-1"));
    try (RawDevice device = connected("sensor-1", Map.of("thermo", DIGEST))) {

      awaitApp("sensor-1", "thermo", AppPhase.Running);
      Envelope deploy = device.await(Message.Deploy.class, WAIT);
      assertThat(((Message.Deploy) deploy.message()).app()).isEqualTo("second");
      awaitApp("sensor-1", "second", AppPhase.Running);
      assertThat(device.received).noneMatch(e -> e.message() instanceof Message.Deploy);
    }
  }

  @Test
  void stoppedApplicationIsStopped() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      awaitApp("sensor-1", "thermo", AppPhase.Running);

      gw.setStopped("thermo", true);

      Envelope stop = device.await(Message.Stop.class, WAIT);
      assertThat(((Message.Stop) stop.message()).app()).isEqualTo("thermo");
      awaitApp("sensor-1", "thermo", AppPhase.Stopped);

      gw.setStopped("thermo", false);

      device.await(Message.Deploy.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Running);
    }
  }

  @Test
  void deletedApplicationIsStoppedAndItsEntryRemoved() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      awaitApp("sensor-1", "thermo", AppPhase.Running);

      gw.store.delete(Kind.APPLICATION, "thermo");

      device.await(Message.Stop.class, WAIT);
      await().atMost(WAIT).until(() -> gw.app("sensor-1", "thermo").isEmpty());
    }
  }

  @Test
  void applicationBeingDeletedIsStoppedAndItsEntryRemoved() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      awaitApp("sensor-1", "thermo", AppPhase.Running);

      Application app = gw.store.get(Kind.APPLICATION, "thermo").orElseThrow();
      gw.store.update(
          Kind.APPLICATION,
          app.withMetadata(app.metadata().withDeletionTimestamp(gw.clock.instant())));

      device.await(Message.Stop.class, WAIT);
      await().atMost(WAIT).until(() -> gw.app("sensor-1", "thermo").isEmpty());
    }
  }

  /**
   * The embedded store refuses inline bytes that do not hash to their digest, so such a module
   * never reaches a gateway from it; the gateway's own check (ModuleSourcesTest) guards the other
   * adapters and sources.
   */
  @Test
  void moduleWhoseBytesDoNotMatchItsDigestNeverReachesTheDevice() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      String wrong = "sha256:" + "0".repeat(64);
      assertThatThrownBy(() -> gw.deploy("thermo", MODULE, wrong, List.of("sensor-1")))
          .isInstanceOf(StoreException.Invalid.class)
          .hasMessageContaining(wrong);

      gw.deploy("second", MODULE, DIGEST, List.of("sensor-1"));
      Envelope deploy = device.await(Message.Deploy.class, WAIT);
      assertThat(((Message.Deploy) deploy.message()).app()).isEqualTo("second");
    }
  }

  @Test
  void urlSourceIsFailedAsNotSupported() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      Application.Spec spec =
          new Application.Spec(
              new Application.Module(DIGEST, null, "https://example.invalid/m.wasm", null),
              "",
              new Application.Targets(List.of("sensor-1"), Map.of(), 0),
              null,
              null,
              null,
              null,
              false);
      gw.create("remote", spec, List.of("sensor-1"));

      awaitApp("sensor-1", "remote", AppPhase.Failed);
      assertThat(gw.app("sensor-1", "remote").orElseThrow().reason())
          .isEqualTo("module source url not supported yet");
      assertThat(device.received).noneMatch(e -> e.message() instanceof Message.Deploy);
    }
  }

  @Test
  void deployRefusedByTheDeviceIsFailedWithItsReason() {
    try (RawDevice device = connected("sensor-1", Map.of(), false)) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));

      Envelope deploy = device.await(Message.Deploy.class, WAIT);
      device.reply(
          deploy.messageId(), new Message.DeployAck("thermo", false, "import not allowed"));

      awaitApp("sensor-1", "thermo", AppPhase.Failed);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().reason())
          .isEqualTo("import not allowed");
      assertThat(gw.counter("wasmbed.gateway.deploys", "outcome", "failed")).isEqualTo(1);
    }
  }

  @Test
  void unansweredDeployTimesOutAsFailedAndIsNotResentMeanwhile() {
    try (RawDevice device = connected("sensor-1", Map.of(), false)) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      device.await(Message.Deploy.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Deploying);

      gw.place("thermo", List.of("sensor-1")); // a watch event while the Deploy is in flight

      awaitApp("sensor-1", "thermo", AppPhase.Failed);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().reason())
          .isEqualTo("no acknowledgement within PT1.5S");
      assertThat(device.received).noneMatch(e -> e.message() instanceof Message.Deploy);
      assertThat(gw.counter("wasmbed.gateway.deploys", "outcome", "timeout")).isEqualTo(1);
    }
  }

  @Test
  void lateDeployAckOfTheLatestRequestIsAccepted() {
    try (RawDevice device = connected("sensor-1", Map.of(), false)) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      Envelope deploy = device.await(Message.Deploy.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Failed);

      device.reply(deploy.messageId(), new Message.DeployAck("thermo", true, ""));

      awaitApp("sensor-1", "thermo", AppPhase.Running);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().reason()).isEmpty();
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().digest()).isEqualTo(DIGEST);
    }
  }

  @Test
  void lateStopAckOfTheLatestRequestIsAccepted() {
    gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
    try (RawDevice device = connected("sensor-1", Map.of("thermo", DIGEST), false)) {
      awaitApp("sensor-1", "thermo", AppPhase.Running);
      gw.setStopped("thermo", true);
      Envelope stop = device.await(Message.Stop.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Failed);

      device.reply(stop.messageId(), new Message.StopAck("thermo", true, ""));

      awaitApp("sensor-1", "thermo", AppPhase.Stopped);
    }
  }

  @Test
  void lateAckOfASupersededRequestIsIgnored() {
    byte[] newer = "\0asm\1\0\0\0 newer".getBytes(StandardCharsets.ISO_8859_1);
    String newerDigest = ModuleSources.digestOf(newer);
    try (RawDevice device = connected("sensor-1", Map.of(), false)) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      Envelope first = device.await(Message.Deploy.class, WAIT);
      awaitApp("sensor-1", "thermo", AppPhase.Failed);
      Application app = gw.store.get(Kind.APPLICATION, "thermo").orElseThrow();
      gw.store.update(
          Kind.APPLICATION,
          app.withSpec(
              new Application.Spec(
                  new Application.Module(newerDigest, newer, null, null),
                  "",
                  app.spec().targets(),
                  null,
                  null,
                  null,
                  null,
                  false)));
      Envelope second = device.await(Message.Deploy.class, WAIT);
      assertThat(((Message.Deploy) second.message()).digest()).isEqualTo(newerDigest);

      device.reply(first.messageId(), new Message.DeployAck("thermo", true, ""));

      await()
          .during(Duration.ofMillis(500))
          .atMost(WAIT)
          .until(() -> gw.app("sensor-1", "thermo").orElseThrow().phase() == AppPhase.Deploying);
      device.reply(second.messageId(), new Message.DeployAck("thermo", true, ""));
      awaitApp("sensor-1", "thermo", AppPhase.Running);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().digest()).isEqualTo(newerDigest);
    }
  }

  @Test
  void appFailureReportedByTheDeviceIsRecorded() {
    try (RawDevice device = connected("sensor-1", Map.of())) {
      gw.deploy("thermo", MODULE, DIGEST, List.of("sensor-1"));
      awaitApp("sensor-1", "thermo", AppPhase.Running);

      device.send(new Message.AppStatus("thermo", Message.AppPhase.FAILED, "trap: unreachable"));

      awaitApp("sensor-1", "thermo", AppPhase.Failed);
      assertThat(gw.app("sensor-1", "thermo").orElseThrow().reason())
          .isEqualTo("trap: unreachable");
    }
  }

  @Test
  void appOutputIsKeptPerDeviceAndBounded() {
    try (RawDevice device = connected("sensor-1", Map.of(), false)) {
      long start = gw.clock.millis();
      for (int i = 0; i < 60; i++) {
        device.send(
            new Message.AppOutput("thermo", Message.OutputKind.READING, "t=" + i, start + i));
      }

      await().atMost(WAIT).until(() -> gw.server.recentOutput("thermo").size() == 50);
      await()
          .atMost(WAIT)
          .until(() -> gw.server.recentOutput("thermo").get(49).text().equals("t=59"));
      List<OutputLine> lines = gw.server.recentOutput("thermo");
      assertThat(lines.get(0).text()).isEqualTo("t=10");
      assertThat(lines.get(0).device()).isEqualTo("sensor-1");
      assertThat(lines.get(0).kind()).isEqualTo(Message.OutputKind.READING);
      assertThat(gw.server.recentOutput("other")).isEmpty();
    }
  }
}

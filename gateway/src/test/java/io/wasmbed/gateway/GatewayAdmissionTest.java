package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pki;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayAdmissionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private GatewayFixture gw;

  @BeforeEach
  void startGateway() {
    gw = new GatewayFixture(dir);
  }

  @AfterEach
  void stopGateway() {
    gw.close();
  }

  @Test
  void registeredDeviceIsConnectedWithGatewayName() {
    Credentials creds = gw.register("sensor-1");

    try (RawDevice device = gw.introduce(creds, Map.of())) {
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      Device.Status status = gw.device("sensor-1").status();
      assertThat(status.gateway()).isEqualTo(GatewayFixture.GATEWAY);
      assertThat(status.connectedSince()).isNotNull();
      assertThat(status.lastHeartbeat()).isNotNull();
      assertThat(gw.server.connectedDevices()).containsExactly("sensor-1");
      assertThat(device.isActive()).isTrue();
    }
  }

  @Test
  void heartbeatIsAnsweredWithItsMessageIdAndRecorded() {
    Credentials creds = gw.register("sensor-1");
    try (RawDevice device = gw.introduce(creds, Map.of())) {
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      var before = gw.device("sensor-1").status().lastHeartbeat();

      device.send(new Message.Heartbeat());
      long id = device.send(new Message.Heartbeat());

      Envelope first = device.await(Message.HeartbeatAck.class, WAIT);
      Envelope second = device.await(Message.HeartbeatAck.class, WAIT);
      assertThat(first.messageId()).isEqualTo(id - 1);
      assertThat(second.messageId()).isEqualTo(id);
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().lastHeartbeat().isAfter(before));
    }
  }

  @Test
  void unknownPublicKeyIsRefusedAndNeverConnected() {
    gw.register("sensor-1");
    // A certificate from the right CA, for the same name, but for a key no Device has.
    Credentials impostor =
        GatewayFixture.issue(gw.pki, "sensor-1", Keys.generate(KeyAlgorithm.ED25519));

    RawDevice device = gw.introduce(impostor, Map.of());

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "unknown_key")).isEqualTo(1);
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Pending);
    assertThat(gw.server.connectedDevices()).isEmpty();
  }

  @Test
  void revokedDeviceIsRefused() {
    Credentials creds = gw.register("sensor-1");
    gw.store.updateStatus(
        Kind.DEVICE, "sensor-1", d -> d.withStatus(d.status().withPhase(Device.Phase.Revoked, "")));

    RawDevice device = gw.introduce(creds, Map.of());

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "revoked")).isEqualTo(1);
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Revoked);
  }

  @Test
  void certificateFromAnotherCaIsRefused(@TempDir Path otherDir) {
    Pki other = Pki.loadOrCreate(otherDir, gw.clock);
    KeyPair keys = Keys.generate(KeyAlgorithm.ED25519);
    // The Device exists with this very key: only the certificate's issuer is wrong.
    gw.store.create(Kind.DEVICE, GatewayFixture.device("sensor-1", keys));
    Credentials foreign = GatewayFixture.issue(other, "sensor-1", keys);

    RawDevice device = gw.introduce(foreign, Map.of());

    await().atMost(WAIT).until(() -> !device.isActive());
    await()
        .atMost(WAIT)
        .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "certificate_rejected") == 1);
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Pending);
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    gw.register("sensor-1");
    SslContext noCertificate =
        SslContextBuilder.forClient()
            .protocols(TlsContexts.TLS_1_3)
            .trustManager(gw.pki.gatewayCa().certificate())
            .build();

    RawDevice device = RawDevice.connect(gw.clients, noCertificate, gw.server.port());

    await().atMost(WAIT).until(() -> !device.isActive());
    await()
        .atMost(WAIT)
        .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "no_certificate") == 1);
    assertThat(gw.server.connectedDevices()).isEmpty();
  }

  @Test
  void tls12IsRefused() throws Exception {
    Credentials creds = gw.register("sensor-1");
    SslContext tls12 =
        SslContextBuilder.forClient()
            .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
            .protocols("TLSv1.2")
            .keyManager(
                creds.key(), creds.chain().toArray(new java.security.cert.X509Certificate[0]))
            .trustManager(gw.pki.gatewayCa().certificate())
            .build();

    RawDevice device = RawDevice.connect(gw.clients, tls12, gw.server.port());

    await().atMost(WAIT).until(() -> !device.isActive());
    await()
        .atMost(WAIT)
        .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "tls_version") == 1);
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Pending);
  }

  @Test
  void cleanCloseMarksDeviceDisconnected() {
    Credentials creds = gw.register("sensor-1");
    RawDevice device = gw.introduce(creds, Map.of());
    await()
        .atMost(WAIT)
        .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);

    device.close();

    await()
        .atMost(WAIT)
        .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Disconnected);
    assertThat(gw.server.connectedDevices()).isEmpty();
    assertThat(gw.counter("wasmbed.gateway.sessions.closed", "reason", "disconnected"))
        .isEqualTo(1);
  }

  @Test
  void newConnectionReplacesTheOldSession() {
    Credentials creds = gw.register("sensor-1");
    RawDevice first = gw.introduce(creds, Map.of());
    await()
        .atMost(WAIT)
        .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
    var firstSince = gw.device("sensor-1").status().connectedSince();

    try (RawDevice second = gw.introduce(creds, Map.of())) {
      await().atMost(WAIT).until(() -> !first.isActive());
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().connectedSince().isAfter(firstSince));
      second.send(new Message.Heartbeat());
      second.await(Message.HeartbeatAck.class, WAIT);
      assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Connected);
      assertThat(gw.server.connectedDevices()).containsExactly("sensor-1");
    }
  }

  @Test
  void malformedFrameClosesOnlyThatConnection() {
    Credentials good = gw.register("sensor-1");
    Credentials bad = gw.register("sensor-2");
    try (RawDevice healthy = gw.introduce(good, Map.of())) {
      RawDevice broken = gw.introduce(bad, Map.of());
      await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-2"));

      // Length 3, then bytes that are not a CBOR envelope.
      broken.sendRaw(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});

      Envelope error = broken.await(Message.ProtocolError.class, WAIT);
      assertThat(((Message.ProtocolError) error.message()).reason()).isNotBlank();
      await().atMost(WAIT).until(() -> !broken.isActive());
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-2").status().phase() == Device.Phase.Disconnected);
      healthy.send(new Message.Heartbeat());
      healthy.await(Message.HeartbeatAck.class, WAIT);
      assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Connected);
      assertThat(gw.counter("wasmbed.gateway.protocol.errors")).isEqualTo(1);
    }
  }

  @Test
  void oversizeFrameIsAProtocolError() {
    Credentials creds = gw.register("sensor-1");
    RawDevice device = gw.introduce(creds, Map.of());
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    device.sendRaw(new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});

    device.await(Message.ProtocolError.class, WAIT);
    await().atMost(WAIT).until(() -> !device.isActive());
  }

  @Test
  void messageOnlyAGatewaySendsIsRejected() {
    Credentials creds = gw.register("sensor-1");
    RawDevice device = gw.introduce(creds, Map.of());
    await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));

    device.send(new Message.Stop("someone-else"));

    device.await(Message.ProtocolError.class, WAIT);
    await().atMost(WAIT).until(() -> !device.isActive());
  }

  @Test
  void revokingAConnectedDeviceEndsItsSession() {
    Credentials creds = gw.register("sensor-1");
    RawDevice device = gw.introduce(creds, Map.of());
    await()
        .atMost(WAIT)
        .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);

    gw.store.updateStatus(
        Kind.DEVICE, "sensor-1", d -> d.withStatus(d.status().withPhase(Device.Phase.Revoked, "")));

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Revoked);
  }
}

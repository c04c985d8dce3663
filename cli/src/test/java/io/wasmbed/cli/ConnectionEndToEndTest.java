package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.pki.CertificateAuthority;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.store.Device;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may connect, and what the store says when devices go away. */
class ConnectionEndToEndTest {

  @TempDir Path dataDir;
  @TempDir Path elsewhere;
  private Fixture fixture;

  @AfterEach
  void stopPlatform() {
    fixture.close();
  }

  @Test
  void cleanCloseIsDisconnectedAndSilenceIsUnreachable() {
    fixture =
        Fixture.start(
            EmbeddedPlatform.Settings.ephemeral(dataDir)
                .withHeartbeatTimeout(Duration.ofSeconds(2)));
    DeviceAgent leaving = fixture.connect(fixture.enroll("leaving"), Duration.ofMillis(300));
    DeviceAgent hanging = fixture.connect(fixture.enroll("hanging"), Duration.ofMillis(300));
    fixture.awaitDevicePhase("leaving", Device.Phase.Connected);
    fixture.awaitDevicePhase("hanging", Device.Phase.Connected);

    leaving.close();
    fixture.awaitDevicePhase("leaving", Device.Phase.Disconnected);

    hanging.simulateHang();
    fixture.awaitDevicePhase("hanging", Device.Phase.Unreachable);
    assertThat(fixture.device("hanging").status().lastHeartbeat()).isNotNull();
  }

  @Test
  void revokingADeviceEndsItsLiveSessionAndKeepsItOut() {
    fixture = Fixture.start(dataDir);
    DeviceAgent agent = fixture.devices(1).get(0);
    long sessionsBefore = agent.sessions();

    Fixture.CliRun revoke = fixture.cli("device", "revoke", agent.deviceName());

    assertThat(revoke.exitCode()).as(revoke.err()).isZero();
    fixture.awaitDevicePhase(agent.deviceName(), Device.Phase.Revoked);
    await("session ended").atMost(Fixture.WAIT).until(() -> !agent.connected());
    await("reconnect refused")
        .atMost(Fixture.WAIT)
        .until(() -> refusals("certificate_rejected") + refusals("revoked") >= 1);
    assertThat(agent.connected()).isFalse();
    assertThat(agent.sessions()).isEqualTo(sessionsBefore);
    assertThat(fixture.device(agent.deviceName()).status().phase()).isEqualTo(Device.Phase.Revoked);
  }

  @Test
  void deviceWithCertificateFromAnotherCaIsRefusedAndNeverConnected() {
    fixture = Fixture.start(dataDir);
    DeviceIdentity identity = fixture.enroll("impostor");
    CertificateAuthority foreignCa =
        CertificateAuthority.loadOrCreate(
            elsewhere, "device-ca", KeyAlgorithm.ED25519, Clock.systemUTC());
    identity.install(
        "impostor",
        List.of(
            foreignCa.issueDeviceCertificate(identity.csr("impostor"), "impostor"),
            foreignCa.certificate()),
        fixture.platform.pki().gatewayCa().certificate());

    DeviceAgent agent = fixture.connect(identity, Duration.ofSeconds(30));

    await("refusal counted")
        .atMost(Fixture.WAIT)
        .until(() -> refusals("certificate_rejected") >= 1);
    assertThat(agent.connected()).isFalse();
    assertThat(fixture.device("impostor").status().phase()).isNotEqualTo(Device.Phase.Connected);
    assertThat(fixture.platform.gateway().connectedDevices()).doesNotContain("impostor");
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    fixture = Fixture.start(dataDir);
    SslContext noCertificate =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3")
            .trustManager(fixture.platform.pki().gatewayCa().certificate())
            .build();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              noCertificate.newHandler(
                                  ch.alloc(), "localhost", fixture.platform.gateway().port()));
                    }
                  })
              .connect(fixture.platform.gatewayHost(), fixture.platform.gateway().port())
              .sync()
              .channel();
      Future<Channel> handshake = channel.pipeline().get(SslHandler.class).handshakeFuture();
      handshake.await(10_000);
      channel.closeFuture().await(10_000);
      assertThat(channel.isActive()).isFalse();
      await()
          .atMost(Fixture.WAIT)
          .alias("no_certificate refusal; counted so far: " + allRefusals())
          .until(() -> refusals("no_certificate") >= 1);
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  private String allRefusals() {
    return fixture.platform.meters().find("wasmbed.gateway.refusals").counters().stream()
        .map(c -> c.getId().getTag("reason") + "=" + c.count())
        .toList()
        .toString();
  }

  private double refusals(String reason) {
    Counter counter =
        fixture.platform.meters().find("wasmbed.gateway.refusals").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }
}

package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pki;
import io.wasmbed.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device whose TLS handshake fails never becomes connected and keeps retrying with backoff. */
class TlsRefusalTest {

  @TempDir Path dir;

  private Pki platform;
  private Pki stranger;
  private TestGateway gateway;
  private Sandbox sandbox;
  private DeviceAgent agent;

  @BeforeEach
  void startGateway() {
    platform = Pki.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
    stranger = Pki.loadOrCreate(dir.resolve("other-pki"), Clock.systemUTC());
    gateway =
        new TestGateway(
                platform.gatewayCredentials("gw-test", List.of("localhost", "127.0.0.1")),
                platform.deviceTrust())
            .start();
    sandbox = new Sandbox(new SimulatedSensors("dev-1", Clock.systemUTC()));
  }

  @AfterEach
  void closeAll() {
    if (agent != null) {
      agent.close();
    }
    sandbox.close();
    gateway.close();
  }

  @Test
  void deviceDoesNotConnectToGatewayFromAnotherCa() {
    DeviceIdentity identity = enroll(platform, stranger, "dev-1");

    startAgent(identity);

    assertThatNeverConnects();
  }

  @Test
  void gatewayRefusesDeviceCertificateFromAnotherCa() {
    DeviceIdentity identity = enroll(stranger, platform, "dev-1");

    startAgent(identity);

    assertThatNeverConnects();
  }

  @Test
  void agentThatCannotReachItsGatewaySaysWhyAtWarn() throws Exception {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DeviceAgent.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    logger.addAppender(captured);
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try {
      DeviceIdentity identity = enroll(platform, platform, "dev-1");
      AgentConfig config =
          AgentConfig.of("127.0.0.1", closedPort)
              .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200));
      agent = new DeviceAgent(config, identity, sandbox).start();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  captured.list.stream()
                      .anyMatch(
                          e ->
                              e.getLevel() == ch.qos.logback.classic.Level.WARN
                                  && e.getFormattedMessage().contains("cannot reach gateway")
                                  && e.getFormattedMessage().contains("refused")));
    } finally {
      logger.detachAppender(captured);
    }
  }

  private void assertThatNeverConnects() {
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !agent.connected() && agent.sessions() == 0);
    assertThat(gateway.handshakes()).isZero();
    assertThat(gateway.received()).isEmpty();
  }

  private void startAgent(DeviceIdentity identity) {
    AgentConfig config =
        AgentConfig.of("127.0.0.1", gateway.port())
            .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200));
    agent = new DeviceAgent(config, identity, sandbox).start();
  }

  private DeviceIdentity enroll(Pki deviceIssuer, Pki gatewayIssuer, String name) {
    DeviceIdentity identity =
        DeviceIdentity.loadOrCreate(dir.resolve("devices").resolve(name), KeyAlgorithm.ED25519);
    var certificate = deviceIssuer.deviceCa().issueDeviceCertificate(identity.csr(name), name);
    identity.install(
        name,
        List.of(certificate, deviceIssuer.deviceCa().certificate()),
        gatewayIssuer.gatewayCa().certificate());
    return identity;
  }
}

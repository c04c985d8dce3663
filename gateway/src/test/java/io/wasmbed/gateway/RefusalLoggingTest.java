package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pki;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.store.Kind;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Refusals decided during the TLS handshake (or before it) are logged at INFO, the default level,
 * with the remote address, the reason and the certificate when there is one; floods are summed up.
 */
class RefusalLoggingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Pattern SUMMARY =
      Pattern.compile(
          "\\.\\.\\. and (\\d+) more refusals from /127\\.0\\.0\\.1 \\(no_certificate\\)");

  @TempDir Path dir;
  private GatewayFixture gw;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger refusalLog = (Logger) LoggerFactory.getLogger(RefusalLog.class);
  private Level levelBefore;

  @BeforeEach
  void captureInfo() {
    logs.start();
    refusalLog.addAppender(logs);
    levelBefore = refusalLog.getLevel();
    refusalLog.setLevel(Level.INFO); // what an operator runs with
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    refusalLog.detachAppender(logs);
    refusalLog.setLevel(levelBefore);
  }

  @Test
  void certificateFromAnotherCaIsLoggedWithSubjectAndSerial(@TempDir Path otherDir) {
    gw = new GatewayFixture(dir);
    KeyPair keys = Keys.generate(KeyAlgorithm.ED25519);
    gw.store.create(Kind.DEVICE, GatewayFixture.device("sensor-1", keys));
    Credentials foreign =
        GatewayFixture.issue(Pki.loadOrCreate(otherDir, gw.clock), "sensor-1", keys);

    RawDevice device = gw.introduce(foreign, Map.of());

    await().atMost(WAIT).until(() -> !device.isActive());
    String line = awaitInfo("certificate_rejected");
    assertThat(line)
        .startsWith("Refused connection from /127.0.0.1:")
        .contains("CN=sensor-1")
        .contains("serial " + serialOf(foreign))
        .doesNotContain("PRIVATE KEY");
  }

  @Test
  void connectionWithoutCertificateIsLogged() throws Exception {
    gw = new GatewayFixture(dir);
    SslContext noCertificate =
        SslContextBuilder.forClient()
            .protocols(TlsContexts.TLS_1_3)
            .trustManager(gw.pki.gatewayCa().certificate())
            .build();

    RawDevice device = RawDevice.connect(gw.clients, noCertificate, gw.server.port());

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(awaitInfo("no_certificate")).startsWith("Refused connection from /127.0.0.1:");
  }

  @Test
  void tls12IsLogged() throws Exception {
    gw = new GatewayFixture(dir);
    Credentials creds = gw.register("sensor-1");
    SslContext tls12 =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.2")
            .keyManager(creds.key(), creds.chain().toArray(new X509Certificate[0]))
            .trustManager(gw.pki.gatewayCa().certificate())
            .build();

    RawDevice device = RawDevice.connect(gw.clients, tls12, gw.server.port());

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(awaitInfo("tls_version")).startsWith("Refused connection from /127.0.0.1:");
  }

  @Test
  void revokedCertificateIsLoggedWithItsSerial() {
    gw = new GatewayFixture(dir);
    Credentials creds = gw.register("sensor-1");
    gw.pki.deviceCa().revoke(creds.chain().get(0).getSerialNumber());

    RawDevice device = gw.introduce(creds, Map.of());

    await().atMost(WAIT).until(() -> !device.isActive());
    assertThat(awaitInfo("certificate_rejected"))
        .contains("CN=sensor-1")
        .contains("serial " + serialOf(creds))
        .contains("revoked");
  }

  @Test
  void rateLimitedConnectionIsLogged() throws Exception {
    gw =
        new GatewayFixture(
            dir,
            Duration.ofSeconds(90),
            Duration.ofSeconds(10),
            config -> config.withConnectionRate(1, 1),
            1_000,
            store -> store);
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", gw.server.port()), 2_000);
      }
      assertThat(awaitInfo("rate_limited"))
          .startsWith("Refused connection from /127.0.0.1:")
          .contains("more than 1 connections per second");
      await()
          .atMost(WAIT)
          .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "rate_limited") == 3);
      // Each refusal is counted and logged once, not again as a failed handshake.
      await()
          .during(Duration.ofMillis(500))
          .atMost(WAIT)
          .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "handshake_failed") == 0);
      assertThat(infoLines("handshake_failed")).isEmpty();
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void floodFromOneAddressIsLoggedOnceThenSummarized() throws Exception {
    gw = new GatewayFixture(dir);
    SslContext noCertificate =
        SslContextBuilder.forClient()
            .protocols(TlsContexts.TLS_1_3)
            .trustManager(gw.pki.gatewayCa().certificate())
            .build();

    for (int i = 0; i < 5; i++) {
      RawDevice device = RawDevice.connect(gw.clients, noCertificate, gw.server.port());
      await().atMost(WAIT).until(() -> !device.isActive());
    }

    await()
        .atMost(WAIT)
        .until(() -> gw.counter("wasmbed.gateway.refusals", "reason", "no_certificate") == 5);
    assertThat(infoLines("Refused connection from")).hasSize(1);
    // One summary per window; a window boundary may split the four into two summaries.
    await().atMost(Duration.ofSeconds(25)).until(() -> summarized() == 4);
  }

  private String awaitInfo(String reason) {
    await().atMost(WAIT).until(() -> !infoLines(": " + reason + " (").isEmpty());
    return infoLines(": " + reason + " (").get(0);
  }

  private List<String> infoLines(String containing) {
    synchronized (logs) {
      return logs.list.stream()
          .filter(e -> e.getLevel() == Level.INFO)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(containing))
          .toList();
    }
  }

  private int summarized() {
    int total = 0;
    for (String line : infoLines("more refusals from")) {
      Matcher m = SUMMARY.matcher(line);
      if (m.find()) {
        total += Integer.parseInt(m.group(1));
      }
    }
    return total;
  }

  private static String serialOf(Credentials credentials) {
    return credentials.chain().get(0).getSerialNumber().toString(16);
  }
}

package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Per-address connection rate limit, applied before any TLS work. */
class ConnectionRateLimitTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int BURST = 3;

  @TempDir Path dir;
  private GatewayFixture gw;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger limiterLog = (Logger) LoggerFactory.getLogger(RefusalLog.class);

  @BeforeEach
  void start() {
    gw =
        new GatewayFixture(
            dir,
            Duration.ofSeconds(90),
            Duration.ofSeconds(10),
            config -> config.withConnectionRate(1, BURST),
            1_000,
            store -> store);
    logs.start();
    limiterLog.addAppender(logs);
    limiterLog.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() {
    limiterLog.detachAppender(logs);
    gw.close();
  }

  @Test
  void burstOfRawConnectsBeyondTheBucketIsRefusedBeforeTls() throws IOException {
    List<Socket> sockets = new ArrayList<>();
    int accepted = 0;
    try {
      for (int i = 0; i < 12; i++) {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", gw.server.port()), 2_000);
      }
      for (Socket socket : sockets) {
        if (stillOpen(socket)) {
          accepted++;
        }
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }

    // The burst plus at most one token refilled while connecting.
    assertThat(accepted).isBetween(BURST, BURST + 1);
    double refused = gw.counter("wasmbed.gateway.refusals", "reason", "rate_limited");
    assertThat(refused).isEqualTo(12 - accepted);
    assertThat(gw.meters.scrape())
        .contains("wasmbed_gateway_refusals_total{reason=\"rate_limited\"");
    await()
        .atMost(WAIT)
        .until(
            () ->
                logs.list.stream()
                    .anyMatch(
                        e ->
                            e.getLevel() == Level.INFO
                                && e.getFormattedMessage().contains(": rate_limited (")));
  }

  @Test
  void deviceWithinTheLimitIsServed() {
    try (RawDevice device = gw.introduce(gw.register("sensor-1"), Map.of())) {
      await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));
      assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "rate_limited")).isZero();
    }
  }

  /** A refused connection is closed at once; an accepted one waits for a TLS ClientHello. */
  private static boolean stillOpen(Socket socket) throws IOException {
    socket.setSoTimeout(500);
    try {
      return socket.getInputStream().read() != -1;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false; // reset by the gateway
    }
  }
}

package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.ssl.SslContext;
import io.wasmbed.protocol.Message;
import io.wasmbed.store.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two agents with one device key (a cloned identity) keep replacing each other's session; the
 * gateway notices, says so, and while the conflict lasts refuses every new connection for the
 * device (from any address, its own included) as long as the session it keeps is alive.
 */
class IdentityConflictTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String ORIGINAL = "127.0.0.1";
  private static final String CLONE = "127.0.0.2";

  @TempDir Path dir;
  private GatewayFixture gw;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger gatewayLog = (Logger) LoggerFactory.getLogger("io.wasmbed.gateway");

  @BeforeEach
  void start() {
    logs.start();
    gatewayLog.addAppender(logs);
    gw = new GatewayFixture(dir);
  }

  @AfterEach
  void stop() {
    gw.close();
    gatewayLog.detachAppender(logs);
  }

  @Test
  void clonedIdentityIsDetectedAndNewConnectionsRefusedWhileItLasts() {
    SslContext shared = gw.clientTls(gw.register("sensor-1"));
    RawDevice holder = flap(shared, List.of(ORIGINAL, CLONE, ORIGINAL, CLONE, ORIGINAL));

    await().atMost(WAIT).until(() -> gw.counter("wasmbed.gateway.identity.conflicts") == 1);
    assertThat(lines(Level.WARN, "possible cloned identity"))
        .singleElement()
        .asString()
        .startsWith("Device sensor-1: sessions from /" + CLONE + ":")
        .contains(" and /" + ORIGINAL + ":")
        .contains("keep replacing each other");
    await()
        .atMost(WAIT)
        .until(() -> gw.device("sensor-1").status().message().contains("possible cloned identity"));

    RawDevice clone = introduce(shared, CLONE);
    await().atMost(WAIT).until(() -> !clone.isActive());
    assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "identity_conflict")).isEqualTo(1);
    assertThat(lines(Level.INFO, "identity_conflict"))
        .singleElement()
        .asString()
        .startsWith("Refused connection from /" + CLONE + ":")
        .contains("CN=sensor-1");
    assertThat(holder.isActive()).isTrue();

    // While the held session lives, even its own address may not open another one.
    RawDevice second = introduce(shared, ORIGINAL);
    await().atMost(WAIT).until(() -> !second.isActive());
    assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "identity_conflict")).isEqualTo(2);
    assertThat(holder.isActive()).isTrue();

    // Once the held session has ended, the device is admitted again.
    holder.close();
    await().atMost(WAIT).until(() -> !gw.server.connectedDevices().contains("sensor-1"));
    try (RawDevice reconnected = introduce(shared, ORIGINAL)) {
      reconnected.send(new Message.Heartbeat());
      reconnected.await(Message.HeartbeatAck.class, WAIT);
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      assertThat(gw.counter("wasmbed.gateway.identity.conflicts")).isEqualTo(1);
      assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "identity_conflict"))
          .isEqualTo(2);
    }
  }

  @Test
  void cloneOnTheSameHostIsRefusedWhileTheHeldSessionLives() {
    SslContext shared = gw.clientTls(gw.register("sensor-1"));
    RawDevice holder = flap(shared, List.of(ORIGINAL, ORIGINAL, ORIGINAL, ORIGINAL, ORIGINAL));
    await().atMost(WAIT).until(() -> gw.counter("wasmbed.gateway.identity.conflicts") == 1);
    assertThat(lines(Level.WARN, "possible cloned identity")).hasSize(1);

    RawDevice clone = introduce(shared, ORIGINAL);
    await().atMost(WAIT).until(() -> !clone.isActive());
    assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "identity_conflict")).isEqualTo(1);
    assertThat(lines(Level.INFO, "identity_conflict"))
        .singleElement()
        .asString()
        .startsWith("Refused connection from /" + ORIGINAL + ":")
        .contains("CN=sensor-1");

    // The first keeps its session: it still gets answers, and the device stays Connected.
    assertThat(holder.isActive()).isTrue();
    holder.send(new Message.Heartbeat());
    holder.await(Message.HeartbeatAck.class, WAIT);
    assertThat(gw.server.connectedDevices()).contains("sensor-1");
    assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Connected);
    holder.close();
  }

  @Test
  void fewReplacementsAreNoConflict() {
    SslContext shared = gw.clientTls(gw.register("sensor-1"));
    // Three replacements in all: the limit, not beyond it.
    try (RawDevice holder = flap(shared, List.of(ORIGINAL, CLONE, ORIGINAL));
        RawDevice next = introduce(shared, ORIGINAL)) {
      await().atMost(WAIT).until(() -> !holder.isActive());
      next.send(new Message.Heartbeat());
      next.await(Message.HeartbeatAck.class, WAIT);
      assertThat(gw.counter("wasmbed.gateway.identity.conflicts")).isZero();
      assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "identity_conflict")).isZero();
      assertThat(lines(Level.WARN, "cloned identity")).isEmpty();
    }
  }

  /** Connects from each address in turn, each connection replacing the one before. */
  private RawDevice flap(SslContext tls, List<String> addresses) {
    RawDevice current = null;
    for (String address : addresses) {
      RawDevice previous = current;
      current = introduce(tls, address);
      if (previous == null) {
        await().atMost(WAIT).until(() -> gw.server.connectedDevices().contains("sensor-1"));
      } else {
        await().atMost(WAIT).until(() -> !previous.isActive());
      }
    }
    return current;
  }

  private RawDevice introduce(SslContext tls, String from) {
    RawDevice device = RawDevice.connect(gw.clients, tls, gw.server.port(), from);
    device.send(new Message.DeviceInfo("test", "raw/1", List.of(), 1024, Map.of()));
    return device;
  }

  private List<String> lines(Level level, String containing) {
    synchronized (logs) {
      return logs.list.stream()
          .filter(e -> e.getLevel() == level)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(containing))
          .toList();
    }
  }
}

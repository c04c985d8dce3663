package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wasmbed.protocol.Message;
import io.wasmbed.store.Device.AppPhase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Per-session log lines carry the device's name in the MDC, on event loops and control thread. */
class DeviceMdcTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] MODULE = "\0asm\1\0\0\0 module".getBytes(StandardCharsets.ISO_8859_1);

  @TempDir Path dir;
  private GatewayFixture gw;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger gatewayLog = (Logger) LoggerFactory.getLogger("io.wasmbed.gateway");

  @BeforeEach
  void start() {
    logs.start();
    gatewayLog.addAppender(logs);
    gatewayLog.setLevel(Level.DEBUG);
    gw = new GatewayFixture(dir);
  }

  @AfterEach
  void stop() {
    gw.close();
    gatewayLog.detachAppender(logs);
  }

  @Test
  void sessionLogLinesNameTheirDevice() {
    try (RawDevice one = gw.introduceAcking(gw.register("sensor-1"), Map.of());
        RawDevice two = gw.introduceAcking(gw.register("sensor-2"), Map.of())) {
      gw.deploy("thermo", MODULE, ModuleSources.digestOf(MODULE), List.of("sensor-1", "sensor-2"));
      for (String device : List.of("sensor-1", "sensor-2")) {
        await()
            .atMost(WAIT)
            .until(
                () ->
                    gw.app(device, "thermo").map(s -> s.phase() == AppPhase.Running).orElse(false));
      }
      one.send(new Message.AppOutput("thermo", Message.OutputKind.LOG, "hello", gw.clock.millis()));
      await().atMost(WAIT).until(() -> !lines("Output of thermo on sensor-1").isEmpty());
    }

    for (String device : List.of("sensor-1", "sensor-2")) {
      // Admission (event loop), reconciler (control thread), dispatch (event loop).
      assertThat(lines("Device " + device + " connected")).isNotEmpty();
      assertThat(lines("App thermo running on device " + device)).isNotEmpty();
      assertThat(lines("Device " + device)).allMatch(e -> device.equals(mdc(e)));
      assertThat(lines("on device " + device)).allMatch(e -> device.equals(mdc(e)));
    }
    assertThat(lines("Output of thermo on sensor-1")).allMatch(e -> "sensor-1".equals(mdc(e)));
    assertThat(lines("Gateway gw-test listening")).allMatch(e -> mdc(e) == null);
  }

  private List<ILoggingEvent> lines(String containing) {
    synchronized (logs) {
      return logs.list.stream().filter(e -> e.getFormattedMessage().contains(containing)).toList();
    }
  }

  private static String mdc(ILoggingEvent event) {
    return event.getMDCPropertyMap().get(DeviceMdc.KEY);
  }
}

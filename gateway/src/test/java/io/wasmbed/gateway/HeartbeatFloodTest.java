package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.pki.Credentials;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import io.wasmbed.store.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that floods heartbeats neither turns them into store writes nor keeps its session: past
 * the per-session frame limit it is told so and closed.
 */
class HeartbeatFloodTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private GatewayFixture gw;

  @BeforeEach
  void start() {
    gw = new GatewayFixture(dir);
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  @Test
  void floodOfHeartbeatsIsClosedAndBarelyTouchesTheStore() {
    Credentials creds = gw.register("sensor-1");
    try (RawDevice device = gw.introduce(creds, Map.of())) {
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      long before = gw.store.currentResourceVersion();

      for (int i = 0; i < 1000; i++) {
        device.send(new Message.Heartbeat());
      }

      await().atMost(WAIT).until(() -> !device.isActive());
      Envelope error = device.await(Message.ProtocolError.class, WAIT);
      assertThat(((Message.ProtocolError) error.message()).reason())
          .startsWith("rate limit exceeded: ");
      assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "frame_rate")).isEqualTo(1);
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Disconnected);
      long writes = gw.store.currentResourceVersion() - before;
      // One heartbeat write, the Disconnected phase, and little else; not one per heartbeat.
      assertThat(writes).isBetween(1L, 5L);
      assertThat(gw.device("sensor-1").status().message())
          .isEqualTo("closed for sending frames too fast");
    }
  }

  @Test
  void heartbeatsWithinTheLimitAreAnsweredButWrittenAtMostOncePerInterval() {
    Credentials creds = gw.register("sensor-1");
    try (RawDevice device = gw.introduce(creds, Map.of())) {
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      device.send(new Message.Heartbeat());
      device.await(Message.HeartbeatAck.class, WAIT);
      await().atMost(WAIT).until(() -> gw.device("sensor-1").status().lastHeartbeat() != null);
      Instant first = gw.device("sensor-1").status().lastHeartbeat();
      long before = gw.store.currentResourceVersion();

      for (int i = 0; i < 100; i++) { // within the burst: every one is answered
        device.send(new Message.Heartbeat());
      }
      for (int i = 0; i < 100; i++) {
        device.await(Message.HeartbeatAck.class, WAIT);
      }
      assertThat(device.isActive()).isTrue();
      assertThat(gw.store.currentResourceVersion()).isEqualTo(before);
      assertThat(gw.device("sensor-1").status().lastHeartbeat()).isEqualTo(first);
      assertThat(gw.counter("wasmbed.gateway.refusals", "reason", "frame_rate")).isZero();
    }
  }
}

package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wasmbed.pki.Credentials;
import io.wasmbed.store.Device;
import io.wasmbed.store.Gateway;
import io.wasmbed.store.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayLivenessTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void silentDeviceBecomesUnreachableAndIsClosed() {
    try (GatewayFixture gw =
        new GatewayFixture(dir, Duration.ofMillis(800), Duration.ofSeconds(5))) {
      Credentials creds = gw.register("sensor-1");
      RawDevice device = gw.introduce(creds, Map.of());
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);

      // The raw device now sends nothing more.
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Unreachable);
      assertThat(device.isActive()).isFalse();
      assertThat(gw.counter("wasmbed.gateway.heartbeat.timeouts")).isEqualTo(1);
    }
  }

  @Test
  void heartbeatsKeepADeviceConnectedPastTheTimeout() {
    try (GatewayFixture gw =
        new GatewayFixture(dir, Duration.ofMillis(800), Duration.ofSeconds(5))) {
      Credentials creds = gw.register("sensor-1");
      try (RawDevice device =
          gw.introduce(creds, Map.of()).heartbeatEvery(Duration.ofMillis(200))) {
        await()
            .atMost(WAIT)
            .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
        await()
            .during(Duration.ofMillis(2400))
            .atMost(WAIT)
            .until(
                () ->
                    device.isActive()
                        && gw.device("sensor-1").status().phase() == Device.Phase.Connected);
        assertThat(gw.counter("wasmbed.gateway.heartbeat.timeouts")).isZero();
      }
    }
  }

  @Test
  void shutdownMarksDevicesDisconnectedAndGatewayNotReady() {
    GatewayFixture gw = new GatewayFixture(dir);
    try {
      Credentials creds = gw.register("sensor-1");
      RawDevice device = gw.introduce(creds, Map.of());
      await()
          .atMost(WAIT)
          .until(() -> gw.device("sensor-1").status().phase() == Device.Phase.Connected);
      Gateway running = gw.store.get(Kind.GATEWAY, GatewayFixture.GATEWAY).orElseThrow();
      assertThat(running.status().ready()).isTrue();
      assertThat(running.spec().endpoint()).isEqualTo("127.0.0.1:" + gw.server.port());

      gw.server.close();

      assertThat(gw.device("sensor-1").status().phase()).isEqualTo(Device.Phase.Disconnected);
      assertThat(gw.device("sensor-1").status().message()).contains("shut down");
      Gateway stopped = gw.store.get(Kind.GATEWAY, GatewayFixture.GATEWAY).orElseThrow();
      assertThat(stopped.status().ready()).isFalse();
      assertThat(stopped.status().connectedDevices()).isZero();
      await().atMost(WAIT).until(() -> !device.isActive());
    } finally {
      gw.close();
    }
  }

  @Test
  void rejectsNonPositiveHeartbeatTimeout() {
    GatewayConfig defaults = GatewayConfig.defaults("gw-1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> defaults.withHeartbeatTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeatTimeout: PT0S (expected: greater than 0)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> defaults.withHeartbeatTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("heartbeatTimeout: PT-1S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.withAckTimeout(Duration.ZERO))
        .hasMessageContaining("ackTimeout");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.withPorts(70_000, 0))
        .hasMessageContaining("port: 70000");
  }
}

package io.wasmbed.device;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DeviceAgent} reaches its gateway and paces its conversation.
 *
 * @param gatewayHost host name or address of the gateway's device port
 * @param gatewayPort the gateway's device port (4423 by default)
 * @param heartbeatInterval time between two heartbeats (30 s by default)
 * @param reconnectMin shortest wait before reconnecting after a disconnect (0.5 s by default)
 * @param reconnectMax longest wait before reconnecting; backoff doubles up to it (30 s by default)
 * @param maxFrameBytes largest frame accepted from the gateway (16 MiB by default)
 * @param deviceType what the device reports as its type in {@code DeviceInfo}
 */
public record AgentConfig(
    String gatewayHost,
    int gatewayPort,
    Duration heartbeatInterval,
    Duration reconnectMin,
    Duration reconnectMax,
    int maxFrameBytes,
    String deviceType) {

  public static final int DEFAULT_PORT = 4423;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(500);
  public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  public static final String DEFAULT_DEVICE_TYPE = "simulated";

  public AgentConfig {
    requireText("gatewayHost", gatewayHost);
    if (gatewayPort < 1 || gatewayPort > 65_535) {
      throw new IllegalArgumentException("gatewayPort: " + gatewayPort + " (expected: 1 to 65535)");
    }
    requirePositive("heartbeatInterval", heartbeatInterval);
    requirePositive("reconnectMin", reconnectMin);
    requirePositive("reconnectMax", reconnectMax);
    if (reconnectMax.compareTo(reconnectMin) < 0) {
      throw new IllegalArgumentException(
          "reconnectMax: "
              + reconnectMax
              + " (expected: at least reconnectMin "
              + reconnectMin
              + ")");
    }
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException(
          "maxFrameBytes: " + maxFrameBytes + " (expected: at least 64)");
    }
    requireText("deviceType", deviceType);
  }

  /** The defaults for a gateway at {@code host:port}. */
  public static AgentConfig of(String gatewayHost, int gatewayPort) {
    return new AgentConfig(
        gatewayHost,
        gatewayPort,
        DEFAULT_HEARTBEAT_INTERVAL,
        DEFAULT_RECONNECT_MIN,
        DEFAULT_RECONNECT_MAX,
        DEFAULT_MAX_FRAME_BYTES,
        DEFAULT_DEVICE_TYPE);
  }

  public AgentConfig withHeartbeatInterval(Duration interval) {
    return new AgentConfig(
        gatewayHost, gatewayPort, interval, reconnectMin, reconnectMax, maxFrameBytes, deviceType);
  }

  public AgentConfig withReconnect(Duration min, Duration max) {
    return new AgentConfig(
        gatewayHost, gatewayPort, heartbeatInterval, min, max, maxFrameBytes, deviceType);
  }

  public AgentConfig withMaxFrameBytes(int bytes) {
    return new AgentConfig(
        gatewayHost, gatewayPort, heartbeatInterval, reconnectMin, reconnectMax, bytes, deviceType);
  }

  public AgentConfig withDeviceType(String type) {
    return new AgentConfig(
        gatewayHost,
        gatewayPort,
        heartbeatInterval,
        reconnectMin,
        reconnectMax,
        maxFrameBytes,
        type);
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + ": " + (value == null ? "null" : "\"" + value + "\"") + " (expected: non-blank)");
    }
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: greater than 0)");
    }
  }
}

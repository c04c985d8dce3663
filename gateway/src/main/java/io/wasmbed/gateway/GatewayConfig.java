package io.wasmbed.gateway;

import io.wasmbed.store.ObjectMeta;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link GatewayServer} listens and how patient it is with devices.
 *
 * @param name the gateway's name; also the name of its {@code Gateway} resource and the value it
 *     writes into {@code Device.status.gateway}
 * @param bindHost address the device port binds to
 * @param port device TLS port (4423 by default, 0 for an ephemeral port)
 * @param httpPort health and metrics port (8080 by default, 0 for an ephemeral port)
 * @param heartbeatTimeout a session that sends no frame for this long is marked Unreachable and
 *     closed (90 s by default)
 * @param maxFrameBytes largest frame accepted from a device (16 MiB by default)
 * @param ackTimeout how long a Deploy or Stop may stay unanswered before it counts as failed
 * @param connectionsPerSecond new connections one source address may open per second, on average
 *     (refused before the TLS handshake beyond that)
 * @param connectionBurst how many connections one source address may open at once before the rate
 *     applies
 * @param httpBindHost address the health and metrics port binds to; {@code /metrics} is not
 *     authenticated, so keep it off public interfaces (the 7- and 9-argument constructors use
 *     {@code bindHost})
 */
public record GatewayConfig(
    String name,
    String bindHost,
    int port,
    int httpPort,
    Duration heartbeatTimeout,
    int maxFrameBytes,
    Duration ackTimeout,
    int connectionsPerSecond,
    int connectionBurst,
    String httpBindHost) {

  public static final int DEFAULT_PORT = 4423;
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(90);
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(60);

  /** Generous enough for a reconnect storm of the 100-device demo, which shares one address. */
  public static final int DEFAULT_CONNECTIONS_PER_SECOND = 50;

  public static final int DEFAULT_CONNECTION_BURST = 200;

  public GatewayConfig {
    Objects.requireNonNull(name, "name");
    ObjectMeta.named(name); // the same naming rules as the Gateway resource it writes
    requireHost("bindHost", bindHost);
    requireHost("httpBindHost", httpBindHost);
    requirePort("port", port);
    requirePort("httpPort", httpPort);
    requirePositive("heartbeatTimeout", heartbeatTimeout);
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException(
          "maxFrameBytes: " + maxFrameBytes + " (expected: at least 64)");
    }
    requirePositive("ackTimeout", ackTimeout);
    requirePositive("connectionsPerSecond", connectionsPerSecond);
    requirePositive("connectionBurst", connectionBurst);
  }

  /** A configuration with the default connection rate limit, HTTP on {@code bindHost}. */
  public GatewayConfig(
      String name,
      String bindHost,
      int port,
      int httpPort,
      Duration heartbeatTimeout,
      int maxFrameBytes,
      Duration ackTimeout) {
    this(
        name,
        bindHost,
        port,
        httpPort,
        heartbeatTimeout,
        maxFrameBytes,
        ackTimeout,
        DEFAULT_CONNECTIONS_PER_SECOND,
        DEFAULT_CONNECTION_BURST,
        bindHost);
  }

  /** A configuration whose HTTP port binds the same host as the device port. */
  public GatewayConfig(
      String name,
      String bindHost,
      int port,
      int httpPort,
      Duration heartbeatTimeout,
      int maxFrameBytes,
      Duration ackTimeout,
      int connectionsPerSecond,
      int connectionBurst) {
    this(
        name,
        bindHost,
        port,
        httpPort,
        heartbeatTimeout,
        maxFrameBytes,
        ackTimeout,
        connectionsPerSecond,
        connectionBurst,
        bindHost);
  }

  /** The defaults on all interfaces. */
  public static GatewayConfig defaults(String name) {
    return new GatewayConfig(
        name,
        "0.0.0.0",
        DEFAULT_PORT,
        DEFAULT_HTTP_PORT,
        DEFAULT_HEARTBEAT_TIMEOUT,
        DEFAULT_MAX_FRAME_BYTES,
        DEFAULT_ACK_TIMEOUT);
  }

  public GatewayConfig withPorts(int newPort, int newHttpPort) {
    return new GatewayConfig(
        name,
        bindHost,
        newPort,
        newHttpPort,
        heartbeatTimeout,
        maxFrameBytes,
        ackTimeout,
        connectionsPerSecond,
        connectionBurst,
        httpBindHost);
  }

  public GatewayConfig withHeartbeatTimeout(Duration newTimeout) {
    return new GatewayConfig(
        name,
        bindHost,
        port,
        httpPort,
        newTimeout,
        maxFrameBytes,
        ackTimeout,
        connectionsPerSecond,
        connectionBurst,
        httpBindHost);
  }

  public GatewayConfig withAckTimeout(Duration newTimeout) {
    return new GatewayConfig(
        name,
        bindHost,
        port,
        httpPort,
        heartbeatTimeout,
        maxFrameBytes,
        newTimeout,
        connectionsPerSecond,
        connectionBurst,
        httpBindHost);
  }

  public GatewayConfig withConnectionRate(int perSecond, int burst) {
    return new GatewayConfig(
        name,
        bindHost,
        port,
        httpPort,
        heartbeatTimeout,
        maxFrameBytes,
        ackTimeout,
        perSecond,
        burst,
        httpBindHost);
  }

  /** The same configuration with the health and metrics port bound to {@code host}. */
  public GatewayConfig withHttpBindHost(String host) {
    return new GatewayConfig(
        name,
        bindHost,
        port,
        httpPort,
        heartbeatTimeout,
        maxFrameBytes,
        ackTimeout,
        connectionsPerSecond,
        connectionBurst,
        host);
  }

  private static void requireHost(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + ": '" + value + "' (expected: a host name or address)");
    }
  }

  private static void requirePort(String field, int value) {
    if (value < 0 || value > 65_535) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: 0 to 65535, 0 for an ephemeral port)");
    }
  }

  private static void requirePositive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: at least 1)");
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: greater than 0)");
    }
  }
}

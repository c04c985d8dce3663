package io.wasmbed.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.WatchEvent;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway: holds devices' mutual-TLS connections, admits only registered, unrevoked devices,
 * tracks their liveness in {@code Device.status}, pushes the applications placed on them and serves
 * health and metrics over HTTP.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #close()}. All store reads and writes run on
 * one control thread; Netty's event loops only decode, answer heartbeats and route.
 */
public final class GatewayServer implements AutoCloseable {
  /** How often the Gateway resource's status (connected devices, last seen) is refreshed. */
  public static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final GatewayConfig config;
  private final ResourceStore store;
  private final Credentials credentials;
  private final X509TrustManager deviceTrust;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final ControlLoop control;
  private final DeviceIndex index = new DeviceIndex();
  private final DeviceSessions sessions;
  private final DeploymentReconciler reconciler;
  private final OutputBuffer output = new OutputBuffer(OutputBuffer.DEFAULT_CAPACITY);
  private final GatewayRecord record;
  private final RefusalLog refusals = new RefusalLog();

  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private volatile int boundPort = -1;
  private HttpEndpoints http;
  private final Informer<Device> devices;
  private final Informer<Application> applications;
  private ScheduledFuture<?> statusTask;
  private ScheduledFuture<?> refusalSummaryTask;
  private volatile boolean started;
  private volatile boolean closed;

  public GatewayServer(
      GatewayConfig config,
      ResourceStore store,
      Credentials serverCredentials,
      X509TrustManager deviceTrust,
      Clock clock,
      MeterRegistry meterRegistry) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    this.credentials = Objects.requireNonNull(serverCredentials, "serverCredentials");
    this.deviceTrust = Objects.requireNonNull(deviceTrust, "deviceTrust");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = new GatewayMetrics(Objects.requireNonNull(meterRegistry, "meterRegistry"));
    this.control = new ControlLoop(config.name());
    this.sessions =
        new DeviceSessions(
            config.name(), store, clock, metrics, control, config.heartbeatTimeout());
    this.reconciler =
        new DeploymentReconciler(
            store, clock, metrics, control, sessions, config.ackTimeout(), RestartBackoff.DEFAULT);
    this.sessions.reconcileWith(reconciler);
    this.record = new GatewayRecord(config.name(), store, clock);
    this.devices =
        new Informer<>(
            config.name(),
            store,
            Kind.DEVICE,
            control,
            metrics,
            this::devicesListed,
            this::deviceChanged);
    this.applications =
        new Informer<>(
            config.name(),
            store,
            Kind.APPLICATION,
            control,
            metrics,
            this::applicationsListed,
            reconciler::applicationChanged);
    metrics.connectedDevices(sessions::size);
  }

  /**
   * Loads devices and applications, starts watching them, binds the device port and the HTTP port
   * and publishes the Gateway resource as ready.
   *
   * @throws IllegalStateException if called twice or after {@link #close()}
   * @throws GatewayException if a port cannot be bound; whatever was already bound is released
   */
  public synchronized void start() {
    if (started || closed) {
      throw new IllegalStateException(
          "gateway " + config.name() + ": start() after " + (closed ? "close()" : "start()"));
    }
    started = true;
    try {
      SslContext tls = TlsContexts.server(credentials, deviceTrust);
      watchStore();
      bind(tls);
      control.call(() -> publish(true), CLOSE_TIMEOUT);
      statusTask = control.every("publish gateway status", () -> publish(true), STATUS_INTERVAL);
      refusalSummaryTask =
          control.every("summarize refusals", refusals::summarize, RefusalLog.WINDOW);
      startHttp();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info(
        "Gateway {} listening for devices on {}:{} (health and metrics on {}:{})",
        config.name(),
        config.bindHost(),
        port(),
        config.httpBindHost(),
        httpPort());
  }

  /** The bound device port (the real one when configured as 0). */
  public int port() {
    if (boundPort < 0) {
      throw new IllegalStateException("gateway " + config.name() + " is not listening");
    }
    return boundPort;
  }

  /** The bound HTTP port (the real one when configured as 0). */
  public int httpPort() {
    if (http == null) {
      throw new IllegalStateException("gateway " + config.name() + " has no HTTP server");
    }
    return http.port();
  }

  public String name() {
    return config.name();
  }

  /** Names of the devices with a live session on this gateway. */
  public Set<String> connectedDevices() {
    Set<String> names = new TreeSet<>();
    sessions.all().forEach(s -> names.add(s.device()));
    return names;
  }

  /** The latest output lines (at most 50 per device) of application {@code app}, oldest first. */
  public List<OutputLine> recentOutput(String app) {
    return output.recent(app);
  }

  /**
   * Stops accepting devices, marks the devices held here Disconnected, closes their connections,
   * marks the Gateway not ready and releases threads and ports. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
    }
    closeWatches();
    if (statusTask != null) {
      statusTask.cancel(false);
    }
    if (refusalSummaryTask != null) {
      refusalSummaryTask.cancel(false);
      refusals.summarize();
    }
    try {
      control.call(
          () -> {
            sessions.shutdown();
            if (serverChannel != null) {
              publish(false);
            }
            return null;
          },
          CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("Gateway {} could not record its shutdown: {}", config.name(), e.toString());
    }
    if (http != null) {
      http.close();
    }
    shutDown(workerGroup);
    shutDown(bossGroup);
    control.close();
    log.info("Gateway {} stopped", config.name());
  }

  private void watchStore() {
    devices.start();
    applications.start();
  }

  /** A fresh device list (at start or after a lost watch): re-index and re-check every session. */
  private void devicesListed(List<Device> listed) {
    index.replaceAll(listed);
    for (Session session : sessions.all()) {
      Optional<Device> device = index.byName(session.device());
      try (DeviceMdc scope = DeviceMdc.of(session.device())) {
        if (device.isEmpty()) {
          log.info("Device {} was deleted; closing its session", session.device());
          session.close(Session.CloseReason.DELETED);
        } else {
          sessionDeviceChanged(session, new WatchEvent<>(WatchEvent.Type.MODIFIED, device.get()));
        }
      }
    }
  }

  /** A fresh application list: replace the cache and reconcile every session against it. */
  private void applicationsListed(List<Application> listed) {
    reconciler.replaceAll(listed);
    sessions.all().forEach(reconciler::request);
  }

  private void bind(SslContext tls) {
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    GatewayPipeline.Parts parts =
        new GatewayPipeline.Parts(
            index, store, sessions, reconciler, control, output, metrics, refusals);
    ChannelFuture bound =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(NioServerSocketChannel.class)
            .childHandler(new GatewayPipeline(tls, config, clock, parts))
            .bind(config.bindHost(), config.port())
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw cannotListen(config.bindHost(), config.port(), "devices", "--port", bound.cause());
    }
    serverChannel = bound.channel();
    boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  private void startHttp() {
    http =
        new HttpEndpoints(
            config.httpBindHost(),
            config.httpPort(),
            this::listening,
            this::ready,
            metrics::scrape);
    try {
      http.start();
    } catch (RuntimeException e) {
      throw cannotListen(
          config.httpBindHost(), config.httpPort(), "health and metrics", "--http-port", e);
    }
  }

  /** Names the address that could not be bound, why, and what the operator can do about it. */
  private GatewayException cannotListen(
      String host, int port, String purpose, String portOption, Throwable failure) {
    BindException bind = ConnectionErrorHandler.find(failure, BindException.class);
    Throwable cause = bind != null ? bind : rootCause(failure);
    String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    String lower = why.toLowerCase(Locale.ROOT);
    String advice;
    if (lower.contains("in use")) {
      advice = "choose another with " + portOption;
    } else if (lower.contains("permission") || lower.contains("access")) {
      advice = "choose a port above 1023 with " + portOption;
    } else if (lower.contains("assign") || lower.contains("unresolved")) {
      advice = "bind to an address of this machine";
    } else {
      advice = "check the address and " + portOption;
    }
    return new GatewayException(
        config.name(),
        "cannot listen on "
            + host
            + ":"
            + port
            + " for "
            + purpose
            + ": "
            + lower
            + " ("
            + advice
            + ")",
        failure);
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /** Device watch: keeps the admission index current and ends sessions of revoked devices. */
  private void deviceChanged(WatchEvent<Device> event) {
    index.apply(event);
    Device device = event.resource();
    sessions
        .get(device.name())
        .ifPresent(
            session -> {
              try (DeviceMdc scope = DeviceMdc.of(device.name())) {
                sessionDeviceChanged(session, event);
              }
            });
  }

  private void sessionDeviceChanged(Session session, WatchEvent<Device> event) {
    Device device = event.resource();
    if (event.type() == WatchEvent.Type.DELETED) {
      log.info("Device {} was deleted; closing its session", device.name());
      session.close(Session.CloseReason.DELETED);
    } else if (device.status().phase() == Device.Phase.Revoked) {
      log.info("Device {} was revoked; closing its session", device.name());
      session.close(Session.CloseReason.REVOKED);
    } else {
      reconciler.request(session);
    }
  }

  private Void publish(boolean ready) {
    record.publish(endpoint(), ready && !closed, closed ? 0 : sessions.size());
    return null;
  }

  /** Where devices reach this gateway: the bind address, or the host name for a wildcard bind. */
  private String endpoint() {
    String host = config.bindHost();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host + ":" + port();
  }

  private boolean listening() {
    Channel channel = serverChannel;
    return !closed && channel != null && channel.isActive();
  }

  private boolean ready() {
    return listening() && devices.isWatching() && applications.isWatching();
  }

  private void closeWatches() {
    devices.close();
    applications.close();
  }

  private static void shutDown(EventLoopGroup group) {
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
  }
}

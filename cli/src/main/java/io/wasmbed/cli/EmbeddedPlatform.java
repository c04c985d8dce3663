package io.wasmbed.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wasmbed.controlplane.ControlPlane;
import io.wasmbed.controlplane.api.ApiServer;
import io.wasmbed.controlplane.apps.AppLogs;
import io.wasmbed.gateway.GatewayConfig;
import io.wasmbed.gateway.GatewayServer;
import io.wasmbed.pki.Pki;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform in one process (embedded mode): a durable SQLite store, the PKI, one gateway
 * and the control plane with its API, all under one data directory.
 */
public final class EmbeddedPlatform implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPlatform.class);

  /**
   * Where and how the embedded platform listens.
   *
   * @param bindHost address of the device port
   * @param httpBindHost address of the gateway's health and metrics port
   * @param apiHost address of the control-plane API (loopback unless told otherwise)
   */
  public record Settings(
      Path dataDir,
      String gatewayName,
      String bindHost,
      int gatewayPort,
      String httpBindHost,
      int gatewayHttpPort,
      String apiHost,
      int apiPort,
      Duration heartbeatTimeout,
      Duration ackTimeout) {

    public Settings {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(gatewayName, "gatewayName");
      Objects.requireNonNull(bindHost, "bindHost");
      Objects.requireNonNull(httpBindHost, "httpBindHost");
      Objects.requireNonNull(apiHost, "apiHost");
      Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
      Objects.requireNonNull(ackTimeout, "ackTimeout");
      requirePort("--port", gatewayPort);
      requirePort("--http-port", gatewayHttpPort);
      requirePort("--api-port", apiPort);
      if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
        throw new IllegalArgumentException(
            "--heartbeat-timeout: " + heartbeatTimeout + " (expected: greater than 0)");
      }
    }

    private static void requirePort(String option, int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            option + ": " + port + " (expected: 0 to 65535, 0 for any free port)");
      }
    }

    /**
     * The documented defaults: devices on :4423 on every interface; health and metrics on
     * 127.0.0.1:8080 and the API on 127.0.0.1:4480, both only for this machine.
     */
    public static Settings defaults(Path dataDir) {
      return new Settings(
          dataDir,
          "gateway-0",
          "0.0.0.0",
          GatewayConfig.DEFAULT_PORT,
          "127.0.0.1",
          GatewayConfig.DEFAULT_HTTP_PORT,
          ApiServer.Config.DEFAULTS.host(),
          ApiServer.Config.DEFAULTS.port(),
          GatewayConfig.DEFAULT_HEARTBEAT_TIMEOUT,
          GatewayConfig.DEFAULT_ACK_TIMEOUT);
    }

    /** Every port chosen by the operating system, everything on loopback: demos and tests. */
    public static Settings ephemeral(Path dataDir) {
      return defaults(dataDir).withPorts(0, 0, 0).withBindHost("127.0.0.1");
    }

    public Settings withPorts(int gateway, int gatewayHttp, int api) {
      return new Settings(
          dataDir,
          gatewayName,
          bindHost,
          gateway,
          httpBindHost,
          gatewayHttp,
          apiHost,
          api,
          heartbeatTimeout,
          ackTimeout);
    }

    public Settings withBindHost(String host) {
      return new Settings(
          dataDir,
          gatewayName,
          host,
          gatewayPort,
          httpBindHost,
          gatewayHttpPort,
          apiHost,
          apiPort,
          heartbeatTimeout,
          ackTimeout);
    }

    public Settings withHttpBindHost(String host) {
      return new Settings(
          dataDir,
          gatewayName,
          bindHost,
          gatewayPort,
          host,
          gatewayHttpPort,
          apiHost,
          apiPort,
          heartbeatTimeout,
          ackTimeout);
    }

    public Settings withApiHost(String host) {
      return new Settings(
          dataDir,
          gatewayName,
          bindHost,
          gatewayPort,
          httpBindHost,
          gatewayHttpPort,
          host,
          apiPort,
          heartbeatTimeout,
          ackTimeout);
    }

    public Settings withHeartbeatTimeout(Duration timeout) {
      return new Settings(
          dataDir,
          gatewayName,
          bindHost,
          gatewayPort,
          httpBindHost,
          gatewayHttpPort,
          apiHost,
          apiPort,
          timeout,
          ackTimeout);
    }

    public Settings withAckTimeout(Duration timeout) {
      return new Settings(
          dataDir,
          gatewayName,
          bindHost,
          gatewayPort,
          httpBindHost,
          gatewayHttpPort,
          apiHost,
          apiPort,
          heartbeatTimeout,
          timeout);
    }

    /** Whether the API is reachable from other machines (it speaks plain HTTP). */
    public boolean apiExposed() {
      return !(apiHost.equals("127.0.0.1") || apiHost.equals("localhost") || apiHost.equals("::1"));
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final ResourceStore store;
  private final Pki pki;
  private final PrometheusMeterRegistry meters;
  private final GatewayServer gateway;
  private final ControlPlane controlPlane;

  private EmbeddedPlatform(
      Settings settings,
      Clock clock,
      ResourceStore store,
      Pki pki,
      PrometheusMeterRegistry meters,
      GatewayServer gateway,
      ControlPlane controlPlane) {
    this.settings = settings;
    this.clock = clock;
    this.store = store;
    this.pki = pki;
    this.meters = meters;
    this.gateway = gateway;
    this.controlPlane = controlPlane;
  }

  /** Opens (or creates) everything under the data directory and starts serving. */
  public static EmbeddedPlatform start(Settings settings, Clock clock) {
    createPrivateDirectory(settings.dataDir());
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      SqliteResourceStore store =
          SqliteResourceStore.open(settings.dataDir().resolve("store.db"), clock);
      opened.add(store);
      Pki pki = Pki.loadOrCreate(settings.dataDir().resolve("pki"), clock);
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      GatewayServer gateway =
          new GatewayServer(
              gatewayConfig(settings),
              store,
              pki.gatewayCredentials(settings.gatewayName(), hostnames(settings)),
              pki.deviceTrust(),
              clock,
              meters);
      opened.add(gateway);
      gateway.start();
      ControlPlane controlPlane =
          ControlPlane.start(
              settings.dataDir(), store, pki, clock, meters, apiConfig(settings), appLogs(gateway));
      log.info(
          "Wasmbed is up: devices connect to {}:{}, API on http://{}:{}, data in {}",
          settings.bindHost(),
          gateway.port(),
          settings.apiHost(),
          controlPlane.apiPort(),
          settings.dataDir());
      return new EmbeddedPlatform(settings, clock, store, pki, meters, gateway, controlPlane);
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  private static GatewayConfig gatewayConfig(Settings settings) {
    return new GatewayConfig(
            settings.gatewayName(),
            settings.bindHost(),
            settings.gatewayPort(),
            settings.gatewayHttpPort(),
            settings.heartbeatTimeout(),
            GatewayConfig.DEFAULT_MAX_FRAME_BYTES,
            settings.ackTimeout())
        .withHttpBindHost(settings.httpBindHost());
  }

  /** Names the gateway certificate must carry so devices can verify it. */
  private static List<String> hostnames(Settings settings) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    if (!settings.bindHost().equals("0.0.0.0") && !settings.bindHost().equals("::")) {
      names.add(settings.bindHost());
    }
    return List.copyOf(names);
  }

  private static ApiServer.Config apiConfig(Settings settings) {
    ApiServer.Config d = ApiServer.Config.DEFAULTS;
    return new ApiServer.Config(
        settings.apiHost(), settings.apiPort(), d.maxBodyBytes(), d.rateBurst(), d.ratePerSecond());
  }

  private static AppLogs appLogs(GatewayServer gateway) {
    return app ->
        gateway.recentOutput(app).stream()
            .map(l -> new AppLogs.Line(l.device(), l.kind().name(), l.text(), l.time()))
            .toList();
  }

  private static void createPrivateDirectory(Path dir) {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dir, e);
    }
  }

  public Settings settings() {
    return settings;
  }

  public Clock clock() {
    return clock;
  }

  public ResourceStore store() {
    return store;
  }

  public Pki pki() {
    return pki;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  public GatewayServer gateway() {
    return gateway;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The admin API key, only on the very first start of this data directory. */
  public Optional<String> initialAdminKey() {
    return controlPlane.initialAdminKey();
  }

  public String apiUrl() {
    return "http://" + settings.apiHost() + ":" + controlPlane.apiPort();
  }

  /** The address devices of this machine use to reach the gateway. */
  public String gatewayHost() {
    String bind = settings.bindHost();
    return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
  }

  @Override
  public void close() {
    closeAll(List.of(store, gateway, controlPlane));
    meters.close();
  }

  private static void closeAll(List<AutoCloseable> parts) {
    List<AutoCloseable> reversed = new ArrayList<>(parts);
    java.util.Collections.reverse(reversed);
    for (AutoCloseable part : reversed) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }
}

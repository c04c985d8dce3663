package io.wasmbed.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Keys;
import io.wasmbed.pki.Pki;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.SqliteResourceStore;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** A real gateway on loopback with a real PKI and a real SQLite store, all under one directory. */
final class GatewayFixture implements AutoCloseable {
  static final String GATEWAY = "gw-test";

  final Clock clock = Clock.systemUTC();
  final Pki pki;
  final SqliteResourceStore store;
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final GatewayServer server;
  final EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  GatewayFixture(Path dir, Duration heartbeatTimeout, Duration ackTimeout) {
    this(
        dir,
        heartbeatTimeout,
        ackTimeout,
        UnaryOperator.identity(),
        SqliteResourceStore.DEFAULT_EVENT_RETENTION,
        UnaryOperator.identity());
  }

  /**
   * @param configure adjusts the gateway's configuration
   * @param eventRetention the store's event retention
   * @param storeView what the gateway sees of the store (the store itself, or a wrapper around it)
   */
  GatewayFixture(
      Path dir,
      Duration heartbeatTimeout,
      Duration ackTimeout,
      UnaryOperator<GatewayConfig> configure,
      int eventRetention,
      UnaryOperator<ResourceStore> storeView) {
    this.pki = Pki.loadOrCreate(dir.resolve("pki"), clock);
    this.store = SqliteResourceStore.open(dir.resolve("store.db"), clock, eventRetention);
    GatewayConfig config =
        new GatewayConfig(
            GATEWAY,
            "127.0.0.1",
            0,
            0,
            heartbeatTimeout,
            GatewayConfig.DEFAULT_MAX_FRAME_BYTES,
            ackTimeout);
    this.server =
        new GatewayServer(
            configure.apply(config),
            storeView.apply(store),
            pki.gatewayCredentials(GATEWAY, List.of("localhost", "127.0.0.1")),
            pki.deviceTrust(),
            clock,
            meters);
    server.start();
  }

  GatewayFixture(Path dir) {
    this(dir, Duration.ofSeconds(90), Duration.ofSeconds(10));
  }

  /** Creates a Device for a fresh key and returns the credentials the device CA issued for it. */
  Credentials register(String name) {
    KeyPair keys = Keys.generate(KeyAlgorithm.ED25519);
    store.create(Kind.DEVICE, device(name, keys));
    return issue(pki, name, keys);
  }

  static Device device(String name, KeyPair keys) {
    return new Device(
        ObjectMeta.named(name),
        new Device.Spec(PublicKeys.encode(keys.getPublic()), "test", List.of(), "hw-" + name),
        null);
  }

  static Credentials issue(Pki pki, String name, KeyPair keys) {
    X509Certificate leaf = pki.deviceCa().issueDeviceCertificate(Csrs.create(keys, name), name);
    return new Credentials(keys.getPrivate(), List.of(leaf, pki.deviceCa().certificate()));
  }

  SslContext clientTls(Credentials credentials) {
    return TlsContexts.client(credentials, pki.gatewayCa().certificate());
  }

  RawDevice connect(Credentials credentials) {
    return RawDevice.connect(clients, clientTls(credentials), server.port());
  }

  RawDevice introduce(Credentials credentials, Map<String, String> apps) {
    return RawDevice.introduce(clients, clientTls(credentials), server.port(), apps, false);
  }

  /** A device that acknowledges every Deploy and Stop from its first frame on. */
  RawDevice introduceAcking(Credentials credentials, Map<String, String> apps) {
    return RawDevice.introduce(clients, clientTls(credentials), server.port(), apps, true);
  }

  Device device(String name) {
    return store.get(Kind.DEVICE, name).orElseThrow();
  }

  Optional<Device.AppState> app(String device, String app) {
    return Optional.ofNullable(device(device).status().apps().get(app));
  }

  /** Creates an application with inline bytes, placed on {@code devices} (the controller's job). */
  Application deploy(String name, byte[] module, String digest, List<String> devices) {
    Application.Spec spec =
        new Application.Spec(
            new Application.Module(digest, module, null, null),
            "",
            new Application.Targets(devices, Map.of(), 0),
            null,
            null,
            Map.of("unit", "celsius"),
            null,
            false);
    return create(name, spec, devices);
  }

  /** Like {@link #deploy} with a restart policy and limits. */
  Application deploy(
      String name,
      byte[] module,
      List<String> devices,
      Application.RestartPolicy restartPolicy,
      ModuleLimits limits) {
    Application.Spec spec =
        new Application.Spec(
            new Application.Module(ModuleSources.digestOf(module), module, null, null),
            "",
            new Application.Targets(devices, Map.of(), 0),
            limits,
            null,
            Map.of(),
            restartPolicy,
            false);
    return create(name, spec, devices);
  }

  Application create(String name, Application.Spec spec, List<String> placements) {
    store.create(Kind.APPLICATION, new Application(ObjectMeta.named(name), spec, null));
    return place(name, placements);
  }

  Application place(String name, List<String> devices) {
    return store
        .updateStatus(
            Kind.APPLICATION,
            name,
            a ->
                a.withStatus(
                    new Application.Status(
                        Application.Phase.Deploying,
                        devices,
                        Map.of(),
                        devices.size(),
                        0,
                        0,
                        0,
                        "",
                        0)))
        .orElseThrow();
  }

  void setStopped(String name, boolean stopped) {
    Application app = store.get(Kind.APPLICATION, name).orElseThrow();
    store.update(Kind.APPLICATION, app.withSpec(app.spec().withStopped(stopped)));
  }

  double counter(String name, String... tags) {
    var counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() {
    server.close();
    clients.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    store.close();
  }
}

package io.wasmbed.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wasmbed up}: the control plane and a gateway in one process, until interrupted. */
@Command(
    name = "up",
    description = {
      "Run the control plane and a gateway in one process.",
      "",
      "The control plane is the store, the PKI, the controllers and the API. State lives in the"
          + " data directory; a restart on the same directory keeps devices, applications, keys"
          + " and certificates. The admin API key is printed on first start only and kept in"
          + " <data-dir>/admin.key."
    },
    mixinStandardHelpOptions = true)
final class UpCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (default: $WASMBED_HOME or ~/.wasmbed).")
  Path dataDir;

  @Option(
      names = "--bind",
      paramLabel = "HOST",
      description = "Address for the device port (default: ${DEFAULT-VALUE}).")
  String bind = "0.0.0.0";

  @Option(
      names = "--http-bind",
      paramLabel = "HOST",
      description =
          "Address for the unauthenticated health/metrics port (default: ${DEFAULT-VALUE};"
              + " 0.0.0.0 for a remote Prometheus).")
  String httpBind = "127.0.0.1";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Device TLS port (default: ${DEFAULT-VALUE}).")
  int port = 4423;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Gateway health/metrics port (default: ${DEFAULT-VALUE}).")
  int httpPort = 8080;

  @Option(
      names = "--api-host",
      paramLabel = "HOST",
      description = "Control-plane API address (default: ${DEFAULT-VALUE}).")
  String apiHost = "127.0.0.1";

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      description = "Control-plane API port (default: ${DEFAULT-VALUE}).")
  int apiPort = 4480;

  @Option(
      names = "--heartbeat-timeout",
      paramLabel = "DURATION",
      defaultValue = "90s",
      description = "Silence after which a device is Unreachable (default: ${DEFAULT-VALUE}).")
  Duration heartbeatTimeout;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedPlatform.Settings settings = settings();
    requireFree(bind, port, "--port");
    requireFree(httpBind, httpPort, "--http-port");
    requireFree(apiHost, apiPort, "--api-port");
    PrintWriter out = spec.commandLine().getOut();
    if (settings.apiExposed()) {
      spec.commandLine()
          .getErr()
          .printf(
              "warning: --api-host %s serves the API and its bearer keys over plain HTTP to other"
                  + " machines; put it behind a TLS proxy or keep it on 127.0.0.1%n",
              apiHost);
    }
    EmbeddedPlatform platform = EmbeddedPlatform.start(settings, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  platform.close();
                  stopped.countDown();
                },
                "wasmbed-shutdown"));
    out.printf("Wasmbed is up.%n");
    out.printf(
        "  devices:  %s:%d (TLS 1.3, client certificates)%n", bind, platform.gateway().port());
    out.printf(
        "  health:   http://%s:%d/healthz  metrics: /metrics%n",
        httpBind.equals("0.0.0.0") ? "127.0.0.1" : httpBind, platform.gateway().httpPort());
    out.printf("  API:      %s%n", platform.apiUrl());
    out.printf("  data:     %s%n", settings.dataDir());
    platform
        .initialAdminKey()
        .ifPresent(
            key ->
                out.printf(
                    "%nAdmin API key (shown once; also in %s):%n  %s%n",
                    settings.dataDir().resolve("admin.key"), key));
    out.printf("%nPress Ctrl-C to stop.%n");
    out.flush();
    stopped.await();
    return 0;
  }

  /** Checked before anything is created in the data directory. */
  private EmbeddedPlatform.Settings settings() {
    try {
      return EmbeddedPlatform.Settings.defaults(DataDir.resolve(dataDir))
          .withBindHost(bind)
          .withHttpBindHost(httpBind)
          .withApiHost(apiHost)
          .withPorts(port, httpPort, apiPort)
          .withHeartbeatTimeout(heartbeatTimeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), 2);
    }
  }

  /**
   * Fails with one line when a port is taken, before keys and certificates are created; the
   * platform still reports a port lost in the short race after this check.
   */
  private static void requireFree(String host, int port, String option) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new CliException(
          "cannot listen on "
              + host
              + ":"
              + port
              + ": "
              + e.getMessage()
              + " (choose another with "
              + option
              + ")");
    }
  }
}

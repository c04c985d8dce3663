package io.wasmbed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmbed.device.AgentConfig;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.device.SimulatedSensors;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pem;
import io.wasmbed.sandbox.Sandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wasmbed agent}: one reference device process against any gateway. */
@Command(
    name = "agent",
    description = {
      "Run one device agent against a gateway.",
      "",
      "The device has its own key (created on first run in --dir), its certificate, a mutual TLS connection to the gateway, heartbeats, and its apps in the WebAssembly sandbox. A device without a certificate writes device.csr and exits 3, unless --register asks the control plane (with an operator API key) to register it right away."
    },
    mixinStandardHelpOptions = true)
final class AgentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "Device state directory.")
  Path dir;

  @Option(
      names = "--gateway",
      paramLabel = "HOST:PORT",
      description = "Gateway address (default: ${DEFAULT-VALUE}).")
  String gateway = "127.0.0.1:4423";

  @Option(names = "--name", paramLabel = "NAME", description = "Device name (needed to register).")
  String name;

  @Option(
      names = "--label",
      paramLabel = "K=V",
      description = "Label to register with, repeatable.")
  List<String> labels;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description = "Heartbeat interval (default: ${DEFAULT-VALUE}).")
  Duration heartbeat;

  @Option(
      names = "--key-algorithm",
      description =
          "Key algorithm for a new device key: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  KeyAlgorithm keyAlgorithm = KeyAlgorithm.ED25519;

  @Option(
      names = "--register",
      description =
          "Register this device through the control-plane API (see --api) if it has no certificate.")
  boolean register;

  @Mixin ApiOptions api;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    DataDir.requireNonEmpty("--dir", dir);
    AgentConfig config = config();
    KeyValues.parse("--label", labels); // a usage error must not leave a key behind
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir, keyAlgorithm);
    if (!identity.isEnrolled()) {
      if (!register) {
        return askForRegistration(out, identity);
      }
      register(identity);
      out.printf("device/%s registered and certified%n", identity.deviceName());
    }
    Clock clock = Clock.systemUTC();
    DeviceAgent agent =
        new DeviceAgent(
            config, identity, new Sandbox(new SimulatedSensors(identity.deviceName(), clock)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "wasmbed-agent-shutdown"));
    agent.start();
    out.printf("device/%s connecting to %s (Ctrl-C stops)%n", identity.deviceName(), gateway);
    out.flush();
    try {
      stopped.await();
    } finally {
      agent.close();
    }
    return 0;
  }

  /** Checked before anything is created or registered, so a typo costs nothing. */
  private AgentConfig config() {
    HostAndPort target = HostAndPort.parse(gateway);
    try {
      return AgentConfig.of(target.host(), target.port()).withHeartbeatInterval(heartbeat);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), 2);
    }
  }

  private int askForRegistration(PrintWriter out, DeviceIdentity identity) throws IOException {
    String deviceName = requireName();
    Path csrFile = dir.resolve("device.csr");
    Files.writeString(
        csrFile, Pem.encode(Csrs.parse(identity.csr(deviceName))), StandardCharsets.UTF_8);
    out.printf("This device has no certificate yet. Its request is in %s.%n", csrFile);
    out.printf("Register it (on the control plane), then start the agent again:%n");
    StringBuilder labelFlags = new StringBuilder();
    KeyValues.parse("--label", labels)
        .forEach((k, v) -> labelFlags.append(" --label ").append(k).append('=').append(v));
    out.printf(
        "  wasmbed device register %s --csr %s --out %s%s%n", deviceName, csrFile, dir, labelFlags);
    out.printf("or run the agent with --register to do both in one step.%n");
    out.flush();
    return 3;
  }

  private void register(DeviceIdentity identity) {
    String deviceName = requireName();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", deviceName);
    body.put("csr", Pem.encode(Csrs.parse(identity.csr(deviceName))));
    body.put("labels", KeyValues.parse("--label", labels));
    body.put("deviceType", "simulated");
    JsonNode enrollment = api.client().post("/api/v1/devices", body);
    identity.install(
        deviceName, DeviceCommand.chainOf(enrollment), DeviceCommand.gatewayCaOf(enrollment));
  }

  private String requireName() {
    if (name == null) {
      throw new CliException("--name is required for a device that is not registered yet", 2);
    }
    return name;
  }

  /** {@code host:port}, with the port checked. */
  record HostAndPort(String host, int port) {
    static HostAndPort parse(String text) {
      int colon = text.lastIndexOf(':');
      try {
        int port = Integer.parseInt(text.substring(colon + 1));
        if (colon <= 0 || port < 1 || port > 65_535) {
          throw new NumberFormatException();
        }
        return new HostAndPort(text.substring(0, colon), port);
      } catch (NumberFormatException e) {
        throw new CliException("--gateway: '" + text + "' (expected: host:port)", 2);
      }
    }
  }
}

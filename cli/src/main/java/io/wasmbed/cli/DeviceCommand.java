package io.wasmbed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.Pem;
import io.wasmbed.pki.PublicKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wasmbed device ...}: registered devices and their certificates. */
@Command(
    name = "device",
    description = "List, inspect, register and revoke devices.",
    mixinStandardHelpOptions = true,
    subcommands = {
      DeviceCommand.ListDevices.class,
      DeviceCommand.GetDevice.class,
      DeviceCommand.RegisterDevice.class,
      DeviceCommand.RevokeDevice.class,
      DeviceCommand.DeleteDevice.class
    })
final class DeviceCommand {

  @Command(name = "list", description = "List devices.", mixinStandardHelpOptions = true)
  static final class ListDevices implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Option(
        names = {"-l", "--selector"},
        description = "Label selector, e.g. zone=lab.")
    String selector;

    @Override
    public Integer call() {
      String query =
          selector == null
              ? ""
              : "?selector=" + java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8);
      JsonNode response = api.client().get("/api/v1/devices" + query);
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, OutputFormat.items(response));
      } else {
        printTable(out, OutputFormat.items(response));
      }
      return 0;
    }
  }

  static void printTable(PrintWriter out, List<JsonNode> devices) {
    Table table = new Table("NAME", "PHASE", "GATEWAY", "LAST HEARTBEAT", "APPS", "LABELS");
    for (JsonNode device : devices) {
      JsonNode status = device.path("status");
      table.row(
          device.path("metadata").path("name").asText(),
          OutputFormat.text(status.path("phase"), "Pending"),
          OutputFormat.text(status.path("gateway"), "-"),
          OutputFormat.age(status.path("lastHeartbeat")),
          appSummary(status.path("apps")),
          OutputFormat.labels(device.path("metadata")));
    }
    table.print(out);
  }

  private static String appSummary(JsonNode apps) {
    if (apps.isEmpty()) {
      return "-";
    }
    StringBuilder summary = new StringBuilder();
    apps.fields()
        .forEachRemaining(
            e -> {
              if (summary.length() > 0) {
                summary.append(',');
              }
              summary.append(e.getKey()).append(':').append(e.getValue().path("phase").asText());
            });
    return summary.toString();
  }

  @Command(name = "get", description = "Show one device.", mixinStandardHelpOptions = true)
  static final class GetDevice implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode device = api.client().get(ApiClient.path("devices", name));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, device);
      } else {
        printTable(out, List.of(device));
      }
      return 0;
    }
  }

  @Command(
      name = "register",
      description = {
        "Register a device from its certificate signing request and issue its certificate.",
        "",
        "With --out, writes device.crt and gateway-ca.crt into the agent's --dir."
      },
      mixinStandardHelpOptions = true)
  static final class RegisterDevice implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(paramLabel = "NAME", description = "Device name (lower-case, digits, '-').")
    String name;

    @Option(names = "--csr", required = true, paramLabel = "FILE", description = "PEM CSR.")
    Path csr;

    @Option(names = "--label", paramLabel = "K=V", description = "Label, repeatable.")
    List<String> labels;

    @Option(names = "--type", paramLabel = "TYPE", description = "Device type.")
    String deviceType = "generic";

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "The agent's --dir: installs the certificate there (the key must be there).")
    Path out;

    @Override
    public Integer call() throws IOException {
      byte[] request = InputFile.read("--csr", csr, InputFile.MAX_CSR_BYTES);
      String csrKey = publicKeyOf(request);
      if (out != null) {
        requireKeyOf(out, csrKey);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("csr", new String(request, StandardCharsets.US_ASCII));
      body.put("labels", KeyValues.parse("--label", labels));
      body.put("deviceType", deviceType);
      JsonNode enrollment = api.client().post("/api/v1/devices", body);
      PrintWriter console = spec.commandLine().getOut();
      if (out != null) {
        installInto(out, enrollment);
        console.println("device/" + name + " registered; certificate written to " + out);
      } else {
        OutputFormat.printJson(console, enrollment);
      }
      return 0;
    }

    /**
     * Parses the request here, so that a wrong file (a private key, say) is refused before anything
     * is sent.
     */
    private static String publicKeyOf(byte[] request) {
      try {
        return PublicKeys.encode(Csrs.publicKey(Csrs.parse(request)));
      } catch (RuntimeException e) {
        throw new CliException(
            "--csr: not a certificate signing request (expected: the device.csr an agent"
                + " wrote)",
            2);
      }
    }

    /** Refuses before registering anything when --out holds another device's key. */
    private static void requireKeyOf(Path dir, String csrKey) {
      if (!Files.exists(dir.resolve(DeviceIdentity.KEY_FILE))) {
        throw new CliException(
            "--out: "
                + dir
                + " has no "
                + DeviceIdentity.KEY_FILE
                + " (expected: the agent's --dir)",
            2);
      }
      String deviceKey =
          PublicKeys.encode(DeviceIdentity.loadOrCreate(dir, KeyAlgorithm.ED25519).publicKey());
      if (!csrKey.equals(deviceKey)) {
        throw new CliException(
            "--out: the key in "
                + dir
                + " is not the key of this CSR (expected: the --dir of the"
                + " agent that wrote the CSR)",
            2);
      }
    }

    private void installInto(Path dir, JsonNode enrollment) {
      DeviceIdentity.loadOrCreate(dir, KeyAlgorithm.ED25519)
          .install(name, chainOf(enrollment), gatewayCaOf(enrollment));
    }
  }

  /** The device's certificate chain from a registration response, leaf first. */
  static List<X509Certificate> chainOf(JsonNode enrollment) {
    StringBuilder pem = new StringBuilder();
    enrollment.path("chain").forEach(certificate -> pem.append(certificate.asText()));
    List<X509Certificate> chain = Pem.parseCertificates(pem.toString());
    if (chain.isEmpty()) {
      throw new CliException("the control plane returned no certificate chain");
    }
    return chain;
  }

  static X509Certificate gatewayCaOf(JsonNode enrollment) {
    return Pem.parseCertificates(enrollment.path("gatewayCa").asText()).get(0);
  }

  @Command(
      name = "revoke",
      description = "Revoke a device's certificate and end its live session.",
      mixinStandardHelpOptions = true)
  static final class RevokeDevice extends ResourceAction {
    RevokeDevice() {
      super("devices", "revoke", "revoked");
    }
  }

  @Command(
      name = "delete",
      description = "Delete a device and revoke its certificate.",
      mixinStandardHelpOptions = true)
  static final class DeleteDevice extends ResourceAction {
    DeleteDevice() {
      super("devices", null, "deleted");
    }
  }
}

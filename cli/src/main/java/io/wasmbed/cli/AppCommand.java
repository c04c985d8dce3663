package io.wasmbed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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

/** {@code wasmbed app ...}: deploy WebAssembly applications and follow them. */
@Command(
    name = "app",
    description = "Deploy, list, stop, start and delete applications.",
    mixinStandardHelpOptions = true,
    subcommands = {
      AppCommand.Deploy.class,
      AppCommand.ListApps.class,
      AppCommand.Status.class,
      AppCommand.Stop.class,
      AppCommand.Start.class,
      AppCommand.Delete.class,
      AppCommand.Logs.class
    })
final class AppCommand {

  @Command(
      name = "deploy",
      description = "Deploy a .wasm module to devices chosen by name and/or label selector.",
      mixinStandardHelpOptions = true)
  static final class Deploy implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(paramLabel = "FILE", description = "The WebAssembly module (.wasm).")
    Path file;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        required = true,
        description = "Application name.")
    String name;

    @Option(names = "--to", split = ",", paramLabel = "DEVICE", description = "Device names.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--selector", paramLabel = "K=V", description = "Device label selector.")
    List<String> selector;

    @Option(
        names = "--count",
        paramLabel = "N",
        description = "Run on at most this many devices (0: all).")
    int count;

    @Option(
        names = "--memory-pages",
        paramLabel = "PAGES",
        description = "Memory limit in 64 KiB pages.")
    Integer memoryPages;

    @Option(names = "--max-table", paramLabel = "N", description = "Table size limit in elements.")
    Integer maxTable;

    @Option(
        names = "--instructions",
        paramLabel = "N",
        description = "Instruction budget per call.")
    Long instructions;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        description = "Wall-clock limit per call, e.g. 500ms.")
    Duration timeout;

    @Option(
        names = "--max-call-depth",
        paramLabel = "N",
        description = "Nesting limit of wasm calls.")
    Integer maxCallDepth;

    @Option(
        names = "--max-output",
        paramLabel = "BYTES",
        description = "Output bytes the app may emit per minute.")
    Integer maxOutput;

    @Option(
        names = "--tick",
        paramLabel = "DURATION",
        description = "Tick period, e.g. 1s (0s: never tick).")
    Duration tick;

    @Option(
        names = "--restart",
        paramLabel = "POLICY",
        description = "Never, OnFailure or Always (default: Never).")
    String restartPolicy;

    @Option(names = "--config", paramLabel = "K=V", description = "App configuration, repeatable.")
    List<String> config;

    @Option(
        names = "--allow-import",
        paramLabel = "MODULE.NAME",
        description = "Host import to grant, e.g. wasmbed.log or wasmbed.* (default: wasmbed.*).")
    List<String> allowImports;

    @Option(
        names = "--allow-export",
        paramLabel = "NAME",
        description = "Export the device may call (default: the ABI's init, tick, _start).")
    List<String> allowExports;

    @Option(
        names = "--allow-module",
        paramLabel = "NAME|DIGEST",
        description = "Module the device may run: app name, sha256:<hex> or name@sha256:<hex>.")
    List<String> allowModules;

    @Option(names = "--allow-filesystem", description = "Grant WASI file-system calls.")
    Boolean allowFilesystem;

    @Option(names = "--allow-network", description = "Grant WASI socket calls.")
    Boolean allowNetwork;

    @Option(
        names = "--execution-mode",
        paramLabel = "MODE",
        description = "interpreter, compiled or auto (default: auto).")
    String executionMode;

    @Override
    public Integer call() throws IOException {
      byte[] module = InputFile.read("FILE", file, InputFile.MAX_MODULE_BYTES);
      Map<String, String> labels = KeyValues.parse("--selector", selector);
      if (devices.isEmpty() && labels.isEmpty()) {
        throw new CliException("choose devices with --to a,b or --selector key=value", 2);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("module", Base64.getEncoder().encodeToString(module));
      body.put("targets", Map.of("devices", devices, "selector", labels, "count", count));
      body.put("limits", limits());
      body.put("policy", policy());
      body.put("config", KeyValues.parse("--config", config));
      if (restartPolicy != null) {
        body.put("restartPolicy", restartPolicy);
      }
      JsonNode created = api.client().post("/api/v1/applications", body);
      spec.commandLine()
          .getOut()
          .println(
              "application/"
                  + name
                  + " created ("
                  + created.path("spec").path("module").path("digest").asText()
                  + ")");
      return 0;
    }

    /** Only the limits given on the command line; the control plane fills in the rest. */
    private Map<String, Object> limits() {
      Map<String, Object> limits = new LinkedHashMap<>();
      putIfSet(limits, "maxMemoryPages", memoryPages);
      putIfSet(limits, "maxTableElements", maxTable);
      putIfSet(limits, "instructionBudget", instructions);
      putIfSet(limits, "callTimeoutMillis", timeout == null ? null : timeout.toMillis());
      putIfSet(limits, "maxCallDepth", maxCallDepth);
      putIfSet(limits, "maxOutputBytes", maxOutput);
      putIfSet(limits, "tickMillis", tick == null ? null : tick.toMillis());
      return limits;
    }

    /** Only the grants given on the command line; the rest stays deny-by-default. */
    private Map<String, Object> policy() {
      Map<String, Object> policy = new LinkedHashMap<>();
      putIfSet(policy, "allowedImports", allowImports);
      putIfSet(policy, "allowedExports", allowExports);
      putIfSet(policy, "allowedModules", allowModules);
      putIfSet(policy, "allowFilesystem", allowFilesystem);
      putIfSet(policy, "allowNetwork", allowNetwork);
      putIfSet(policy, "executionMode", executionMode);
      return policy;
    }

    private static void putIfSet(Map<String, Object> body, String field, Object value) {
      if (value != null) {
        body.put(field, value);
      }
    }
  }

  @Command(name = "list", description = "List applications.", mixinStandardHelpOptions = true)
  static final class ListApps implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Override
    public Integer call() {
      List<JsonNode> apps = OutputFormat.items(api.client().get("/api/v1/applications"));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, apps);
      } else {
        printTable(out, apps);
      }
      return 0;
    }
  }

  static void printTable(PrintWriter out, List<JsonNode> apps) {
    Table table = new Table("NAME", "PHASE", "RUNNING", "DIGEST", "MESSAGE");
    for (JsonNode app : apps) {
      JsonNode status = app.path("status");
      String digest = app.path("spec").path("module").path("digest").asText();
      table.row(
          app.path("metadata").path("name").asText(),
          OutputFormat.text(status.path("phase"), "Creating"),
          status.path("running").asInt() + "/" + status.path("total").asInt(),
          digest.length() > 19 ? digest.substring(0, 19) : digest,
          status.path("message").asText());
    }
    table.print(out);
  }

  @Command(
      name = "status",
      description = "Show an application and its state on each device.",
      mixinStandardHelpOptions = true)
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode app = api.client().get(ApiClient.path("applications", name));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, app);
        return 0;
      }
      printTable(out, List.of(app));
      out.println();
      Table devices = new Table("DEVICE", "STATE", "REASON");
      app.path("status")
          .path("devices")
          .fields()
          .forEachRemaining(
              e ->
                  devices.row(
                      e.getKey(),
                      e.getValue().path("phase").asText(),
                      OutputFormat.text(e.getValue().path("reason"), "-")));
      devices.print(out);
      return 0;
    }
  }

  @Command(
      name = "stop",
      description = "Stop an application everywhere.",
      mixinStandardHelpOptions = true)
  static final class Stop extends ResourceAction {
    Stop() {
      super("applications", "stop", "stopping");
    }
  }

  @Command(
      name = "start",
      description = "Start a stopped application.",
      mixinStandardHelpOptions = true)
  static final class Start extends ResourceAction {
    Start() {
      super("applications", "start", "starting");
    }
  }

  @Command(
      name = "delete",
      description = "Stop an application on every device, then delete it.",
      mixinStandardHelpOptions = true)
  static final class Delete extends ResourceAction {
    Delete() {
      super("applications", null, "deleting");
    }
  }

  @Command(
      name = "logs",
      description = "Show recent output (logs and readings) of an application.",
      mixinStandardHelpOptions = true)
  static final class Logs implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      List<JsonNode> lines =
          OutputFormat.items(api.client().get(ApiClient.path("applications", name, "output")));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, lines);
        return 0;
      }
      Table table = new Table("TIME", "DEVICE", "KIND", "TEXT");
      for (JsonNode line : lines) {
        table.row(
            line.path("time").asText(),
            line.path("device").asText(),
            line.path("kind").asText(),
            line.path("text").asText());
      }
      table.print(out);
      return 0;
    }
  }
}

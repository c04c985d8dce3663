package io.wasmbed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
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

/** {@code wasmbed key ...}: API keys for people and tools (admin only). */
@Command(
    name = "key",
    description = "Create, list and revoke API keys (roles: admin, operator, viewer).",
    mixinStandardHelpOptions = true,
    subcommands = {
      KeyCommand.CreateKey.class,
      KeyCommand.ListKeys.class,
      KeyCommand.RevokeKey.class
    })
final class KeyCommand {

  @Command(
      name = "create",
      description = {
        "Create an API key and print it once; only its hash is stored.",
        "operator: read and write devices and applications; viewer: read only."
      },
      mixinStandardHelpOptions = true)
  static final class CreateKey implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(paramLabel = "NAME", description = "What the key is for, e.g. ci-pipeline.")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "admin, operator or viewer.")
    String role;

    @Option(
        names = "--valid-for",
        paramLabel = "DURATION",
        description = "Expire after this long, e.g. 720h (default: never).")
    Duration validFor;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("role", role);
      if (validFor != null) {
        body.put("validFor", validFor.toString());
      }
      JsonNode created = api.client().post("/api/v1/keys", body);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "key %s (%s) created; it is shown only now:%n%s%n",
          created.path("id").asText(), created.path("role").asText(), created.path("key").asText());
      return 0;
    }
  }

  @Command(name = "list", description = "List API keys.", mixinStandardHelpOptions = true)
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;
    @Mixin OutputFormat output;

    @Override
    public Integer call() {
      List<JsonNode> keys = OutputFormat.items(api.client().get("/api/v1/keys"));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.printJson(out, keys);
        return 0;
      }
      Table table = new Table("ID", "NAME", "ROLE", "EXPIRES", "LAST USED", "REVOKED");
      for (JsonNode key : keys) {
        table.row(
            key.path("id").asText(),
            key.path("name").asText(),
            key.path("role").asText(),
            OutputFormat.text(key.path("expiresAt"), "never"),
            OutputFormat.age(key.path("lastUsedAt")),
            OutputFormat.text(key.path("revokedAt"), "-"));
      }
      table.print(out);
      return 0;
    }
  }

  @Command(
      name = "revoke",
      description = "Revoke an API key by id.",
      mixinStandardHelpOptions = true)
  static final class RevokeKey extends ResourceAction {
    RevokeKey() {
      super("keys", null, "revoked");
    }
  }
}

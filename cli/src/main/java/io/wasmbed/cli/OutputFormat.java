package io.wasmbed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wasmbed.store.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The {@code -o table|json} option shared by every command that shows resources. */
final class OutputFormat {

  enum Kind {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  Kind kind = Kind.table;

  boolean json() {
    return kind == Kind.json;
  }

  static void printJson(PrintWriter out, Object value) {
    try {
      out.println(
          Json.mapper()
              .writer()
              .with(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new CliException("cannot print JSON: " + e.getOriginalMessage());
    }
  }

  /** A list response is either a JSON array or an object with an {@code items} array. */
  static List<JsonNode> items(JsonNode listResponse) {
    JsonNode array = listResponse.isArray() ? listResponse : listResponse.path("items");
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }

  static String labels(JsonNode metadata) {
    Map<String, String> labels =
        Json.mapper()
            .convertValue(
                metadata.path("labels"),
                Json.mapper()
                    .getTypeFactory()
                    .constructMapType(java.util.TreeMap.class, String.class, String.class));
    if (labels == null || labels.isEmpty()) {
      return "<none>";
    }
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /**
   * An ISO-8601 instant as its age, the way kubectl shows it: {@code 4s}, {@code 3m}, {@code 2h}.
   */
  static String age(JsonNode instant) {
    if (instant == null || instant.isMissingNode() || instant.isNull()) {
      return "-";
    }
    try {
      java.time.Duration age =
          java.time.Duration.between(
              java.time.Instant.parse(instant.asText()), java.time.Instant.now());
      long seconds = Math.max(0, age.getSeconds());
      if (seconds < 120) {
        return seconds + "s ago";
      }
      return seconds < 7200 ? seconds / 60 + "m ago" : seconds / 3600 + "h ago";
    } catch (java.time.format.DateTimeParseException e) {
      return instant.asText();
    }
  }

  static String text(JsonNode node, String orElse) {
    return node == null || node.isMissingNode() || node.isNull() || node.asText().isEmpty()
        ? orElse
        : node.asText();
  }
}

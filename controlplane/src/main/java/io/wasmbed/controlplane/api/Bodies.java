package io.wasmbed.controlplane.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.wasmbed.controlplane.apps.DeployRequest;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.store.Application;
import io.wasmbed.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Request bodies as the API accepts them: every field optional at the JSON level (boxed types), so
 * that a missing field is reported by name by the service's checks instead of as a Jackson error.
 */
public final class Bodies {

  private Bodies() {}

  /** {@code POST /api/v1/applications}. */
  public record DeployBody(
      String name,
      byte[] module,
      TargetsBody targets,
      LimitsBody limits,
      PolicyBody policy,
      Map<String, String> config,
      Map<String, String> labels,
      Application.RestartPolicy restartPolicy) {

    DeployRequest toRequest() {
      requireNoNulls("config", config);
      requireNoNulls("labels", labels);
      return new DeployRequest(
          name,
          module,
          targets == null ? null : prefixed("targets", targets::toTargets),
          limits == null ? null : prefixed("limits", limits::toLimits),
          policy == null ? null : prefixed("policy", policy::toPolicy),
          config,
          labels,
          restartPolicy);
    }
  }

  public record TargetsBody(List<String> devices, Map<String, String> selector, Integer count) {
    Application.Targets toTargets() {
      requireNoNulls("targets.devices", devices);
      requireNoNulls("targets.selector", selector);
      return new Application.Targets(devices, selector, count == null ? 0 : count);
    }
  }

  /** Missing fields take the values of {@link ModuleLimits#DEFAULTS}. */
  public record LimitsBody(
      Integer maxMemoryPages,
      Integer maxTableElements,
      Long instructionBudget,
      Long callTimeoutMillis,
      Integer maxCallDepth,
      Integer maxOutputBytes,
      Long tickMillis) {
    ModuleLimits toLimits() {
      ModuleLimits d = ModuleLimits.DEFAULTS;
      return new ModuleLimits(
          or(maxMemoryPages, d.maxMemoryPages()),
          or(maxTableElements, d.maxTableElements()),
          or(instructionBudget, d.instructionBudget()),
          or(callTimeoutMillis, d.callTimeoutMillis()),
          or(maxCallDepth, d.maxCallDepth()),
          or(maxOutputBytes, d.maxOutputBytes()),
          or(tickMillis, d.tickMillis()));
    }
  }

  /** Missing fields take the values of {@link ModulePolicy#DEFAULT}. */
  public record PolicyBody(
      List<String> allowedImports,
      List<String> allowedExports,
      Boolean allowFilesystem,
      Boolean allowNetwork,
      String executionMode,
      List<String> allowedModules) {
    ModulePolicy toPolicy() {
      requireNoNulls("policy.allowedImports", allowedImports);
      requireNoNulls("policy.allowedExports", allowedExports);
      requireNoNulls("policy.allowedModules", allowedModules);
      ModulePolicy d = ModulePolicy.DEFAULT;
      return new ModulePolicy(
          or(allowedImports, d.allowedImports()),
          or(allowedExports, d.allowedExports()),
          or(allowFilesystem, d.allowFilesystem()),
          or(allowNetwork, d.allowNetwork()),
          or(executionMode, d.executionMode()),
          or(allowedModules, d.allowedModules()));
    }
  }

  /**
   * {@code POST /api/v1/devices}.
   *
   * @param csr PEM text, or base64 of the DER bytes
   */
  public record RegisterBody(
      String name, String csr, Map<String, String> labels, String deviceType) {
    Map<String, String> checkedLabels() {
      requireNoNulls("labels", labels);
      return labels;
    }

    byte[] csrBytes() {
      if (csr == null) {
        return null;
      }
      String text = csr.strip();
      if (text.startsWith("-----BEGIN")) {
        return text.getBytes(StandardCharsets.US_ASCII);
      }
      try {
        return text.contains("-") || text.contains("_")
            ? Base64.getUrlDecoder().decode(text)
            : Base64.getMimeDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(
            "csr: not PEM and not base64 ("
                + e.getMessage()
                + ") (expected: a PKCS#10 request as PEM or base64 DER)");
      }
    }
  }

  /**
   * {@code POST /api/v1/keys}.
   *
   * @param validFor ISO-8601 duration such as {@code P90D}; absent for a key that does not expire
   */
  public record KeyBody(String name, String role, Duration validFor) {}

  /** Reads a JSON body into {@code type}, turning every parse problem into a 400 naming it. */
  static <T> T read(byte[] body, Class<T> type) {
    if (body == null || body.length == 0) {
      throw ApiError.badRequest("body: empty (expected: a JSON object)");
    }
    try {
      T value = Json.mapper().readValue(body, type);
      if (value == null) {
        throw ApiError.badRequest("body: null (expected: a JSON object)");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(describe(e));
    } catch (IOException e) {
      throw ApiError.badRequest("body: unreadable (" + e.getMessage() + ")");
    }
  }

  private static String describe(JsonProcessingException e) {
    if (e instanceof JsonParseException) {
      return "body: malformed JSON at "
          + location(e)
          + ": "
          + e.getOriginalMessage()
          + " (expected: a JSON object)";
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      return path(unknown)
          + ": unknown field (expected one of: "
          + unknown.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "))
          + ")";
    }
    if (e instanceof ValueInstantiationException instantiation
        && instantiation.getCause() instanceof IllegalArgumentException cause) {
      return cause.getMessage();
    }
    if (e instanceof JsonMappingException mapping) {
      return path(mapping) + ": " + firstLine(mapping.getOriginalMessage());
    }
    return "body: " + firstLine(e.getOriginalMessage());
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "body" : path.toString();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "unknown position"
        : "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "invalid";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** Runs a record constructor, naming the enclosing field in what it refuses. */
  private static <T> T prefixed(String field, Supplier<T> construct) {
    try {
      return construct.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? "invalid" : e.getMessage();
      throw ApiError.badRequest(message.startsWith(field) ? message : field + "." + message);
    }
  }

  private static void requireNoNulls(String field, List<String> values) {
    if (values != null && values.contains(null)) {
      throw ApiError.badRequest(
          field + "[" + values.indexOf(null) + "]: null (expected: a string)");
    }
  }

  private static void requireNoNulls(String field, Map<String, String> values) {
    if (values != null && values.containsValue(null)) {
      String key =
          values.entrySet().stream()
              .filter(e -> e.getValue() == null)
              .map(Map.Entry::getKey)
              .findFirst()
              .orElse("?");
      throw ApiError.badRequest(field + "." + key + ": null (expected: a string)");
    }
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}

package io.wasmbed.controlplane.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
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
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Request bodies as the API accepts them: every field optional at the JSON level (boxed types), so
 * that a missing field is reported by name by the service's checks instead of as a Jackson error.
 */
public final class Bodies {

  private static final int ECHO_CHARS = 64;

  /** The shared mapper, but a fraction for an integer field is refused rather than truncated. */
  private static final ObjectReader READER =
      Json.mapper().reader().without(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

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
      String restartPolicy) {

    DeployRequest toRequest() {
      requireNoNulls("config", config);
      requireNoNulls("labels", labels);
      Application.RestartPolicy parsedRestartPolicy = parseRestartPolicy(restartPolicy);
      return new DeployRequest(
          name,
          module,
          targets == null ? null : prefixed("targets", targets::toTargets),
          limits == null ? null : prefixed("limits", limits::toLimits),
          policy == null ? null : prefixed("policy", policy::toPolicy),
          config,
          labels,
          parsedRestartPolicy);
    }
  }

  /** The restart policy by its exact name, as the API returns it; null stays null (the default). */
  static Application.RestartPolicy parseRestartPolicy(String value) {
    if (value == null) {
      return null;
    }
    for (Application.RestartPolicy policy : Application.RestartPolicy.values()) {
      if (policy.name().equals(value)) {
        return policy;
      }
    }
    throw ApiError.badRequest(
        "restartPolicy: "
            + quote(value)
            + " (expected: "
            + oneOf(Application.RestartPolicy.class)
            + ")");
  }

  /** {@code A, B or C} for the constants of an enum. */
  private static String oneOf(Class<?> enumType) {
    Object[] constants = enumType.getEnumConstants();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < constants.length; i++) {
      if (i > 0) {
        out.append(i == constants.length - 1 ? " or " : ", ");
      }
      out.append(constants[i]);
    }
    return out.toString();
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
      T value = READER.readValue(body, type);
      if (value == null) {
        throw ApiError.badRequest("body: null (expected: a JSON object)");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(describe(e));
    } catch (IOException e) {
      throw ApiError.badRequest("body: unreadable (expected: a JSON object)");
    }
  }

  /**
   * What is wrong with a body, in the API's words: the field path, the value where Jackson knows
   * it, and what was expected. Jackson's own messages name Java types, so they are never passed on
   * except for parse errors, which describe only the JSON text.
   */
  private static String describe(JsonProcessingException e) {
    if (e instanceof JsonParseException) {
      return "body: malformed JSON at "
          + location(e)
          + ": "
          + parseProblem(e.getOriginalMessage())
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
    if (e instanceof ValueInstantiationException instantiation) {
      if (instantiation.getCause() instanceof IllegalArgumentException cause
          && cause.getMessage() != null) {
        return cause.getMessage();
      }
      return path(instantiation) + ": invalid value";
    }
    if (e instanceof MismatchedInputException mismatch) {
      String original = mismatch.getOriginalMessage();
      if (original != null && original.startsWith("Trailing token")) {
        return "body: content after the JSON object (expected: a single JSON object)";
      }
      Class<?> target = mismatch.getTargetType();
      String value =
          mismatch instanceof InvalidFormatException format && format.getValue() != null
              ? quote(String.valueOf(format.getValue()))
              : "wrong type";
      return path(mismatch)
          + ": "
          + value
          + (target == null ? "" : " (expected: " + expected(target) + ")");
    }
    if (e instanceof JsonMappingException mapping) {
      return path(mapping) + ": invalid value";
    }
    return "body: unreadable JSON (expected: a JSON object)";
  }

  /** What a value of {@code type} looks like in JSON. */
  private static String expected(Class<?> type) {
    if (type.isEnum()) {
      return oneOf(type);
    }
    if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class
        || type == Short.class
        || type == short.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == byte[].class) {
      return "base64 text";
    }
    if (type == Duration.class) {
      return "an ISO-8601 duration such as P90D";
    }
    if (type == Instant.class) {
      return "an ISO-8601 time such as 2026-01-01T00:00:00Z";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a JSON array";
    }
    return "a JSON object";
  }

  /** Jackson's description of a JSON syntax error, without its source excerpt. */
  private static String parseProblem(String message) {
    String text = firstLine(message);
    for (String cut : List.of(" (start marker at", " at [Source")) {
      int at = text.indexOf(cut);
      if (at >= 0) {
        text = text.substring(0, at);
      }
    }
    return text;
  }

  /** A value quoted for a message, shortened if long. */
  private static String quote(String value) {
    return value.length() <= ECHO_CHARS
        ? "'" + value + "'"
        : "'" + value.substring(0, ECHO_CHARS) + "'... (" + value.length() + " characters)";
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

package io.wasmbed.controlplane;

import io.wasmbed.store.Labels;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks for the names and labels callers send, with errors that name the field. */
public final class Names {

  private static final Pattern RESOURCE_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private Names() {}

  /** Returns {@code name} if it is a valid resource name. */
  public static String requireResourceName(String field, String name) {
    if (name == null || !RESOURCE_NAME.matcher(name).matches()) {
      throw new ControlPlaneException.Invalid(
          field,
          name == null ? "missing" : "'" + name + "'",
          "lower-case letters, digits, '-' and '.', 1-253 characters, "
              + "starting and ending with a letter or digit");
    }
    return name;
  }

  /** Returns {@code labels} (empty for null) if every key and value is valid. */
  public static Map<String, String> requireLabels(String field, Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getKey() == null || !Labels.isValidKey(label.getKey())) {
        throw new ControlPlaneException.Invalid(
            field,
            "key '" + label.getKey() + "'",
            "[prefix/]name, name 1-63 letters, digits, '-', '_' or '.', alphanumeric at both ends");
      }
      if (label.getValue() == null || !Labels.isValidValue(label.getValue())) {
        throw new ControlPlaneException.Invalid(
            field + "." + label.getKey(),
            "'" + label.getValue() + "'",
            "1-63 letters, digits, '-', '_' or '.', alphanumeric at both ends");
      }
    }
    return labels;
  }
}

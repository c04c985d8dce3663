package io.wasmbed.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses repeated {@code key=value} options. */
final class KeyValues {

  private KeyValues() {}

  static Map<String, String> parse(String option, List<String> pairs) {
    Map<String, String> result = new LinkedHashMap<>();
    if (pairs == null) {
      return result;
    }
    for (String pair : pairs) {
      for (String term : pair.split(",")) {
        int eq = term.indexOf('=');
        if (eq <= 0) {
          throw new CliException(option + ": '" + term + "' (expected: key=value)", 2);
        }
        String key = term.substring(0, eq).trim();
        String previous = result.put(key, term.substring(eq + 1).trim());
        if (previous != null) {
          throw new CliException(
              option + ": '" + key + "' given twice (expected: each key once)", 2);
        }
      }
    }
    return result;
  }
}

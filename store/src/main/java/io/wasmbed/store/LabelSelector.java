package io.wasmbed.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Equality-based label selector, {@code k1=v1,k2=v2}: a resource matches when it has every pair.
 * The empty selector matches everything.
 */
public record LabelSelector(Map<String, String> matchLabels) {

  public static final LabelSelector ALL = new LabelSelector(Map.of());

  public LabelSelector {
    matchLabels = matchLabels == null ? Map.of() : Map.copyOf(matchLabels);
  }

  /**
   * Parses {@code k=v[,k=v...]}; {@code k==v} is accepted as a synonym. Whitespace around terms is
   * ignored; null or blank text selects everything. Keys and values follow {@link Labels}. Only
   * equality is supported: {@code !=}, {@code in (...)} and bare keys are rejected.
   *
   * @throws IllegalArgumentException naming the bad term, for example {@code labelSelector: 'a='
   *     (expected: key=value)}
   */
  public static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return ALL;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String rawTerm : text.split(",", -1)) {
      String term = rawTerm.strip();
      int eq = term.indexOf('=');
      String key = eq < 0 ? "" : term.substring(0, eq).strip();
      String value = eq < 0 ? "" : term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1);
      value = value.strip();
      if (key.isEmpty() || value.isEmpty() || key.endsWith("!")) {
        throw badTerm(term, "key=value");
      }
      if (!Labels.isValidKey(key)) {
        throw badTerm(term, "key=value where key is " + Labels.KEY_RULE);
      }
      if (!Labels.isValidValue(value)) {
        throw badTerm(term, "key=value where value is " + Labels.VALUE_RULE);
      }
      if (labels.putIfAbsent(key, value) != null) {
        throw badTerm(term, "each key once");
      }
    }
    return new LabelSelector(labels);
  }

  private static IllegalArgumentException badTerm(String term, String expected) {
    return new IllegalArgumentException(
        "labelSelector: '" + term + "' (expected: " + expected + ")");
  }

  /** Renders the selector as {@code k=v,...} with keys sorted, the inverse of {@link #parse}. */
  @Override
  public String toString() {
    return new TreeMap<>(matchLabels)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  public boolean matches(Map<String, String> labels) {
    return matchLabels.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}

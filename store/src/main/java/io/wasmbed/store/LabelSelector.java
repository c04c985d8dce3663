package io.wasmbed.store;

import java.util.Map;

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
   * Parses {@code k=v[,k=v...]}.
   *
   * @throws IllegalArgumentException naming the bad term
   */
  public static LabelSelector parse(String text) {
    throw new UnsupportedOperationException("implemented by the store module");
  }

  public boolean matches(Map<String, String> labels) {
    return matchLabels.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}

package io.wasmbed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {

  @Test
  void parsesEqualityTerms() {
    LabelSelector selector = LabelSelector.parse(" zone = north ,tier==edge,example.com/role=gw");

    assertThat(selector.matchLabels())
        .isEqualTo(Map.of("zone", "north", "tier", "edge", "example.com/role", "gw"));
  }

  @Test
  void blankOrNullSelectsEverything() {
    assertThat(LabelSelector.parse(null)).isEqualTo(LabelSelector.ALL);
    assertThat(LabelSelector.parse("  ")).isEqualTo(LabelSelector.ALL);
    assertThat(LabelSelector.ALL.matches(Map.of())).isTrue();
  }

  @Test
  void matchesWhenEveryPairIsPresent() {
    LabelSelector selector = LabelSelector.parse("zone=north,tier=edge");

    assertThat(selector.matches(Map.of("zone", "north", "tier", "edge", "x", "y"))).isTrue();
    assertThat(selector.matches(Map.of("zone", "north"))).isFalse();
    assertThat(selector.matches(Map.of("zone", "south", "tier", "edge"))).isFalse();
  }

  @Test
  void toStringIsTheSortedInverseOfParse() {
    LabelSelector selector = LabelSelector.parse("zone=north,app=x");

    assertThat(selector.toString()).isEqualTo("app=x,zone=north");
    assertThat(LabelSelector.parse(selector.toString())).isEqualTo(selector);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a=|'a=' (expected: key=value)",
        "=b|'=b' (expected: key=value)",
        "a|'a' (expected: key=value)",
        "a!=b|'a!=b' (expected: key=value)",
        "a=1,,b=2|'' (expected: key=value)",
        "a=1,|'' (expected: key=value)",
        "a=1,a=2|'a=2' (expected: each key once)",
        "bad key=1|'bad key=1' (expected: key=value where key is",
        "a=b c|'a=b c' (expected: key=value where value is",
        "-a=1|'-a=1' (expected: key=value where key is",
        "Example.com/a=1|'Example.com/a=1' (expected: key=value where key is",
      })
  void rejectsBadTermsNamingThem(String text, String message) {
    assertThatThrownBy(() -> LabelSelector.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("labelSelector: " + message);
  }

  @Test
  void rejectsOverlongNamesAndValues() {
    String long64 = "a".repeat(64);

    assertThatThrownBy(() -> LabelSelector.parse(long64 + "=1"))
        .hasMessageContaining("where key is");
    assertThatThrownBy(() -> LabelSelector.parse("a=" + long64))
        .hasMessageContaining("where value is");
    assertThat(LabelSelector.parse("a".repeat(63) + "=" + "b".repeat(63)).matchLabels()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zone", "a.b_c-d", "wasmbed.github.io/role", "A1", "x"})
  void acceptsKubernetesStyleKeys(String key) {
    assertThat(Labels.isValidKey(key)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "a/", "a b", "_a", "a_", "UPPER.com/a", "a/b/c"})
  void rejectsMalformedKeys(String key) {
    assertThat(Labels.isValidKey(key)).isFalse();
  }
}

package io.wasmbed.store;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Label key and value rules, a simplified form of Kubernetes':
 *
 * <ul>
 *   <li>key: an optional prefix (a lower-case DNS subdomain of at most 253 characters) and {@code
 *       /}, then a name of 1-63 characters: letters, digits, {@code -}, {@code _} and {@code .},
 *       starting and ending with a letter or digit;
 *   <li>value: 1-63 characters with the same rule as the name. Unlike Kubernetes an empty value is
 *       not allowed, so that {@code a=} in a selector can be rejected as the typo it usually is.
 * </ul>
 */
public final class Labels {

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern PREFIX =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final String KEY_RULE =
      "[prefix/]name, name 1-63 letters, digits, '-', '_' or '.' starting and ending"
          + " with a letter or digit, prefix a lower-case DNS subdomain";
  static final String VALUE_RULE =
      "1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit";

  private Labels() {}

  public static boolean isValidKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return NAME.matcher(key).matches();
    }
    String prefix = key.substring(0, slash);
    return prefix.length() <= 253
        && PREFIX.matcher(prefix).matches()
        && NAME.matcher(key.substring(slash + 1)).matches();
  }

  public static boolean isValidValue(String value) {
    return NAME.matcher(value).matches();
  }

  /**
   * Checks every label.
   *
   * @throws IllegalArgumentException naming the first bad key or value
   */
  public static void check(Map<String, String> labels) {
    labels.forEach(Labels::check);
  }

  /**
   * Checks one label.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static void check(String key, String value) {
    if (!isValidKey(key)) {
      throw new IllegalArgumentException("label key '" + key + "' (expected: " + KEY_RULE + ")");
    }
    if (!isValidValue(value)) {
      throw new IllegalArgumentException(
          "label '" + key + "' value '" + value + "' (expected: " + VALUE_RULE + ")");
    }
  }
}

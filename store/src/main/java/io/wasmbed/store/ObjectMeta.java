package io.wasmbed.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kubernetes-style object metadata. The store assigns {@code uid}, {@code resourceVersion} and
 * {@code creationTimestamp}; callers set {@code name} and {@code labels}.
 *
 * @param deletionTimestamp set when deletion was requested but cleanup is still running
 */
public record ObjectMeta(
    String name,
    Map<String, String> labels,
    String uid,
    long resourceVersion,
    long generation,
    Instant creationTimestamp,
    Instant deletionTimestamp) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public ObjectMeta {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "metadata.name: '"
              + name
              + "' (expected: lower-case letters, digits, '-' and '.', 1-253 characters, "
              + "starting and ending with a letter or digit)");
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    uid = uid == null ? "" : uid;
  }

  public static ObjectMeta named(String name) {
    return new ObjectMeta(name, Map.of(), "", 0, 0, null, null);
  }

  public static ObjectMeta named(String name, Map<String, String> labels) {
    return new ObjectMeta(name, labels, "", 0, 0, null, null);
  }

  public ObjectMeta withResourceVersion(long version) {
    return new ObjectMeta(
        name, labels, uid, version, generation, creationTimestamp, deletionTimestamp);
  }

  public ObjectMeta withLabels(Map<String, String> newLabels) {
    return new ObjectMeta(
        name, newLabels, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp);
  }

  public ObjectMeta withDeletionTimestamp(Instant when) {
    return new ObjectMeta(name, labels, uid, resourceVersion, generation, creationTimestamp, when);
  }

  public boolean deleting() {
    return deletionTimestamp != null;
  }
}

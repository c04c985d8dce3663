package io.wasmbed.store;

/** A store operation failed; the subclasses name the failures callers handle. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final String name;

  public StoreException(String kind, String name, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.name = name;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  /** No resource of that kind with that name. */
  public static final class NotFound extends StoreException {
    private static final long serialVersionUID = 1L;

    public NotFound(String kind, String name) {
      super(kind, name, kind + " '" + name + "' not found", null);
    }
  }

  /** The name is already taken. */
  public static final class AlreadyExists extends StoreException {
    private static final long serialVersionUID = 1L;

    public AlreadyExists(String kind, String name) {
      super(kind, name, kind + " '" + name + "' already exists", null);
    }
  }

  /** The write carried a resourceVersion other than the stored one. */
  public static final class Conflict extends StoreException {
    private static final long serialVersionUID = 1L;

    public Conflict(String kind, String name, long expected, long actual) {
      super(
          kind,
          name,
          kind
              + " '"
              + name
              + "' was modified: resourceVersion "
              + actual
              + " (expected: "
              + expected
              + ")",
          null);
    }
  }

  /**
   * A watch asked for changes older than the oldest one the store still keeps (like Kubernetes' 410
   * Gone). Re-list: watch from resourceVersion 0 to replay the current state.
   */
  public static final class Expired extends StoreException {
    private static final long serialVersionUID = 1L;

    private final long requestedResourceVersion;
    private final long oldestResourceVersion;

    public Expired(String kind, long requestedResourceVersion, long oldestResourceVersion) {
      super(
          kind,
          null,
          "watch of "
              + kind
              + " from resourceVersion "
              + requestedResourceVersion
              + " expired (expected: at least "
              + oldestResourceVersion
              + ", older changes are no longer kept; watch from 0 to replay the current state)",
          null);
      this.requestedResourceVersion = requestedResourceVersion;
      this.oldestResourceVersion = oldestResourceVersion;
    }

    public long requestedResourceVersion() {
      return requestedResourceVersion;
    }

    /** The smallest resourceVersion a watch may start from now. */
    public long oldestResourceVersion() {
      return oldestResourceVersion;
    }
  }

  /** The stored form of a resource could not be read back. */
  public static final class Corrupt extends StoreException {
    private static final long serialVersionUID = 1L;

    public Corrupt(String kind, String name, Throwable cause) {
      super(kind, name, kind + " '" + name + "' is stored corrupt: " + rootMessage(cause), cause);
    }

    private static String rootMessage(Throwable cause) {
      Throwable root = cause;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String message = String.valueOf(root.getMessage());
      int newline = message.indexOf('\n');
      return newline < 0 ? message : message.substring(0, newline);
    }
  }

  /** The resource breaks a rule the store enforces (labels, fields the store owns). */
  public static final class Invalid extends StoreException {
    private static final long serialVersionUID = 1L;

    public Invalid(String kind, String name, String problem) {
      super(kind, name, kind + " '" + name + "' is invalid: " + problem, null);
    }
  }
}

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
}

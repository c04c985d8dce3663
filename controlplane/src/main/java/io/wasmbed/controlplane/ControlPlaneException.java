package io.wasmbed.controlplane;

import java.util.Objects;

/**
 * A control-plane request was refused. The subclasses name the ways requests fail; the HTTP API
 * maps each to a status code.
 */
public class ControlPlaneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ControlPlaneException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A field of a request has a value outside what is accepted. */
  public static final class Invalid extends ControlPlaneException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public Invalid(String field, Object value, String expected) {
      this(field, value, expected, null);
    }

    public Invalid(String field, Object value, String expected, Throwable cause) {
      super(field + ": " + value + " (expected: " + expected + ")", cause);
      this.field = Objects.requireNonNull(field, "field");
    }

    public String field() {
      return field;
    }
  }

  /** The request is valid but clashes with existing state, for example a key already in use. */
  public static final class Conflict extends ControlPlaneException {
    private static final long serialVersionUID = 1L;

    public Conflict(String message) {
      super(message, null);
    }
  }

  /** The request is too large. */
  public static final class TooLarge extends ControlPlaneException {
    private static final long serialVersionUID = 1L;

    public TooLarge(String field, long size, long limit) {
      super(field + ": " + size + " bytes (expected: at most " + limit + " bytes)", null);
    }

    /**
     * {@code module: 5000000 bytes (4.8 MiB) (expected: at most 4194304 bytes (4 MiB), the module
     * size limit)}.
     *
     * @param limitName what the limit is, in the user's words
     */
    public TooLarge(String field, long size, long limit, String limitName) {
      super(
          field
              + ": "
              + Sizes.describe(size)
              + " (expected: at most "
              + Sizes.describe(limit)
              + ", "
              + limitName
              + ")",
          null);
    }
  }

  /**
   * The module would be refused by every device: the sandbox's own check ({@code
   * io.wasmbed.sandbox.ModuleCheck}) refused it. The message is the sandbox's reason.
   */
  public static final class ModuleRefused extends ControlPlaneException {
    private static final long serialVersionUID = 1L;

    private final String kind;

    public ModuleRefused(String kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** The sandbox's refusal kind ({@code invalid_module}, {@code limit_exceeded}...). */
    public String kind() {
      return kind;
    }
  }
}

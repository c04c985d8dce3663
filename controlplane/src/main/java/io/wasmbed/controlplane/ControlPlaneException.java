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
  }
}

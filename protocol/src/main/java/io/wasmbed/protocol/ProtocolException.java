package io.wasmbed.protocol;

/** The bytes received are not a valid Wasmbed frame; the message says what was wrong. */
public class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}

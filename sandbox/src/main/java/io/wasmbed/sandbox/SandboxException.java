package io.wasmbed.sandbox;

/** The sandbox refused or ended a module; the message is the reason reported to the operator. */
public class SandboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }
}

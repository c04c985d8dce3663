package io.wasmbed.gateway;

/**
 * A gateway could not do what it was asked, with a message fit to show an operator as one line:
 * what failed, where, and what to do about it.
 */
public class GatewayException extends RuntimeException {
  private final String gateway;

  public GatewayException(String gateway, String message, Throwable cause) {
    super(message, cause);
    this.gateway = gateway;
  }

  /** The name of the gateway that failed. */
  public String gateway() {
    return gateway;
  }
}

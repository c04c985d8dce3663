package io.wasmbed.pki;

/** Unchecked failure of a PKI operation: bad input, unreadable file, refused request. */
public class PkiException extends RuntimeException {
  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}

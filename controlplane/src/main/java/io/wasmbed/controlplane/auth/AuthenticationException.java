package io.wasmbed.controlplane.auth;

import java.util.Objects;

/**
 * A presented API key was not accepted. Carries the key's visible id when one could be read, never
 * the key itself.
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the key was refused; the name is used as the metrics tag and in logs. */
  public enum Reason {
    missing_key,
    malformed_key,
    unknown_key,
    wrong_secret,
    expired_key,
    revoked_key
  }

  private final Reason reason;
  private final String keyId;

  public AuthenticationException(Reason reason, String keyId, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.keyId = keyId == null ? "" : keyId;
  }

  public Reason reason() {
    return reason;
  }

  /** The visible id of the refused key, empty if none could be read. */
  public String keyId() {
    return keyId;
  }
}

package io.wasmbed.controlplane.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known about an API key, without its secret.
 *
 * @param id the key's visible prefix ({@code wb_} and 8 characters), safe to log and display
 * @param expiresAt null for a key that does not expire
 * @param lastUsedAt null until the key is first used
 * @param revokedAt null unless the key was revoked
 */
public record ApiKey(
    String id,
    String name,
    Role role,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt) {

  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  public boolean revoked() {
    return revokedAt != null;
  }

  ApiKey withLastUsedAt(Instant when) {
    return new ApiKey(id, name, role, createdAt, expiresAt, when, revokedAt);
  }

  ApiKey withRevokedAt(Instant when) {
    return new ApiKey(id, name, role, createdAt, expiresAt, lastUsedAt, when);
  }
}

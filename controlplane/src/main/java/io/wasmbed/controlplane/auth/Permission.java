package io.wasmbed.controlplane.auth;

import java.util.Objects;

/** One thing a caller may do: an action on a kind of API resource. */
public record Permission(Resource resource, Action action) {

  public Permission {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(action, "action");
  }

  /** What the HTTP API exposes. */
  public enum Resource {
    devices,
    applications,
    keys,
    metrics
  }

  public enum Action {
    read,
    write
  }

  public static Permission of(Resource resource, Action action) {
    return new Permission(resource, action);
  }

  @Override
  public String toString() {
    return action + " " + resource;
  }
}

package io.wasmbed.store;

import java.util.Objects;

/** One change seen by a watch; for DELETED, {@code resource} is the last stored state. */
public record WatchEvent<R extends Resource<R>>(Type type, R resource) {

  public enum Type {
    ADDED,
    MODIFIED,
    DELETED
  }

  public WatchEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resource, "resource");
  }
}

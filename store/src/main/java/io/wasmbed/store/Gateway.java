package io.wasmbed.store;

import java.time.Instant;
import java.util.Objects;

/** A gateway process that holds device connections. */
public record Gateway(ObjectMeta metadata, Spec spec, Status status) implements Resource<Gateway> {

  public Gateway {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    status = status == null ? new Status(false, 0, null, null) : status;
  }

  @Override
  public Gateway withMetadata(ObjectMeta newMetadata) {
    return new Gateway(newMetadata, spec, status);
  }

  public Gateway withStatus(Status newStatus) {
    return new Gateway(metadata, spec, newStatus);
  }

  /**
   * @param endpoint host:port devices connect to
   */
  public record Spec(String endpoint, int capacity) {
    public Spec {
      Objects.requireNonNull(endpoint, "endpoint");
      if (capacity < 0) {
        throw new IllegalArgumentException("capacity: " + capacity + " (expected: zero or more)");
      }
    }
  }

  /**
   * @param pairingUntil enrollment of unknown devices is open until this time, if set
   */
  public record Status(
      boolean ready, int connectedDevices, Instant lastSeen, Instant pairingUntil) {}
}

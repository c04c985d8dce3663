package io.wasmbed.gateway;

import io.wasmbed.store.Gateway;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import java.time.Clock;
import java.util.Optional;

/** This gateway's own {@code Gateway} resource: endpoint, readiness, connected devices. */
final class GatewayRecord {
  private final String name;
  private final ResourceStore store;
  private final Clock clock;

  GatewayRecord(String name, ResourceStore store, Clock clock) {
    this.name = name;
    this.store = store;
    this.clock = clock;
  }

  /** Creates the resource or brings its endpoint up to date, then writes the status. */
  void publish(String endpoint, boolean ready, int connectedDevices) {
    Optional<Gateway> existing = store.get(Kind.GATEWAY, name);
    if (existing.isEmpty()) {
      try {
        store.create(
            Kind.GATEWAY, new Gateway(ObjectMeta.named(name), new Gateway.Spec(endpoint, 0), null));
      } catch (StoreException.AlreadyExists e) {
        // Created concurrently; the status write below still applies.
      }
    } else if (!existing.get().spec().endpoint().equals(endpoint)) {
      Gateway gateway = existing.get();
      store.update(
          Kind.GATEWAY,
          new Gateway(
              gateway.metadata(),
              new Gateway.Spec(endpoint, gateway.spec().capacity()),
              gateway.status()));
    }
    store.updateStatus(
        Kind.GATEWAY,
        name,
        g ->
            g.withStatus(
                new Gateway.Status(
                    ready, connectedDevices, clock.instant(), g.status().pairingUntil())));
  }
}

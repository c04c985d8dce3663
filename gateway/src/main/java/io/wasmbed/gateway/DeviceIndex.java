package io.wasmbed.gateway;

import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.WatchEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Devices by public key, kept current by a store watch. Admission reads it on Netty's event loop,
 * so lookups never touch the store.
 */
final class DeviceIndex {
  private final Map<String, Device> byName = new ConcurrentHashMap<>();
  private final Map<String, Device> byKey = new ConcurrentHashMap<>();

  synchronized void load(List<Device> devices) {
    devices.forEach(this::put);
  }

  /** Replaces the whole index with a fresh list (after a watch had to be restarted). */
  synchronized void replaceAll(List<Device> devices) {
    byName.clear();
    byKey.clear();
    devices.forEach(this::put);
  }

  /** Applies one watch event; ignores events older than what the index already holds. */
  synchronized void apply(WatchEvent<Device> event) {
    Device device = event.resource();
    Device known = byName.get(device.name());
    if (known != null && known.metadata().resourceVersion() > device.metadata().resourceVersion()) {
      return;
    }
    if (event.type() == WatchEvent.Type.DELETED) {
      remove(device.name());
    } else {
      put(device);
    }
  }

  Optional<Device> byPublicKey(String publicKey) {
    return Optional.ofNullable(byKey.get(publicKey));
  }

  Optional<Device> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Re-reads all devices from the store and looks the key up again. Covers a device registered
   * moments ago whose watch event has not arrived yet; blocking, so callers run it off the event
   * loop.
   */
  Optional<Device> refreshAndFind(ResourceStore store, String publicKey) {
    load(store.list(Kind.DEVICE, LabelSelector.ALL));
    return byPublicKey(publicKey);
  }

  private void put(Device device) {
    remove(device.name());
    byName.put(device.name(), device);
    byKey.put(device.spec().publicKey(), device);
  }

  private void remove(String name) {
    Device previous = byName.remove(name);
    if (previous != null) {
      byKey.remove(previous.spec().publicKey(), previous);
    }
  }
}

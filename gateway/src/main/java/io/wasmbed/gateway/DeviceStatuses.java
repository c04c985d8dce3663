package io.wasmbed.gateway;

import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Writes to {@code Device.status} that skip the store when nothing would change. */
final class DeviceStatuses {
  private DeviceStatuses() {}

  /**
   * Applies {@code change} to the device's stored status, retrying on conflict.
   *
   * @return true if the status was written
   */
  static boolean patch(ResourceStore store, String device, UnaryOperator<Device.Status> change) {
    Optional<Device> current = store.get(Kind.DEVICE, device);
    if (current.isEmpty()) {
      return false;
    }
    Device.Status before = current.get().status();
    if (change.apply(before).equals(before)) {
      return false;
    }
    store.updateStatus(Kind.DEVICE, device, d -> d.withStatus(change.apply(d.status())));
    return true;
  }
}

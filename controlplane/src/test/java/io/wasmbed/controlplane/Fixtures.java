package io.wasmbed.controlplane;

import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Test data: devices and what their (simulated) gateway reports. */
public final class Fixtures {

  /** The smallest valid WebAssembly module: magic and version 1, no sections. */
  public static final byte[] EMPTY_WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  private Fixtures() {}

  public static Device device(
      ResourceStore store, String name, Map<String, String> labels, Device.Phase phase) {
    Device.Status status = Device.Status.PENDING.withPhase(phase, "");
    return store.create(
        Kind.DEVICE,
        new Device(
            ObjectMeta.named(name, labels),
            new Device.Spec("key-" + name, "sim", null, null),
            status));
  }

  /** Writes what a gateway would: the device's phase. */
  public static void phase(ResourceStore store, String device, Device.Phase phase) {
    store.updateStatus(Kind.DEVICE, device, d -> d.withStatus(d.status().withPhase(phase, "")));
  }

  /** Writes what a gateway would: the app's state on the device. */
  public static void report(
      ResourceStore store, String device, String app, Device.AppPhase phase, String reason) {
    store.updateStatus(
        Kind.DEVICE,
        device,
        d -> {
          Map<String, Device.AppState> apps = new HashMap<>(d.status().apps());
          apps.put(app, new Device.AppState(phase, "", reason, Instant.EPOCH));
          return d.withStatus(d.status().withApps(apps));
        });
  }

  /** Writes what a gateway would after stopping: the app gone from the device. */
  public static void forget(ResourceStore store, String device, String app) {
    store.updateStatus(
        Kind.DEVICE,
        device,
        d -> {
          Map<String, Device.AppState> apps = new HashMap<>(d.status().apps());
          apps.remove(app);
          return d.withStatus(d.status().withApps(apps));
        });
  }
}

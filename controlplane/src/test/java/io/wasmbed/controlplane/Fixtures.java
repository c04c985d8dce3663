package io.wasmbed.controlplane;

import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Test data: devices and what their (simulated) gateway reports. */
public final class Fixtures {

  /** The smallest valid WebAssembly module: magic and version 1, no sections. */
  public static final byte[] EMPTY_WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  /** A module declaring one memory of 64 pages (4 MiB): over the default limit of 16. */
  public static final byte[] MEMORY_64_PAGES_WASM = {
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // header
    0x05,
    0x03,
    0x01,
    0x00,
    0x40 // memory section: 1 memory, min 64 pages, no max
  };

  /** A module importing {@code wasi_snapshot_preview1.path_open} as {@code () -> ()}. */
  public static final byte[] PATH_OPEN_WASM = pathOpenModule();

  /** The header followed by a section whose length runs past the end: malformed. */
  public static final byte[] TRUNCATED_WASM = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7f, 0x01
  };

  private Fixtures() {}

  private static byte[] pathOpenModule() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(EMPTY_WASM);
    out.writeBytes(new byte[] {0x01, 0x04, 0x01, 0x60, 0x00, 0x00}); // type 0: () -> ()
    byte[] module = "wasi_snapshot_preview1".getBytes(StandardCharsets.US_ASCII);
    byte[] name = "path_open".getBytes(StandardCharsets.US_ASCII);
    out.write(0x02); // import section
    out.write(1 + 1 + module.length + 1 + name.length + 2);
    out.write(0x01);
    out.write(module.length);
    out.writeBytes(module);
    out.write(name.length);
    out.writeBytes(name);
    out.writeBytes(new byte[] {0x00, 0x00}); // a function of type 0
    return out.toByteArray();
  }

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

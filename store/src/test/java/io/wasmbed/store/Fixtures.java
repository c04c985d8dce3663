package io.wasmbed.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Resources for store tests. */
public final class Fixtures {

  /** An instant with nanoseconds, to catch precision loss. */
  public static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  /** The smallest valid WebAssembly module: magic and version. */
  public static final byte[] EMPTY_MODULE = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  private Fixtures() {}

  public static Device device(String name) {
    return device(name, Map.of());
  }

  public static Device device(String name, Map<String, String> labels) {
    return new Device(
        ObjectMeta.named(name, labels),
        new Device.Spec(
            "MCowBQYDK2VwAyEA" + name, "esp32-c3", List.of("wifi", "temperature"), "hw-" + name),
        null);
  }

  public static Application application(String name) {
    return new Application(
        ObjectMeta.named(name),
        new Application.Spec(
            new Application.Module(digest(EMPTY_MODULE), EMPTY_MODULE, null, null),
            "",
            new Application.Targets(List.of("d1"), Map.of("zone", "north"), 0),
            ModuleLimits.DEFAULTS,
            ModulePolicy.DEFAULT,
            Map.of("interval", "5", "unit", "celsius"),
            Application.RestartPolicy.OnFailure,
            false),
        null);
  }

  public static Gateway gateway(String name) {
    return new Gateway(ObjectMeta.named(name), new Gateway.Spec("127.0.0.1:4423", 100), null);
  }

  /** The gateway with one more connected device: a status change for concurrency tests. */
  public static Gateway countOneMoreDevice(Gateway gateway) {
    Gateway.Status s = gateway.status();
    return gateway.withStatus(
        new Gateway.Status(s.ready(), s.connectedDevices() + 1, s.lastSeen(), s.pairingUntil()));
  }

  public static String digest(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String digest(String text) {
    return digest(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The JSON text, for comparing records that hold byte arrays (their equals is by identity). */
  public static String json(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.wasmbed.gateway;

import org.slf4j.MDC;

/**
 * The device a log line is about, in the SLF4J MDC under {@value #KEY}. Netty event loops and the
 * control thread serve many devices, so every use restores what was there before.
 */
final class DeviceMdc implements AutoCloseable {
  static final String KEY = "device";

  private final String previous;

  private DeviceMdc(String device) {
    this.previous = MDC.get(KEY);
    if (device != null) {
      MDC.put(KEY, device);
    }
  }

  /** Puts {@code device} (if not null) into the MDC until the returned scope is closed. */
  static DeviceMdc of(String device) {
    return new DeviceMdc(device);
  }

  /** {@code task} run with {@code device} in the MDC. */
  static Runnable wrap(String device, Runnable task) {
    return () -> {
      try (DeviceMdc scope = of(device)) {
        task.run();
      }
    };
  }

  @Override
  public void close() {
    if (previous == null) {
      MDC.remove(KEY);
    } else {
      MDC.put(KEY, previous);
    }
  }
}

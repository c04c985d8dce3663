package io.wasmbed.device.internal;

import org.slf4j.MDC;

/** Puts the device name into the logging context, under {@value #KEY}. */
public final class DeviceMdc {

  /** MDC key holding the device name. */
  public static final String KEY = "device";

  private DeviceMdc() {}

  public static MDC.MDCCloseable put(String deviceName) {
    return MDC.putCloseable(KEY, deviceName);
  }

  /** Wraps a task so that it logs with the device name, whichever thread runs it. */
  public static Runnable wrap(String deviceName, Runnable task) {
    return () -> {
      try (var ignored = put(deviceName)) {
        task.run();
      }
    };
  }
}

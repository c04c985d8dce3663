package io.wasmbed.device.internal;

import org.slf4j.MDC;

/** Puts the device name into the logging context, under {@value #KEY}. */
public final class DeviceMdc {

  /** MDC key holding the device name. */
  public static final String KEY = "device";

  private DeviceMdc() {}

  /** Runs {@code task} with the device name in the MDC, then restores what was there. */
  public static void run(String deviceName, Runnable task) {
    String previous = MDC.get(KEY);
    MDC.put(KEY, deviceName);
    try {
      task.run();
    } finally {
      if (previous == null) {
        MDC.remove(KEY);
      } else {
        MDC.put(KEY, previous);
      }
    }
  }

  /** Wraps a task so that it logs with the device name, whichever thread runs it. */
  public static Runnable wrap(String deviceName, Runnable task) {
    return () -> run(deviceName, task);
  }
}

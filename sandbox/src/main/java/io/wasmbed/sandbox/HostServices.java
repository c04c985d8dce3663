package io.wasmbed.sandbox;

import java.time.Clock;

/** What the device offers applications through the host interface of docs/app-abi.md. */
public interface HostServices {

  Clock clock();

  /** Current value of a sensor; NaN if the device has no such sensor. */
  double readSensor(String sensor);
}

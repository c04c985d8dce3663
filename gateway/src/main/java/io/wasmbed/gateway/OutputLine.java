package io.wasmbed.gateway;

import io.wasmbed.protocol.Message.OutputKind;
import java.time.Instant;
import java.util.Objects;

/** One line an application logged or published on a device, as the device reported it. */
public record OutputLine(String device, String app, OutputKind kind, String text, Instant time) {
  public OutputLine {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(time, "time");
  }
}

package io.wasmbed.controlplane.apps;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Recent output of an application's instances (logs and published readings). The control plane does
 * not collect output itself; whoever runs the gateways in-process backs this with their
 * recent-output buffers.
 */
@FunctionalInterface
public interface AppLogs {

  /** Knows no output at all. */
  AppLogs NONE = app -> List.of();

  /** The most recent lines of {@code app}, oldest first; empty if none are known. */
  List<Line> recent(String app);

  /**
   * One line of output.
   *
   * @param kind {@code LOG} or {@code READING}
   */
  record Line(String device, String kind, String text, Instant time) {
    public Line {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(time, "time");
    }
  }
}

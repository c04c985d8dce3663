package io.wasmbed.sandbox;

import io.wasmbed.protocol.Message.OutputKind;

/** Receives what running applications do. Called from sandbox threads; must not block. */
public interface AppListener {

  /** The app logged a line or published a reading. */
  void output(String app, OutputKind kind, String text);

  /**
   * The app ended on its own: it trapped, hit a limit, or returned from a one-shot entry point. Not
   * called for {@link Sandbox#stop(String)}.
   */
  void ended(String app, boolean failed, String reason);
}

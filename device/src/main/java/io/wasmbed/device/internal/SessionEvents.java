package io.wasmbed.device.internal;

/** What the pipeline tells the agent about its current session. Called on the event loop. */
public interface SessionEvents {

  /**
   * The TLS handshake succeeded; the agent sends DeviceInfo and its first heartbeat. In TLS 1.3 the
   * gateway may still refuse the client certificate after this point.
   */
  void established(Session session);

  /** The gateway sent its first valid message: it accepted the device; the session is up. */
  void gatewayHeard(Session session);
}

package io.wasmbed.gateway;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One admitted device connection. The channel side (ids, close reason) is thread-safe; the
 * deployment bookkeeping ({@link #running}, {@link #settled}, {@link #inflight}) is touched only on
 * the gateway's control thread.
 */
final class Session {
  static final AttributeKey<Session> KEY = AttributeKey.valueOf("wasmbed.session");

  /** Why a session ended; decides the phase written to the Device. */
  enum CloseReason {
    DISCONNECTED("disconnected"),
    UNREACHABLE("unreachable"),
    REPLACED("replaced"),
    REVOKED("revoked"),
    DELETED("deleted"),
    PROTOCOL_ERROR("protocol_error"),
    FRAME_RATE("frame_rate"),
    SHUTDOWN("shutdown");

    private final String label;

    CloseReason(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** A Deploy or Stop the device has not answered yet. */
  record Request(Kind kind, long messageId, String digest, ScheduledFuture<?> timeout) {
    enum Kind {
      DEPLOY,
      STOP
    }
  }

  private final String device;
  private final Channel channel;
  private final Instant connectedAt;
  private final AtomicLong lastRequestId = new AtomicLong();
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private volatile CloseReason closeReason = CloseReason.DISCONNECTED;
  private volatile boolean ready;
  private volatile Instant lastHeartbeat;
  private final AtomicReference<Instant> heartbeatWrittenAt = new AtomicReference<>();

  /** app -> digest the device runs, from DeviceInfo and acknowledged deploys. */
  final Map<String, String> running = new HashMap<>();

  /** app -> digest that failed or ended during this session; not redeployed until it changes. */
  final Map<String, String> settled = new HashMap<>();

  final Map<String, Request> inflight = new HashMap<>();

  /**
   * app -> its latest request, once that timed out unanswered; a late acknowledgement of exactly
   * this request is still accepted. Cleared when a newer request for the app is sent.
   */
  final Map<String, Request> expired = new HashMap<>();

  Session(String device, Channel channel, Instant connectedAt) {
    this.device = device;
    this.channel = channel;
    this.connectedAt = connectedAt;
  }

  String device() {
    return device;
  }

  Channel channel() {
    return channel;
  }

  Instant connectedAt() {
    return connectedAt;
  }

  /** Sends a gateway-initiated request with the next message id and returns that id. */
  long send(Message request) {
    long id = lastRequestId.incrementAndGet();
    channel.writeAndFlush(Envelope.of(id, request));
    return id;
  }

  void close(CloseReason reason) {
    markClosing(reason);
    channel.close();
  }

  /** Records why the session is about to end, before the channel closes. */
  void markClosing(CloseReason reason) {
    closeReason = reason;
  }

  CloseReason closeReason() {
    return closeReason;
  }

  /** Whether the device has told us what it runs (DeviceInfo) or at least spoken once. */
  boolean ready() {
    return ready;
  }

  void markReady() {
    ready = true;
  }

  /** Records a heartbeat in memory; exact, unlike the throttled copy in the store. */
  void heartbeatReceived(Instant at) {
    lastHeartbeat = at;
  }

  /** When the device last sent a Heartbeat in this session, or null if it has not yet. */
  Instant lastHeartbeat() {
    return lastHeartbeat;
  }

  /**
   * Claims the right to write a heartbeat to the store at {@code now}: granted for the first
   * heartbeat and then at most once per {@code every}.
   */
  boolean claimHeartbeatWrite(Instant now, Duration every) {
    Instant last = heartbeatWrittenAt.get();
    if (last != null && now.isBefore(last.plus(every))) {
      return false;
    }
    return heartbeatWrittenAt.compareAndSet(last, now);
  }

  boolean queueReconcile() {
    return reconcileQueued.compareAndSet(false, true);
  }

  void reconcileStarted() {
    reconcileQueued.set(false);
  }

  void cancelRequests() {
    inflight.values().forEach(r -> r.timeout().cancel(false));
    inflight.clear();
  }

  @Override
  public String toString() {
    return "Session[" + device + " " + channel.remoteAddress() + "]";
  }
}

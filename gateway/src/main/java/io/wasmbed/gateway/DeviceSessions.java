package io.wasmbed.gateway;

import io.netty.channel.Channel;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.Phase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session registry: at most one live session per device (a new connection replaces the old),
 * and the Device phase that follows from it — Connected on admission, Disconnected on a close,
 * Unreachable when the device fell silent.
 */
final class DeviceSessions {
  /** The store gets a device's {@code lastHeartbeat} at most this often. */
  static final Duration HEARTBEAT_WRITE_INTERVAL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(DeviceSessions.class);

  private final String gatewayName;
  private final io.wasmbed.store.ResourceStore store;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final ControlLoop control;
  private final Duration heartbeatTimeout;
  private final Map<String, Session> live = new ConcurrentHashMap<>();
  private final IdentityConflicts conflicts;
  private volatile DeploymentReconciler reconciler;

  DeviceSessions(
      String gatewayName,
      io.wasmbed.store.ResourceStore store,
      Clock clock,
      GatewayMetrics metrics,
      ControlLoop control,
      Duration heartbeatTimeout) {
    this.gatewayName = gatewayName;
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    this.control = control;
    this.heartbeatTimeout = heartbeatTimeout;
    this.conflicts = new IdentityConflicts(clock);
  }

  void reconcileWith(DeploymentReconciler deploymentReconciler) {
    this.reconciler = deploymentReconciler;
  }

  int size() {
    return live.size();
  }

  List<Session> all() {
    return List.copyOf(live.values());
  }

  Optional<Session> get(String device) {
    return Optional.ofNullable(live.get(device));
  }

  boolean isLive(Session session) {
    return live.get(session.device()) == session;
  }

  /** Registers an admitted connection; called on the channel's event loop. */
  Session open(String device, Channel channel) {
    Session session = new Session(device, channel, clock.instant());
    channel.attr(Session.KEY).set(session);
    Session previous = live.put(device, session);
    metrics.sessionOpened();
    if (previous != null) {
      log.info(
          "Device {} reconnected from {}; closing its previous session", device, remote(channel));
      previous.close(Session.CloseReason.REPLACED);
    } else {
      log.info("Device {} connected from {}", device, remote(channel));
    }
    control.execute("mark " + device + " Connected", device, () -> markConnected(session));
    if (previous != null) {
      noticeReplacement(device, previous, session);
    }
    return session;
  }

  /**
   * While {@code device} is in an identity conflict and has a live session, where that session
   * comes from: the caller refuses any new connection for the device then, whatever its address
   * (two clones on one host share an address). Without a live session the newcomer is admitted.
   */
  Optional<String> conflictingHolder(String device) {
    Session current = live.get(device);
    if (current == null || conflicts.note(device).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(remote(current.channel()));
  }

  /** Two agents with one identity replace each other's session: warn, note it, hold the device. */
  private void noticeReplacement(String device, Session previous, Session current) {
    String note =
        "sessions from "
            + remote(previous.channel())
            + " and "
            + remote(current.channel())
            + " keep replacing each other; possible cloned identity";
    if (!conflicts.replaced(device, note)) {
      return;
    }
    metrics.identityConflict();
    log.warn(
        "Device {}: {}; keeping the session from {} and refusing new connections while it lives,"
            + " for {}s",
        device,
        note,
        remote(current.channel()),
        IdentityConflicts.HOLD.toSeconds());
    control.execute(
        "note identity conflict of " + device,
        device,
        () -> DeviceStatuses.patch(store, device, s -> s.withPhase(s.phase(), note)));
  }

  /**
   * A Heartbeat arrived. Liveness is tracked in memory (the idle handler sees every frame); the
   * store gets {@code lastHeartbeat} at most once per {@link #HEARTBEAT_WRITE_INTERVAL}, so a
   * chatty device cannot turn its heartbeats into a stream of store writes.
   */
  void heartbeat(Session session) {
    Instant now = clock.instant();
    session.heartbeatReceived(now);
    boolean write = session.claimHeartbeatWrite(now, HEARTBEAT_WRITE_INTERVAL);
    if (!write && session.ready()) {
      return;
    }
    control.execute(
        "heartbeat of " + session.device(),
        session.device(),
        () -> {
          if (!isLive(session)) {
            return;
          }
          if (write) {
            DeviceStatuses.patch(
                store, session.device(), s -> ownedBy(s) ? s.heartbeat(clock.instant()) : s);
          }
          if (!session.ready()) {
            session.markReady();
            reconciler.reconcile(session);
          }
        });
  }

  void deviceInfo(Session session, DeviceInfo info) {
    control.execute(
        "device info of " + session.device(),
        session.device(),
        () -> {
          session.running.clear();
          session.running.putAll(info.apps());
          session.markReady();
          log.debug(
              "Device {} reports type {}, firmware {}, running {}",
              session.device(),
              info.deviceType(),
              info.firmware(),
              info.apps().keySet());
          reconciler.reconcile(session);
        });
  }

  /** The device sent no frame for the heartbeat timeout. */
  void timedOut(Session session) {
    metrics.heartbeatTimeout();
    log.info(
        "Device {} sent nothing for {}; marking Unreachable and closing its connection",
        session.device(),
        heartbeatTimeout);
    session.close(Session.CloseReason.UNREACHABLE);
  }

  /** The channel of {@code session} became inactive, for whatever reason. */
  void closed(Session session) {
    metrics.sessionClosed(session.closeReason());
    control.execute(
        "close session of " + session.device(), session.device(), () -> finish(session));
  }

  /** Marks every live device Disconnected and closes its connection; runs on the control loop. */
  void shutdown() {
    for (Session session : all()) {
      try (DeviceMdc scope = DeviceMdc.of(session.device())) {
        shutdown(session);
      }
    }
  }

  private void shutdown(Session session) {
    if (live.remove(session.device(), session)) {
      session.cancelRequests();
      DeviceStatuses.patch(
          store,
          session.device(),
          s -> leave(s, Phase.Disconnected, "gateway " + gatewayName + " shut down"));
      session.close(Session.CloseReason.SHUTDOWN);
    }
  }

  private void markConnected(Session session) {
    if (!isLive(session)) {
      return;
    }
    String note = conflicts.note(session.device()).orElse("");
    DeviceStatuses.patch(
        store,
        session.device(),
        s ->
            s.phase() == Phase.Revoked
                ? s
                : s.connected(gatewayName, session.connectedAt()).withPhase(Phase.Connected, note));
  }

  private void finish(Session session) {
    session.cancelRequests();
    if (!live.remove(session.device(), session)) {
      return; // a newer session owns the device, or shutdown already wrote its phase
    }
    switch (session.closeReason()) {
      case UNREACHABLE -> writeLeft(session, Phase.Unreachable, "no frame for " + heartbeatTimeout);
      case REVOKED, DELETED -> {
        // Someone else wrote the device's fate; nothing to add.
      }
      case PROTOCOL_ERROR ->
          writeLeft(session, Phase.Disconnected, "closed after a protocol error");
      case FRAME_RATE ->
          writeLeft(session, Phase.Disconnected, "closed for sending frames too fast");
      default -> writeLeft(session, Phase.Disconnected, "connection closed");
    }
    log.info("Device {} session ended ({})", session.device(), session.closeReason().label());
  }

  private void writeLeft(Session session, Phase phase, String message) {
    DeviceStatuses.patch(store, session.device(), s -> leave(s, phase, message));
  }

  private Device.Status leave(Device.Status status, Phase phase, String message) {
    return ownedBy(status) ? status.withPhase(phase, message) : status;
  }

  /** Whether this gateway holds the device according to its status. */
  private boolean ownedBy(Device.Status status) {
    return status.phase() == Phase.Connected && gatewayName.equals(status.gateway());
  }

  private static String remote(Channel channel) {
    return String.valueOf(channel.remoteAddress());
  }
}

package io.wasmbed.gateway;

import io.netty.channel.Channel;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.Phase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
   * While {@code device} is in an identity conflict, where its live session comes from if {@code
   * remote} is another address: the caller refuses the connection then.
   */
  Optional<String> conflictingHolder(String device, SocketAddress remote) {
    Session current = live.get(device);
    if (current == null || conflicts.note(device).isEmpty()) {
      return Optional.empty();
    }
    SocketAddress held = current.channel().remoteAddress();
    return Objects.equals(address(held), address(remote))
        ? Optional.empty()
        : Optional.of(String.valueOf(held));
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
        "Device {}: {}; refusing it from addresses other than {} for {}s",
        device,
        note,
        address(current.channel().remoteAddress()),
        IdentityConflicts.HOLD.toSeconds());
    control.execute(
        "note identity conflict of " + device,
        device,
        () -> DeviceStatuses.patch(store, device, s -> s.withPhase(s.phase(), note)));
  }

  void heartbeat(Session session) {
    control.execute(
        "heartbeat of " + session.device(),
        session.device(),
        () -> {
          if (!isLive(session)) {
            return;
          }
          DeviceStatuses.patch(
              store, session.device(), s -> ownedBy(s) ? s.heartbeat(clock.instant()) : s);
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

  private static InetAddress address(SocketAddress socket) {
    return socket instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}

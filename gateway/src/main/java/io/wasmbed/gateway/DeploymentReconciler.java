package io.wasmbed.gateway;

import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.Message.AppStatus;
import io.wasmbed.protocol.Message.DeployAck;
import io.wasmbed.protocol.Message.StopAck;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Device.AppState;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.WatchEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered deployment for the devices this gateway holds. For each session it compares the
 * desired apps (Applications placed on the device, not stopped, not deleting) with the actual ones
 * (what the device reported plus acknowledged deploys), sends {@code Deploy} or {@code Stop} for
 * the difference and records each app's state in {@code Device.status.apps}.
 *
 * <p>Runs on the {@link ControlLoop} only. At most one request per app and device is in flight; an
 * app whose deploy failed (or which ended on its own) during the current session is not redeployed
 * until its digest changes, so a reconcile that finds nothing new writes and sends nothing — unless
 * its {@code restartPolicy} says otherwise: {@code OnFailure} redeploys a Failed app (refused
 * deploy, unanswered deploy, trap or limit), {@code Always} also one that ended by itself, each
 * after a per device-and-app {@link RestartBackoff} shown in the app's status reason.
 *
 * <p>An acknowledgement that arrives after the ack timeout is still accepted when it answers the
 * app's latest request; one for an older request is ignored.
 */
final class DeploymentReconciler {
  private static final Logger log = LoggerFactory.getLogger(DeploymentReconciler.class);

  private final ResourceStore store;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final ControlLoop control;
  private final DeviceSessions sessions;
  private final Duration ackTimeout;
  private final RestartBackoff backoff;
  private final Map<String, Application> applications = new ConcurrentHashMap<>();
  private final Map<String, ModuleCheck> checks = new ConcurrentHashMap<>();

  /** "device/app" -> restart bookkeeping; touched on the control loop only. */
  private final Map<String, RestartCounter> restarts = new HashMap<>();

  DeploymentReconciler(
      ResourceStore store,
      Clock clock,
      GatewayMetrics metrics,
      ControlLoop control,
      DeviceSessions sessions,
      Duration ackTimeout,
      RestartBackoff backoff) {
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    this.control = control;
    this.sessions = sessions;
    this.ackTimeout = ackTimeout;
    this.backoff = backoff;
  }

  /** Replaces the application cache with a fresh list (at start and after a lost watch). */
  void replaceAll(List<Application> all) {
    Map<String, Application> fresh = new HashMap<>();
    all.forEach(app -> fresh.put(app.name(), app));
    applications.keySet().retainAll(fresh.keySet());
    applications.putAll(fresh);
  }

  /** Watch callback: keeps the application cache and asks every session to reconcile. */
  void applicationChanged(WatchEvent<Application> event) {
    Application app = event.resource();
    applications.compute(
        app.name(),
        (name, known) -> {
          if (known != null
              && known.metadata().resourceVersion() > app.metadata().resourceVersion()) {
            return known;
          }
          return event.type() == WatchEvent.Type.DELETED ? null : app;
        });
    sessions.all().forEach(this::request);
  }

  /** Queues a reconcile of {@code session}; requests made while one is queued coalesce. */
  void request(Session session) {
    if (session.queueReconcile()) {
      control.execute(
          "reconcile " + session.device(),
          session.device(),
          () -> {
            session.reconcileStarted();
            reconcile(session);
          });
    }
  }

  void reconcile(Session session) {
    if (!sessions.isLive(session) || !session.ready()) {
      return;
    }
    Optional<Device> device = store.get(Kind.DEVICE, session.device());
    if (device.isEmpty()) {
      return;
    }
    Map<String, AppState> states = device.get().status().apps();
    AppChanges changes = new AppChanges(states, clock.instant());
    List<Outgoing> outgoing = new ArrayList<>();

    Set<String> desired = new LinkedHashSet<>();
    for (Application app : applications.values()) {
      if (isDesiredOn(app, session.device())) {
        desired.add(app.name());
        reconcileDesired(session, app, changes, outgoing);
      }
    }
    Set<String> others = new LinkedHashSet<>(states.keySet());
    others.addAll(session.running.keySet());
    others.removeAll(desired);
    for (String app : others) {
      reconcileUndesired(session, app, states.get(app), changes, outgoing);
    }

    commit(session, changes);
    outgoing.forEach(o -> send(session, o));
  }

  void deployAcked(Session session, long messageId, DeployAck ack) {
    Session.Request request =
        takeRequest(session, Session.Request.Kind.DEPLOY, messageId, ack.app());
    if (request == null) {
      return;
    }
    if (ack.accepted()) {
      session.running.put(ack.app(), request.digest());
      session.settled.remove(ack.app());
      startedRunning(session, ack.app());
      metrics.deploy("running");
      log.info("App {} running on device {}", ack.app(), session.device());
      writeApp(session, ack.app(), AppPhase.Running, request.digest(), "");
    } else {
      metrics.deploy("failed");
      log.info("Device {} refused app {}: {}", session.device(), ack.app(), ack.reason());
      ended(session, ack.app(), AppPhase.Failed, request.digest(), ack.reason());
    }
    reconcile(session);
  }

  void stopAcked(Session session, long messageId, StopAck ack) {
    Session.Request request = takeRequest(session, Session.Request.Kind.STOP, messageId, ack.app());
    if (request == null) {
      return;
    }
    session.running.remove(ack.app());
    session.settled.remove(ack.app());
    AppPhase phase = ack.stopped() ? AppPhase.Stopped : AppPhase.Failed;
    log.info("App {} on device {}: {}", ack.app(), session.device(), phase);
    writeApp(session, ack.app(), phase, request.digest(), ack.reason());
    reconcile(session);
  }

  /** The device reports that an app changed phase on its own. */
  void statusReported(Session session, AppStatus status) {
    String app = status.app();
    Session.Request pending = session.inflight.get(app);
    if (pending != null) {
      log.debug(
          "AppStatus {} for {} from {} while a {} is pending; the acknowledgement decides",
          status.phase(),
          app,
          session.device(),
          pending.kind());
      return;
    }
    String digest = session.running.getOrDefault(app, storedDigest(session, app));
    switch (status.phase()) {
      case STARTING -> {
        return;
      }
      case RUNNING -> {
        session.running.put(app, digest);
        writeApp(session, app, AppPhase.Running, digest, status.reason());
      }
      case FAILED, STOPPED -> {
        session.running.remove(app);
        AppPhase phase =
            status.phase() == Message.AppPhase.FAILED ? AppPhase.Failed : AppPhase.Stopped;
        log.info("App {} on device {} ended: {} {}", app, session.device(), phase, status.reason());
        ended(session, app, phase, digest, status.reason());
      }
    }
    reconcile(session);
  }

  private void reconcileDesired(
      Session session, Application app, AppChanges changes, List<Outgoing> outgoing) {
    String name = app.name();
    String digest = app.spec().module().digest();
    if (session.inflight.containsKey(name)) {
      return; // never resend while a request is in flight
    }
    if (digest.equals(session.running.get(name))) {
      changes.set(name, AppPhase.Running, digest, "");
      return;
    }
    if (digest.equals(session.settled.get(name)) || restartPending(session, name, digest)) {
      return;
    }
    Optional<String> problem = check(app);
    if (problem.isPresent()) {
      if (changes.set(name, AppPhase.Failed, digest, problem.get())) {
        metrics.deploy("rejected");
        log.info("Not deploying app {} to {}: {}", name, session.device(), problem.get());
      }
      return;
    }
    outgoing.add(new Outgoing(name, digest, deployOf(app)));
    changes.set(name, AppPhase.Deploying, digest, "");
  }

  private void reconcileUndesired(
      Session session, String name, AppState state, AppChanges changes, List<Outgoing> outgoing) {
    session.settled.remove(name);
    forgetRestarts(session.device(), name);
    if (session.inflight.containsKey(name)) {
      return;
    }
    String runningDigest = session.running.get(name);
    if (runningDigest != null) {
      outgoing.add(new Outgoing(name, runningDigest, new Message.Stop(name)));
      changes.set(name, AppPhase.Stopping, runningDigest, "");
      return;
    }
    if (state == null) {
      return;
    }
    Application app = applications.get(name);
    if (app == null || app.metadata().deleting()) {
      changes.remove(name);
    } else if (state.phase() != AppPhase.Stopped && state.phase() != AppPhase.Failed) {
      changes.set(name, AppPhase.Stopped, state.digest(), "");
    }
  }

  private void send(Session session, Outgoing out) {
    long id = session.send(out.message());
    Session.Request.Kind kind =
        out.message() instanceof Message.Stop
            ? Session.Request.Kind.STOP
            : Session.Request.Kind.DEPLOY;
    ScheduledFuture<?> timeout =
        control.schedule(
            "ack timeout of " + out.app() + " on " + session.device(),
            session.device(),
            () -> requestTimedOut(session, out.app(), id),
            ackTimeout);
    session.expired.remove(out.app());
    session.inflight.put(out.app(), new Session.Request(kind, id, out.digest(), timeout));
    log.debug("Sent {} of {} to {} (id {})", kind, out.app(), session.device(), id);
  }

  private void requestTimedOut(Session session, String app, long messageId) {
    Session.Request request = session.inflight.get(app);
    if (request == null || request.messageId() != messageId || !sessions.isLive(session)) {
      return;
    }
    session.inflight.remove(app);
    session.expired.put(app, request);
    String reason = "no acknowledgement within " + ackTimeout;
    log.info(
        "Device {} did not acknowledge {} of {} within {}; marking Failed",
        session.device(),
        request.kind(),
        app,
        ackTimeout);
    if (request.kind() == Session.Request.Kind.DEPLOY) {
      metrics.deploy("timeout");
      ended(session, app, AppPhase.Failed, request.digest(), reason);
    } else {
      session.running.remove(app);
      writeApp(session, app, AppPhase.Failed, request.digest(), reason);
    }
  }

  /**
   * An app ended (failed or stopped): schedules its restart if its policy asks for one, otherwise
   * leaves it settled until its digest changes. Either way records the outcome in its status.
   */
  private void ended(Session session, String app, AppPhase phase, String digest, String reason) {
    Optional<Duration> delay = scheduleRestart(session, app, phase, digest);
    if (delay.isEmpty()) {
      session.settled.put(app, digest);
      writeApp(session, app, phase, digest, reason);
      return;
    }
    session.settled.remove(app);
    String cause = reason.isEmpty() ? "app " + phase.name().toLowerCase(Locale.ROOT) : reason;
    String shown = "restarting in " + RestartBackoff.format(delay.get()) + " after: " + cause;
    writeApp(session, app, phase, digest, shown);
  }

  private Optional<Duration> scheduleRestart(
      Session session, String app, AppPhase phase, String digest) {
    Application application = applications.get(app);
    if (application == null
        || !isDesiredOn(application, session.device())
        || !digest.equals(application.spec().module().digest())
        || !restartsOn(application.spec().restartPolicy(), phase)) {
      return Optional.empty();
    }
    String device = session.device();
    RestartCounter state = restarts.computeIfAbsent(key(device, app), k -> new RestartCounter());
    Duration delay = state.next(backoff, digest, clock.instant());
    state.timer =
        control.schedule(
            "restart " + app + " on " + device,
            device,
            () -> {
              state.fired();
              sessions.get(device).ifPresent(this::request);
            },
            delay);
    metrics.restartScheduled();
    log.info(
        "App {} on device {} ended {}; restart {} (policy {}) in {}",
        app,
        device,
        phase,
        state.count(),
        application.spec().restartPolicy(),
        RestartBackoff.format(delay));
    return Optional.of(delay);
  }

  private static boolean restartsOn(Application.RestartPolicy policy, AppPhase phase) {
    return switch (policy) {
      case Never -> false;
      case OnFailure -> phase == AppPhase.Failed;
      case Always -> phase == AppPhase.Failed || phase == AppPhase.Stopped;
    };
  }

  /** Whether a restart of this digest is waiting for its backoff to pass. */
  private boolean restartPending(Session session, String app, String digest) {
    RestartCounter state = restarts.get(key(session.device(), app));
    return state != null && state.waitsToRestart(digest);
  }

  private void startedRunning(Session session, String app) {
    RestartCounter state = restarts.get(key(session.device(), app));
    if (state != null) {
      state.running(clock.instant());
    }
  }

  private void forgetRestarts(String device, String app) {
    RestartCounter state = restarts.remove(key(device, app));
    if (state != null) {
      state.cancel();
    }
  }

  private static String key(String device, String app) {
    return device + "/" + app;
  }

  private Session.Request takeRequest(
      Session session, Session.Request.Kind kind, long messageId, String app) {
    Session.Request request = session.inflight.get(app);
    if (answers(request, kind, messageId)) {
      session.inflight.remove(app);
      if (request.timeout() != null) {
        request.timeout().cancel(false);
      }
      return request;
    }
    Session.Request late = session.expired.get(app);
    if (request == null && answers(late, kind, messageId)) {
      session.expired.remove(app);
      log.info(
          "Device {} acknowledged {} of {} (id {}) after the {} timeout; accepting it",
          session.device(),
          kind,
          app,
          messageId,
          ackTimeout);
      return late;
    }
    log.debug(
        "{} ack for {} (id {}) from {} answers no pending or latest request; ignoring",
        kind,
        app,
        messageId,
        session.device());
    return null;
  }

  private static boolean answers(Session.Request request, Session.Request.Kind kind, long id) {
    return request != null && request.kind() == kind && request.messageId() == id;
  }

  private void writeApp(Session session, String app, AppPhase phase, String digest, String reason) {
    Map<String, AppState> states =
        store.get(Kind.DEVICE, session.device()).map(d -> d.status().apps()).orElse(Map.of());
    AppChanges changes = new AppChanges(states, clock.instant());
    changes.set(app, phase, digest, reason);
    commit(session, changes);
  }

  private void commit(Session session, AppChanges changes) {
    if (!changes.isEmpty()) {
      DeviceStatuses.patch(store, session.device(), s -> s.withApps(changes.applyTo(s.apps())));
    }
  }

  private String storedDigest(Session session, String app) {
    return store
        .get(Kind.DEVICE, session.device())
        .map(d -> d.status().apps().get(app))
        .map(AppState::digest)
        .orElse("");
  }

  private Optional<String> check(Application app) {
    long version = app.metadata().resourceVersion();
    ModuleCheck cached = checks.get(app.name());
    if (cached == null || cached.resourceVersion() != version) {
      cached = new ModuleCheck(version, ModuleSources.problem(app.spec()));
      checks.put(app.name(), cached);
    }
    return cached.problem();
  }

  private static Message.Deploy deployOf(Application app) {
    Application.Spec spec = app.spec();
    return new Message.Deploy(
        app.name(),
        spec.module().digest(),
        spec.module().inline(),
        ModuleSources.signature(spec),
        spec.limits(),
        spec.policy(),
        spec.config());
  }

  static boolean isDesiredOn(Application app, String device) {
    return app.status().placements().contains(device)
        && !app.spec().stopped()
        && !app.metadata().deleting();
  }

  private record Outgoing(String app, String digest, Message message) {}

  private record ModuleCheck(long resourceVersion, Optional<String> problem) {}
}

package io.wasmbed.controlplane.controller;

import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.Resource;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import io.wasmbed.store.WatchEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns {@code Application.status}: decides where each application should run (the placements the
 * gateways act on), sums what the devices report, and finishes deletions.
 *
 * <p>Level-triggered: watch events only say which application to look at; every reconcile reads the
 * Application and all Devices afresh, computes the status it should have and writes it only when it
 * differs from the stored one. One worker thread reconciles one application at a time; names queued
 * several times before the worker gets to them are reconciled once.
 */
public final class ApplicationController implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);
  private static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

  private final ResourceStore store;
  private final Clock clock;
  private final Duration resync;
  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, Application> known = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final List<ResourceStore.Watch> watches = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService scheduler;
  private Thread worker;
  private volatile boolean running;

  public ApplicationController(ResourceStore store, Clock clock) {
    this(store, clock, DEFAULT_RESYNC);
  }

  /**
   * @param resync how often every known application is reconciled even without events
   */
  public ApplicationController(ResourceStore store, Clock clock, Duration resync) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.resync = Objects.requireNonNull(resync, "resync");
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("resync: " + resync + " (expected: positive)");
    }
  }

  /** Starts watching and reconciling; returns at once. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "application-controller-timer"));
    worker = daemon(this::work, "application-controller");
    worker.start();
    long deviceVersion = store.currentResourceVersion();
    watch(Kind.DEVICE, deviceVersion, this::onDeviceEvent);
    watch(Kind.APPLICATION, 0, this::onApplicationEvent);
    long period = resync.toMillis();
    scheduler.scheduleAtFixedRate(this::resyncAll, period, period, TimeUnit.MILLISECONDS);
    log.info("Application controller started (resync every {})", resync);
  }

  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    watches.forEach(ResourceStore.Watch::close);
    watches.clear();
    scheduler.shutdownNow();
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Application controller stopped");
  }

  /** Watches {@code kind}; if the store ends the watch, watches again from a full replay. */
  private <R extends Resource<R>> void watch(
      Kind<R> kind, long fromVersion, Consumer<WatchEvent<R>> handler) {
    ResourceStore.WatchListener<R> listener =
        new ResourceStore.WatchListener<>() {
          @Override
          public void onEvent(WatchEvent<R> event) {
            handler.accept(event);
          }

          @Override
          public void onError(StoreException error) {
            if (!running) {
              return;
            }
            log.warn(
                "Watch of {} ended ({}); watching again from a replay", kind, error.getMessage());
            scheduler.execute(() -> watch(kind, 0, handler));
          }
        };
    if (running) {
      watches.add(store.watch(kind, fromVersion, listener));
    }
  }

  /** Queues one application for reconciliation. */
  public void enqueue(String app) {
    if (running && queued.add(app)) {
      queue.add(app);
    }
  }

  private void onApplicationEvent(WatchEvent<Application> event) {
    Application app = event.resource();
    if (event.type() == WatchEvent.Type.DELETED) {
      known.remove(app.name());
      failures.remove(app.name());
      return;
    }
    known.put(app.name(), app);
    enqueue(app.name());
  }

  private void onDeviceEvent(WatchEvent<Device> event) {
    Device device = event.resource();
    for (Application app : known.values()) {
      if (concerns(app, device)) {
        enqueue(app.name());
      }
    }
  }

  /** Whether a change to the device can change the application's status. */
  private static boolean concerns(Application app, Device device) {
    Application.Targets targets = app.spec().targets();
    return app.status().placements().contains(device.name())
        || app.status().devices().containsKey(device.name())
        || device.status().apps().containsKey(app.name())
        || targets.devices().contains(device.name())
        || (!targets.selector().isEmpty()
            && new LabelSelector(targets.selector()).matches(device.metadata().labels()));
  }

  private void resyncAll() {
    known.keySet().forEach(this::enqueue);
  }

  private void work() {
    while (running) {
      String name;
      try {
        name = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      queued.remove(name);
      MDC.put("application", name);
      try {
        reconcile(name);
        failures.remove(name);
      } catch (StoreException.Conflict e) {
        log.debug("Application {} changed while reconciling; reconciling again", name);
        enqueue(name);
      } catch (RuntimeException e) {
        recordFailure(name, e);
      } finally {
        MDC.remove("application");
      }
    }
  }

  /** Brings one application's status (and its deletion) in line with the store's contents. */
  void reconcile(String name) {
    Optional<Application> found = store.get(Kind.APPLICATION, name);
    if (found.isEmpty()) {
      return;
    }
    Application app = found.get();
    Map<String, Device> devices =
        store.list(Kind.DEVICE, LabelSelector.ALL).stream()
            .collect(Collectors.toMap(Device::name, Function.identity()));

    if (app.metadata().deleting() && DesiredState.stillActive(name, devices, true).isEmpty()) {
      finishDeletion(app);
      return;
    }
    Application.Status desired = DesiredState.status(app, devices);
    if (desired.equals(app.status())) {
      return;
    }
    Application written = store.replaceStatus(Kind.APPLICATION, app.withStatus(desired));
    logTransition(app, written.status());
  }

  private void finishDeletion(Application app) {
    if (store.delete(Kind.APPLICATION, app.name())) {
      Duration took = Duration.between(app.metadata().deletionTimestamp(), clock.instant());
      log.info(
          "Application {} stopped on every connected device; deleted {} after the request",
          app.name(),
          took);
    }
  }

  private static void logTransition(Application before, Application.Status after) {
    if (before.status().phase() != after.phase()) {
      log.info(
          "Application {} {} -> {}: {}",
          before.name(),
          before.status().phase(),
          after.phase(),
          after.message());
    } else {
      log.debug("Application {} status updated: {}", before.name(), after.message());
    }
  }

  /** Puts the error into the application's status and tries again later, backing off. */
  private void recordFailure(String name, RuntimeException error) {
    int attempt = failures.merge(name, 1, Integer::sum);
    Duration delay = retryDelay(attempt);
    log.warn(
        "Application {} reconcile failed (attempt {}), retrying in {}: {}",
        name,
        attempt,
        delay,
        error.toString());
    log.trace("Application {} reconcile failure", name, error);
    writeErrorMessage(name, "reconcile failed: " + error.getMessage());
    if (running) {
      scheduler.schedule(() -> enqueue(name), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Writes only when the message differs, so a failing reconcile cannot feed itself events. */
  private void writeErrorMessage(String name, String message) {
    try {
      Optional<Application> found = store.get(Kind.APPLICATION, name);
      if (found.isEmpty() || found.get().status().message().equals(message)) {
        return;
      }
      Application app = found.get();
      Application.Status s = app.status();
      store.replaceStatus(
          Kind.APPLICATION,
          app.withStatus(
              new Application.Status(
                  s.phase(),
                  s.placements(),
                  s.devices(),
                  s.total(),
                  s.running(),
                  s.failed(),
                  s.stopped(),
                  message,
                  s.observedGeneration())));
    } catch (RuntimeException e) {
      log.debug("Application {} error could not be written to status: {}", name, e.toString());
    }
  }

  static Duration retryDelay(int attempt) {
    long millis = 500L << Math.min(attempt - 1, 10);
    return millis > MAX_RETRY_DELAY.toMillis() ? MAX_RETRY_DELAY : Duration.ofMillis(millis);
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}

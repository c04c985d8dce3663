package io.wasmbed.gateway;

import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.Resource;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import io.wasmbed.store.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * List-then-watch of one kind that survives the end of its watch. When the store ends the watch
 * (for example with {@link StoreException.Expired} because the listener fell behind), the informer
 * re-lists on the {@link ControlLoop}, hands the fresh list to {@code relisted} and watches again
 * from the resourceVersion the list is current at; a failing re-list is retried with backoff.
 */
final class Informer<R extends Resource<R>> implements AutoCloseable {
  static final Duration RETRY_MIN = Duration.ofMillis(200);
  static final Duration RETRY_MAX = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(Informer.class);

  private final String gateway;
  private final ResourceStore store;
  private final Kind<R> kind;
  private final ControlLoop control;
  private final Consumer<List<R>> relisted;
  private final Consumer<WatchEvent<R>> changed;
  private final GatewayMetrics metrics;
  private ResourceStore.Watch watch;
  private int generation;
  private boolean closed;

  Informer(
      String gateway,
      ResourceStore store,
      Kind<R> kind,
      ControlLoop control,
      GatewayMetrics metrics,
      Consumer<List<R>> relisted,
      Consumer<WatchEvent<R>> changed) {
    this.gateway = gateway;
    this.store = store;
    this.kind = kind;
    this.control = control;
    this.metrics = metrics;
    this.relisted = relisted;
    this.changed = changed;
  }

  /** Lists and starts watching; throws if the store cannot. */
  synchronized void start() {
    long from = store.currentResourceVersion();
    relisted.accept(store.list(kind, LabelSelector.ALL));
    int current = ++generation;
    watch = store.watch(kind, from, new Listener(current));
  }

  synchronized boolean isWatching() {
    return watch != null && !closed;
  }

  @Override
  public void close() {
    ResourceStore.Watch last;
    synchronized (this) {
      closed = true;
      last = watch;
      watch = null;
    }
    // Outside the lock: closing waits for a listener that may be calling ended().
    if (last != null) {
      last.close();
    }
  }

  private synchronized void ended(int ofGeneration, StoreException error) {
    if (closed || ofGeneration != generation) {
      return;
    }
    watch = null;
    metrics.watchRestarted(kind.kind());
    log.warn(
        "Gateway {} lost its watch of {}: {}; re-listing and watching again from the current"
            + " resourceVersion",
        gateway,
        kind.kind(),
        error.getMessage());
    control.execute("re-watch " + kind.kind(), () -> restart(RETRY_MIN));
  }

  private void restart(Duration delay) {
    synchronized (this) {
      if (closed || watch != null) {
        return;
      }
      try {
        start();
        log.info("Gateway {} watches {} again", gateway, kind.kind());
        return;
      } catch (RuntimeException e) {
        log.warn(
            "Gateway {} could not re-watch {}: {}; retrying in {}",
            gateway,
            kind.kind(),
            e.toString(),
            delay);
      }
    }
    Duration doubled = delay.multipliedBy(2);
    Duration next = doubled.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : doubled;
    control.schedule("re-watch " + kind.kind(), () -> restart(next), delay);
  }

  private final class Listener implements ResourceStore.WatchListener<R> {
    private final int ofGeneration;

    Listener(int ofGeneration) {
      this.ofGeneration = ofGeneration;
    }

    @Override
    public void onEvent(WatchEvent<R> event) {
      changed.accept(event);
    }

    @Override
    public void onError(StoreException error) {
      ended(ofGeneration, error);
    }
  }
}

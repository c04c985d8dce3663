package io.wasmbed.store;

import io.wasmbed.store.ResourceStore.WatchListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of a {@link SqliteResourceStore}: a daemon thread that replays the current state (when
 * started from 0) and then follows the event log from the last version it delivered. Writers never
 * wait for it; it reads at its listener's pace until it falls out of the retained log.
 */
final class SqliteWatch<R extends Resource<R>> implements ResourceStore.Watch {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteWatch.class);
  private static final int BATCH = 256;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final AtomicLong IDS = new AtomicLong();

  private final SqliteResourceStore store;
  private final Kind<R> kind;
  private final WatchListener<R> listener;
  private final Thread thread;
  private long cursor;
  private volatile boolean closed;

  SqliteWatch(
      SqliteResourceStore store,
      Kind<R> kind,
      long fromResourceVersion,
      WatchListener<R> listener) {
    this.store = store;
    this.kind = kind;
    this.listener = listener;
    this.cursor = fromResourceVersion;
    this.thread =
        new Thread(this::run, "store-watch-" + kind.plural() + "-" + IDS.incrementAndGet());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Stops delivery. When called from another thread, returns once the listener has finished the
   * event it is handling (waiting at most 5 seconds); no event is delivered afterwards.
   */
  @Override
  public void close() {
    closed = true;
    store.wakeWatches();
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(CLOSE_TIMEOUT.toMillis());
      if (thread.isAlive()) {
        LOG.warn("Watch {} still busy in its listener {} after close", thread.getName(), listener);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      if (cursor == 0) {
        replay();
      }
      while (!stopped()) {
        store.awaitVersionAfter(cursor, this);
        if (stopped()) {
          break;
        }
        SqliteResourceStore.EventBatch<R> batch = store.eventsAfter(kind, cursor, BATCH);
        for (WatchEvent<R> event : batch.events()) {
          deliver(event);
        }
        cursor = batch.next();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StoreException e) {
      end(e);
    } catch (RuntimeException e) {
      end(new StoreException(kind.kind(), null, "watch failed: " + e, e));
    } finally {
      store.forget(this);
    }
  }

  private void replay() {
    SqliteResourceStore.Snapshot<R> snapshot = store.snapshot(kind);
    for (R resource : snapshot.resources()) {
      deliver(new WatchEvent<>(WatchEvent.Type.ADDED, resource));
    }
    cursor = snapshot.resourceVersion();
  }

  private void deliver(WatchEvent<R> event) {
    if (stopped()) {
      return;
    }
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      LOG.error(
          "Watch listener of {} failed on {} '{}' at resourceVersion {}; continuing",
          kind,
          event.type(),
          event.resource().name(),
          event.resource().metadata().resourceVersion(),
          e);
    }
  }

  private void end(StoreException error) {
    if (stopped()) {
      return;
    }
    closed = true;
    LOG.warn("Watch of {} ended at resourceVersion {}: {}", kind, cursor, error.getMessage());
    try {
      listener.onError(error);
    } catch (RuntimeException e) {
      LOG.error("Watch listener of {} failed in onError", kind, e);
    }
  }

  private boolean stopped() {
    return closed || store.isClosed();
  }
}

package io.wasmbed.gateway;

import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.Resource;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import io.wasmbed.store.WatchEvent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A real store whose watch listeners can be held up, to make the gateway's watches fall behind the
 * store's event retention the way a slow consumer would.
 */
final class PausableStore implements ResourceStore {
  private final ResourceStore store;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private final AtomicInteger blocked = new AtomicInteger();

  PausableStore(ResourceStore store) {
    this.store = store;
  }

  /** From now on, listeners block on their next event until {@link #resume()}. */
  void pause() {
    gate = new CountDownLatch(1);
  }

  void resume() {
    gate.countDown();
  }

  /** How many listeners are held up right now (each has already read the batch it is in). */
  int blocked() {
    return blocked.get();
  }

  @Override
  public <R extends Resource<R>> Watch watch(
      Kind<R> kind, long fromResourceVersion, WatchListener<R> listener) {
    return store.watch(
        kind,
        fromResourceVersion,
        new WatchListener<R>() {
          @Override
          public void onEvent(WatchEvent<R> event) {
            blocked.incrementAndGet();
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              blocked.decrementAndGet();
            }
            listener.onEvent(event);
          }

          @Override
          public void onError(StoreException error) {
            listener.onError(error);
          }
        });
  }

  @Override
  public <R extends Resource<R>> Optional<R> get(Kind<R> kind, String name) {
    return store.get(kind, name);
  }

  @Override
  public <R extends Resource<R>> List<R> list(Kind<R> kind, LabelSelector selector) {
    return store.list(kind, selector);
  }

  @Override
  public <R extends Resource<R>> R create(Kind<R> kind, R resource) {
    return store.create(kind, resource);
  }

  @Override
  public <R extends Resource<R>> R update(Kind<R> kind, R resource) {
    return store.update(kind, resource);
  }

  @Override
  public <R extends Resource<R>> R replaceStatus(Kind<R> kind, R resource) {
    return store.replaceStatus(kind, resource);
  }

  @Override
  public <R extends Resource<R>> Optional<R> updateStatus(
      Kind<R> kind, String name, UnaryOperator<R> change) {
    return store.updateStatus(kind, name, change);
  }

  @Override
  public <R extends Resource<R>> boolean delete(Kind<R> kind, String name) {
    return store.delete(kind, name);
  }

  @Override
  public long currentResourceVersion() {
    return store.currentResourceVersion();
  }

  @Override
  public void close() {
    store.close();
  }
}

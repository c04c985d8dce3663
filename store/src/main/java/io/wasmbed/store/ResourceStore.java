package io.wasmbed.store;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * The one port through which controllers, gateways and the API read and write resources. Two
 * adapters implement it (embedded SQLite and Kubernetes); both pass the same contract tests.
 *
 * <p>Every write bumps a store-wide, strictly increasing {@code resourceVersion} and emits one
 * {@link WatchEvent}. Writes that carry a stale {@code resourceVersion} fail with {@link
 * StoreException.Conflict}; callers re-read and retry (see {@link #updateStatus(Kind, String,
 * UnaryOperator)} for the common read-modify-write loop).
 */
public interface ResourceStore extends AutoCloseable {

  <R extends Resource<R>> Optional<R> get(Kind<R> kind, String name);

  /** All resources of a kind whose labels match {@code selector}, ordered by name. */
  <R extends Resource<R>> List<R> list(Kind<R> kind, LabelSelector selector);

  /**
   * Stores a new resource; the store fills in uid, resourceVersion, generation 1 and
   * creationTimestamp.
   *
   * @throws StoreException.AlreadyExists if the name is taken
   */
  <R extends Resource<R>> R create(Kind<R> kind, R resource);

  /**
   * Replaces spec and metadata (labels, deletionTimestamp) but keeps the stored status. The
   * resource's resourceVersion must equal the stored one. Bumps generation when the spec changed.
   *
   * @throws StoreException.Conflict if the resourceVersion is stale
   * @throws StoreException.NotFound if there is no such resource
   */
  <R extends Resource<R>> R update(Kind<R> kind, R resource);

  /**
   * Replaces only the status, keeping stored spec and metadata. The resourceVersion must equal the
   * stored one.
   *
   * @throws StoreException.Conflict if the resourceVersion is stale
   * @throws StoreException.NotFound if there is no such resource
   */
  <R extends Resource<R>> R replaceStatus(Kind<R> kind, R resource);

  /**
   * Reads the resource, applies {@code change} and writes the status back, retrying on conflict.
   * Returns the stored result, or empty if the resource does not exist.
   */
  <R extends Resource<R>> Optional<R> updateStatus(
      Kind<R> kind, String name, UnaryOperator<R> change);

  /**
   * Removes the resource.
   *
   * @return true if something was deleted
   */
  <R extends Resource<R>> boolean delete(Kind<R> kind, String name);

  /**
   * Delivers every change to resources of {@code kind} with a resourceVersion greater than {@code
   * fromResourceVersion}, in order, on a store-owned thread, until the watch is closed. A {@code
   * fromResourceVersion} of 0 first replays the current state as ADDED events.
   */
  <R extends Resource<R>> Watch watch(
      Kind<R> kind, long fromResourceVersion, WatchListener<R> listener);

  /** The resourceVersion of the newest write so far. */
  long currentResourceVersion();

  @Override
  void close();

  /** Receives watch events. Implementations must not block for long. */
  @FunctionalInterface
  interface WatchListener<R extends Resource<R>> {
    void onEvent(WatchEvent<R> event);

    /**
     * Called once when the store ends the watch on its own, for example with {@link
     * StoreException.Expired} when the listener fell so far behind that the changes it has not seen
     * are no longer kept. No events follow; to continue, watch again from 0 (replay). Not called
     * when the watch or the store is closed by its owner. The default only logs the error, so a
     * long-lived watcher should override it.
     */
    default void onError(StoreException error) {
      LoggerFactory.getLogger(ResourceStore.class)
          .error("Watch of {} ended: {}", error.kind(), error.getMessage());
    }
  }

  /** A running watch. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}

package io.wasmbed.gateway;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread on which the gateway reads and writes the store and keeps deployment bookkeeping.
 * Serialising this work keeps per-device writes in order (Connected before Disconnected) without
 * locks, and keeps blocking store calls off Netty's event loops.
 */
final class ControlLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

  private final ScheduledExecutorService executor;

  ControlLoop(String gatewayName) {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "gateway-" + gatewayName + "-control");
              thread.setDaemon(true);
              return thread;
            });
  }

  void execute(String what, Runnable task) {
    try {
      executor.execute(guarded(what, task));
    } catch (RejectedExecutionException e) {
      log.debug("Control loop stopped; dropping {}", what);
    }
  }

  /** Runs {@code task} with {@code device} in the MDC ({@link DeviceMdc}). */
  void execute(String what, String device, Runnable task) {
    execute(what, DeviceMdc.wrap(device, task));
  }

  ScheduledFuture<?> schedule(String what, String device, Runnable task, Duration delay) {
    return schedule(what, DeviceMdc.wrap(device, task), delay);
  }

  ScheduledFuture<?> schedule(String what, Runnable task, Duration delay) {
    try {
      return executor.schedule(guarded(what, task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Control loop stopped; not scheduling {}", what);
      return null;
    }
  }

  ScheduledFuture<?> every(String what, Runnable task, Duration period) {
    long nanos = period.toNanos();
    return executor.scheduleWithFixedDelay(guarded(what, task), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} on the loop and waits for its result. */
  <T> T call(Callable<T> task, Duration timeout) {
    Future<T> future = executor.submit(task);
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("control loop task took longer than " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the control loop", e);
    }
  }

  private static Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn(
            "Gateway task '{}' failed: {}; it runs again on the next change", what, e.toString());
        log.trace("Gateway task '{}' failure", what, e);
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

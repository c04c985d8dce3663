package io.wasmbed.device.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one after another, in submission order, on a possibly shared executor. The agent uses
 * it so that a Stop received after a Deploy of the same app is applied after it, while a hundred
 * agents share a few worker threads.
 */
public final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  public SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized void execute(Runnable task) {
    tail =
        tail.thenRunAsync(task, delegate)
            .exceptionally(
                failure -> {
                  log.debug("Device task failed: {}", failure.toString());
                  return null;
                });
  }
}

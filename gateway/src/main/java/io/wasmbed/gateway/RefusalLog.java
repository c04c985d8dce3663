package io.wasmbed.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every refused connection with its reason, at INFO, without letting a flood of refusals flood
 * the log: per source address and reason the first refusal is logged in full, the ones that follow
 * within the same window only at DEBUG, and {@link #summarize()} (called once per {@link #WINDOW})
 * writes one line with how many there were. A source that stayed quiet for a whole window is
 * forgotten, so its next refusal is logged in full again. Counting is the metrics' job, not this
 * class's.
 */
final class RefusalLog {
  static final Duration WINDOW = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

  /** Beyond this many quiet sources, new ones are only summed up together. */
  private static final int MAX_TRACKED_SOURCES = 10_000;

  private record Source(InetAddress address, Refusal reason) {}

  private final ConcurrentMap<Source, AtomicLong> quiet = new ConcurrentHashMap<>();
  private final AtomicLong untracked = new AtomicLong();

  /** Logs one refusal; {@code detail} names the certificate and why, never key material. */
  void refused(SocketAddress remote, Refusal reason, String detail) {
    Source source = new Source(address(remote), reason);
    if (quiet.size() >= MAX_TRACKED_SOURCES && !quiet.containsKey(source)) {
      untracked.incrementAndGet();
      log.debug("Refused connection from {}: {} ({})", remote, reason.label(), detail);
      return;
    }
    boolean[] first = {false};
    quiet.compute(
        source,
        (s, suppressed) -> {
          if (suppressed == null) {
            first[0] = true;
            return new AtomicLong();
          }
          suppressed.incrementAndGet();
          return suppressed;
        });
    if (first[0]) {
      log.info("Refused connection from {}: {} ({})", remote, reason.label(), detail);
    } else {
      log.debug("Refused connection from {}: {} ({})", remote, reason.label(), detail);
    }
  }

  /** Writes one line per source refused again since the last call; forgets the quiet ones. */
  void summarize() {
    for (Source source : quiet.keySet()) {
      long[] more = {0};
      quiet.computeIfPresent(
          source,
          (s, suppressed) -> {
            more[0] = suppressed.getAndSet(0);
            return more[0] == 0 ? null : suppressed;
          });
      if (more[0] > 0) {
        log.info(
            "... and {} more refusals from {} ({}) in the last {}s",
            more[0],
            source.address(),
            source.reason().label(),
            WINDOW.toSeconds());
      }
    }
    long other = untracked.getAndSet(0);
    if (other > 0) {
      log.info(
          "... and {} more refusals from other addresses in the last {}s",
          other,
          WINDOW.toSeconds());
    }
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}

package io.wasmbed.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Notices one device identity used by two agents at once (a cloned key): their sessions keep
 * replacing each other. More than {@link #MAX_REPLACEMENTS} replacements of one device's session
 * within {@link #WINDOW} start a conflict that lasts {@link #HOLD}; while it lasts the gateway
 * keeps the session it has and refuses any new connection for the device while that session lives
 * (from whatever address: clones on one host share it). Thread-safe: sessions open on many event
 * loops.
 */
final class IdentityConflicts {
  static final int MAX_REPLACEMENTS = 3;
  static final Duration WINDOW = Duration.ofSeconds(30);
  static final Duration HOLD = Duration.ofSeconds(60);

  private record Conflict(Instant until, String note) {}

  private final Clock clock;
  private final Map<String, Deque<Instant>> replacements = new HashMap<>();
  private final Map<String, Conflict> conflicts = new HashMap<>();

  IdentityConflicts(Clock clock) {
    this.clock = clock;
  }

  /**
   * Records that {@code device}'s session was just replaced.
   *
   * @return true if this replacement starts a conflict
   */
  synchronized boolean replaced(String device, String note) {
    Instant now = clock.instant();
    if (active(device, now).isPresent()) {
      return false; // admitted after the held session ended: not another replacement
    }
    Deque<Instant> times = replacements.computeIfAbsent(device, d -> new ArrayDeque<>());
    times.addLast(now);
    while (times.peekFirst().isBefore(now.minus(WINDOW))) {
      times.removeFirst();
    }
    if (times.size() <= MAX_REPLACEMENTS) {
      return false;
    }
    replacements.remove(device);
    conflicts.put(device, new Conflict(now.plus(HOLD), note));
    return true;
  }

  /** The note describing {@code device}'s conflict, while it lasts. */
  synchronized Optional<String> note(String device) {
    return active(device, clock.instant()).map(Conflict::note);
  }

  private Optional<Conflict> active(String device, Instant now) {
    Conflict conflict = conflicts.get(device);
    if (conflict != null && !now.isBefore(conflict.until())) {
      conflicts.remove(device);
      return Optional.empty();
    }
    return Optional.ofNullable(conflict);
  }
}

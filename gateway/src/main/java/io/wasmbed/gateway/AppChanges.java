package io.wasmbed.gateway;

import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.Device.AppState;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Pending edits to one device's {@code status.apps}, recorded only where something changes. */
final class AppChanges {
  private final Map<String, AppState> current;
  private final Instant now;
  private final Map<String, AppState> updates = new LinkedHashMap<>();
  private final Set<String> removals = new LinkedHashSet<>();

  AppChanges(Map<String, AppState> current, Instant now) {
    this.current = current;
    this.now = now;
  }

  /** Records the new state; returns false when the app is already in exactly that state. */
  boolean set(String app, AppPhase phase, String digest, String reason) {
    AppState known = updates.containsKey(app) ? updates.get(app) : current.get(app);
    if (known != null
        && known.phase() == phase
        && known.digest().equals(digest)
        && known.reason().equals(reason)) {
      return false;
    }
    updates.put(app, new AppState(phase, digest, reason, now));
    removals.remove(app);
    return true;
  }

  void remove(String app) {
    if (current.containsKey(app)) {
      removals.add(app);
      updates.remove(app);
    }
  }

  boolean isEmpty() {
    return updates.isEmpty() && removals.isEmpty();
  }

  Map<String, AppState> applyTo(Map<String, AppState> apps) {
    Map<String, AppState> result = new HashMap<>(apps);
    result.putAll(updates);
    removals.forEach(result::remove);
    return result;
  }
}

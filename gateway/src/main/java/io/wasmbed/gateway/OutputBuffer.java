package io.wasmbed.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The last {@code capacity} output lines of each application on each device. */
final class OutputBuffer {
  static final int DEFAULT_CAPACITY = 50;

  private final int capacity;
  private final Map<String, Map<String, Deque<OutputLine>>> byApp = new ConcurrentHashMap<>();

  OutputBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: at least 1)");
    }
    this.capacity = capacity;
  }

  void add(OutputLine line) {
    Deque<OutputLine> ring =
        byApp
            .computeIfAbsent(line.app(), app -> new ConcurrentHashMap<>())
            .computeIfAbsent(line.device(), device -> new ArrayDeque<>());
    synchronized (ring) {
      if (ring.size() == capacity) {
        ring.removeFirst();
      }
      ring.addLast(line);
    }
  }

  /** Lines of {@code app} from every device, oldest first. */
  List<OutputLine> recent(String app) {
    List<OutputLine> lines = new ArrayList<>();
    for (Deque<OutputLine> ring : byApp.getOrDefault(app, Map.of()).values()) {
      synchronized (ring) {
        lines.addAll(ring);
      }
    }
    lines.sort(Comparator.comparing(OutputLine::time));
    return List.copyOf(lines);
  }

  void forget(String device, String app) {
    Map<String, Deque<OutputLine>> devices = byApp.get(app);
    if (devices != null) {
      devices.remove(device);
    }
  }
}

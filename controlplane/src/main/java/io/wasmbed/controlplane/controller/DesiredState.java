package io.wasmbed.controlplane.controller;

import io.wasmbed.store.Application;
import io.wasmbed.store.Application.DeviceState;
import io.wasmbed.store.Application.Phase;
import io.wasmbed.store.Device;
import io.wasmbed.store.Device.AppPhase;
import io.wasmbed.store.LabelSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an Application's status should be, computed only from the Application and the Devices. No
 * clock and no side effects: the same inputs always give an equal status, which is what keeps the
 * controller from writing in a loop.
 */
final class DesiredState {

  static final String NOT_REGISTERED = "device not registered";
  static final String WAITING_FOR_CONNECTION = "waiting for device to connect";
  static final String WAITING_FOR_GATEWAY = "waiting for gateway";

  /** App phases on a device that mean the app still occupies it. */
  private static final Set<AppPhase> ACTIVE =
      EnumSet.of(AppPhase.Running, AppPhase.Deploying, AppPhase.Stopping);

  private DesiredState() {}

  /**
   * The devices the application should run on, sorted by name: devices named in the targets plus
   * devices matching the selector, never Revoked ones; at most {@code count} when count is
   * positive, preferring devices that already run it, then Connected ones, then by name.
   */
  static List<String> placements(Application app, Map<String, Device> devices) {
    if (app.spec().stopped() || app.metadata().deleting()) {
      return List.of();
    }
    Application.Targets targets = app.spec().targets();
    Set<String> candidates = new LinkedHashSet<>();
    for (String name : targets.devices()) {
      Device device = devices.get(name);
      if (device == null || !revoked(device)) {
        candidates.add(name);
      }
    }
    if (!targets.selector().isEmpty()) {
      LabelSelector selector = new LabelSelector(targets.selector());
      devices.values().stream()
          .filter(d -> !revoked(d) && selector.matches(d.metadata().labels()))
          .forEach(d -> candidates.add(d.name()));
    }
    List<String> chosen = new ArrayList<>(candidates);
    if (targets.count() > 0 && chosen.size() > targets.count()) {
      Set<String> placed = Set.copyOf(app.status().placements());
      chosen.sort(
          Comparator.comparing((String n) -> !placed.contains(n))
              .thenComparing(n -> !connected(devices.get(n)))
              .thenComparing(Comparator.naturalOrder()));
      chosen = chosen.subList(0, targets.count());
    }
    chosen.sort(Comparator.naturalOrder());
    return List.copyOf(chosen);
  }

  /** The full status the application should have now. */
  static Application.Status status(Application app, Map<String, Device> devices) {
    List<String> placements = placements(app, devices);
    boolean winding = app.spec().stopped() || app.metadata().deleting();
    Map<String, DeviceState> states =
        winding ? reportedStates(app.name(), devices) : placedStates(app, placements, devices);

    int running = winding ? count(states, AppPhase.Running) : runningOnConnected(states, devices);
    int failed = count(states, AppPhase.Failed);
    int stopped = count(states, AppPhase.Stopped);
    int total = winding ? states.size() : placements.size();
    long generation = app.metadata().generation();

    if (app.metadata().deleting()) {
      int left = stillActive(app.name(), devices, true).size();
      String message = "Deleting: waiting for " + left + " device(s) to stop the application";
      return new Application.Status(
          Phase.Deleting, placements, states, total, running, failed, stopped, message, generation);
    }
    if (app.spec().stopped()) {
      int left = stillActive(app.name(), devices, false).size();
      Phase phase = left == 0 ? Phase.Stopped : Phase.Stopping;
      String message = left == 0 ? "Stopped" : "Stopping on " + left + " device(s)";
      return new Application.Status(
          phase, placements, states, total, running, failed, stopped, message, generation);
    }
    Phase phase = activePhase(total, running, failed);
    String message = activeMessage(app, states, total, running);
    return new Application.Status(
        phase, placements, states, total, running, failed, stopped, message, generation);
  }

  /**
   * Devices that still report the application as Running, Deploying or Stopping. When {@code
   * onlyConnected}, devices that are not Connected are left out: no gateway can stop the app there,
   * and the device is told again when it reconnects.
   */
  static List<String> stillActive(String app, Map<String, Device> devices, boolean onlyConnected) {
    List<String> names = new ArrayList<>();
    for (Device device : devices.values()) {
      Device.AppState state = device.status().apps().get(app);
      if (state == null || !ACTIVE.contains(state.phase())) {
        continue;
      }
      if (!onlyConnected || connected(device)) {
        names.add(device.name());
      }
    }
    return names;
  }

  private static Map<String, DeviceState> placedStates(
      Application app, List<String> placements, Map<String, Device> devices) {
    Map<String, DeviceState> states = new TreeMap<>();
    for (String name : placements) {
      states.put(name, placedState(app.name(), devices.get(name)));
    }
    return states;
  }

  private static DeviceState placedState(String app, Device device) {
    if (device == null) {
      return new DeviceState(AppPhase.Deploying, NOT_REGISTERED);
    }
    Device.AppState reported = device.status().apps().get(app);
    if (reported != null && !connected(device) && ACTIVE.contains(reported.phase())) {
      return new DeviceState(reported.phase(), notConnected(device));
    }
    if (reported != null) {
      return new DeviceState(reported.phase(), reported.reason());
    }
    String reason = connected(device) ? WAITING_FOR_GATEWAY : WAITING_FOR_CONNECTION;
    return new DeviceState(AppPhase.Deploying, reason);
  }

  /**
   * Why the last report from a device that is not Connected no longer tells what runs there. Only
   * fields that stay put while the device is away (its phase, its last heartbeat) go in, so the
   * status stays equal until the device comes back.
   */
  static String notConnected(Device device) {
    Instant lastSeen = device.status().lastHeartbeat();
    String phase = "device " + device.status().phase();
    return lastSeen == null ? phase : phase + ", last seen " + lastSeen;
  }

  /**
   * Placed devices that report the app Running and are Connected: a device that is away keeps its
   * last report in the status but is not counted as running it.
   */
  private static int runningOnConnected(
      Map<String, DeviceState> states, Map<String, Device> devices) {
    return (int)
        states.entrySet().stream()
            .filter(e -> e.getValue().phase() == AppPhase.Running)
            .filter(e -> connected(devices.get(e.getKey())))
            .count();
  }

  private static Map<String, DeviceState> reportedStates(String app, Map<String, Device> devices) {
    Map<String, DeviceState> states = new TreeMap<>();
    for (Device device : devices.values()) {
      Device.AppState reported = device.status().apps().get(app);
      if (reported != null) {
        states.put(device.name(), new DeviceState(reported.phase(), reported.reason()));
      }
    }
    return states;
  }

  private static Phase activePhase(int total, int running, int failed) {
    if (total == 0) {
      return Phase.Deploying;
    }
    if (running == total) {
      return Phase.Running;
    }
    if (failed == total) {
      return Phase.Failed;
    }
    return running > 0 ? Phase.PartiallyRunning : Phase.Deploying;
  }

  private static String activeMessage(
      Application app, Map<String, DeviceState> states, int total, int running) {
    if (total == 0) {
      return "No matching devices for targets " + describe(app.spec().targets());
    }
    String message = "Running on " + running + "/" + total + " devices";
    return states.entrySet().stream()
        .filter(e -> e.getValue().phase() == AppPhase.Failed)
        .findFirst()
        .map(e -> message + "; " + e.getKey() + " failed: " + e.getValue().reason())
        .orElse(message);
  }

  private static String describe(Application.Targets targets) {
    return "(devices="
        + targets.devices()
        + ", selector="
        + new TreeMap<>(targets.selector())
        + ", count="
        + targets.count()
        + ")";
  }

  private static int count(Map<String, DeviceState> states, AppPhase phase) {
    return (int) states.values().stream().filter(s -> s.phase() == phase).count();
  }

  private static boolean revoked(Device device) {
    return device.status().phase() == Device.Phase.Revoked;
  }

  private static boolean connected(Device device) {
    return device != null && device.status().phase() == Device.Phase.Connected;
  }
}

package io.wasmbed.store;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A WebAssembly application and where it should run. */
public record Application(ObjectMeta metadata, Spec spec, Status status)
    implements Resource<Application> {

  public Application {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    status = status == null ? Status.CREATING : status;
  }

  @Override
  public Application withMetadata(ObjectMeta newMetadata) {
    return new Application(newMetadata, spec, status);
  }

  public Application withSpec(Spec newSpec) {
    return new Application(metadata, newSpec, status);
  }

  public Application withStatus(Status newStatus) {
    return new Application(metadata, spec, newStatus);
  }

  /**
   * @param signature base64 publisher signature over the module bytes, empty if unsigned
   * @param stopped desired state: true once someone asked the application to stop
   */
  public record Spec(
      Module module,
      String signature,
      Targets targets,
      ModuleLimits limits,
      ModulePolicy policy,
      Map<String, String> config,
      RestartPolicy restartPolicy,
      boolean stopped) {
    public Spec {
      Objects.requireNonNull(module, "module");
      signature = signature == null ? "" : signature;
      Objects.requireNonNull(targets, "targets");
      limits = limits == null ? ModuleLimits.DEFAULTS : limits;
      policy = policy == null ? ModulePolicy.DEFAULT : policy;
      config = config == null ? Map.of() : Map.copyOf(config);
      restartPolicy = restartPolicy == null ? RestartPolicy.Never : restartPolicy;
    }

    public Spec withStopped(boolean newStopped) {
      return new Spec(
          module, signature, targets, limits, policy, config, restartPolicy, newStopped);
    }
  }

  /**
   * The module: its content digest ({@code sha256:<hex>}) and exactly one source.
   *
   * @param inline the module bytes themselves (base64 in JSON)
   * @param url where to fetch the module from
   * @param oci an OCI artifact reference
   */
  public record Module(String digest, byte[] inline, String url, String oci) {
    public Module {
      Objects.requireNonNull(digest, "digest");
      if (!digest.matches("sha256:[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            "module.digest: '" + digest + "' (expected: sha256: followed by 64 hex digits)");
      }
      inline = inline == null ? null : inline.clone();
      int sources = (inline != null ? 1 : 0) + (url != null ? 1 : 0) + (oci != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalArgumentException(
            "module: " + sources + " sources (expected: exactly one of inline, url, oci)");
      }
    }
  }

  /**
   * Which devices the application should run on: the named devices plus those matching the label
   * selector, at most {@code count} of them when count is positive.
   */
  public record Targets(List<String> devices, Map<String, String> selector, int count) {
    public Targets {
      devices = devices == null ? List.of() : List.copyOf(devices);
      selector = selector == null ? Map.of() : Map.copyOf(selector);
      if (devices.isEmpty() && selector.isEmpty()) {
        throw new IllegalArgumentException(
            "targets: empty (expected: device names, a label selector, or both)");
      }
      if (count < 0) {
        throw new IllegalArgumentException("targets.count: " + count + " (expected: zero or more)");
      }
    }
  }

  public enum RestartPolicy {
    Never,
    OnFailure,
    Always
  }

  public enum Phase {
    Creating,
    Deploying,
    Running,
    PartiallyRunning,
    Stopping,
    Stopped,
    Failed,
    Deleting
  }

  /**
   * Written by the application controller.
   *
   * @param placements the devices the application should be on (desired placement); gateways act on
   *     it
   * @param devices the last known state on each placed device
   */
  public record Status(
      Phase phase,
      List<String> placements,
      Map<String, DeviceState> devices,
      int total,
      int running,
      int failed,
      int stopped,
      String message,
      long observedGeneration) {

    public static final Status CREATING =
        new Status(Phase.Creating, List.of(), Map.of(), 0, 0, 0, 0, "", 0);

    public Status {
      phase = phase == null ? Phase.Creating : phase;
      placements = placements == null ? List.of() : List.copyOf(placements);
      devices = devices == null ? Map.of() : Map.copyOf(devices);
      message = message == null ? "" : message;
    }
  }

  /** The application's state on one device, copied from that Device's status. */
  public record DeviceState(Device.AppPhase phase, String reason) {
    public DeviceState {
      Objects.requireNonNull(phase, "phase");
      reason = reason == null ? "" : reason;
    }
  }
}

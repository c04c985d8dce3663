package io.wasmbed.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every message that travels between a gateway and a device. Each family member has a fixed numeric
 * tag (see {@link MessageTag}) and a fixed field order on the wire; {@code docs/protocol.md} is the
 * normative description.
 */
public sealed interface Message {

  /** Device to gateway: "I am alive". No fields. */
  record Heartbeat() implements Message {}

  /** Gateway to device: answer to a {@link Heartbeat}, with the gateway's clock (epoch millis). */
  record HeartbeatAck(long gatewayTimeMillis) implements Message {}

  /**
   * Device to gateway: the device's self-description, sent first after connecting. {@code apps}
   * maps each application still running on the device (for example across a reconnect) to its
   * module digest, so the gateway can reconcile instead of redeploying.
   */
  record DeviceInfo(
      String deviceType,
      String firmware,
      List<String> capabilities,
      long freeMemory,
      Map<String, String> apps)
      implements Message {
    public DeviceInfo {
      Objects.requireNonNull(deviceType, "deviceType");
      Objects.requireNonNull(firmware, "firmware");
      capabilities = List.copyOf(capabilities);
      apps = Map.copyOf(apps);
    }
  }

  /**
   * Device to gateway: ask to be enrolled. {@code csr} is a DER-encoded PKCS#10 request signed with
   * the device key; {@code token} is the optional one-time enrollment token (empty if none).
   */
  record EnrollmentRequest(byte[] csr, String hardwareId, String token) implements Message {
    public EnrollmentRequest {
      csr = csr.clone();
      Objects.requireNonNull(hardwareId, "hardwareId");
      Objects.requireNonNull(token, "token");
    }
  }

  /** Gateway to device: enrollment granted; DER certificates, leaf first, then the CA. */
  record EnrollmentAccepted(String deviceId, List<byte[]> certificateChain) implements Message {
    public EnrollmentAccepted {
      Objects.requireNonNull(deviceId, "deviceId");
      certificateChain = certificateChain.stream().map(byte[]::clone).toList();
    }
  }

  /** Gateway to device: enrollment refused, with the reason. */
  record EnrollmentRejected(String reason) implements Message {
    public EnrollmentRejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Device to gateway: the device has stored its identity; enrollment is complete. */
  record EnrollmentComplete(String deviceId) implements Message {
    public EnrollmentComplete {
      Objects.requireNonNull(deviceId, "deviceId");
    }
  }

  /**
   * Gateway to device: run this module as application {@code app}. {@code digest} is {@code
   * sha256:<hex>} of {@code module}; {@code signature} is the optional publisher signature (empty
   * if unsigned).
   */
  record Deploy(
      String app,
      String digest,
      byte[] module,
      byte[] signature,
      ModuleLimits limits,
      ModulePolicy policy,
      Map<String, String> config)
      implements Message {
    public Deploy {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(digest, "digest");
      module = module.clone();
      signature = signature.clone();
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(policy, "policy");
      config = Map.copyOf(config);
    }
  }

  /** Device to gateway: outcome of a {@link Deploy}. {@code reason} is empty on success. */
  record DeployAck(String app, boolean accepted, String reason) implements Message {
    public DeployAck {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Gateway to device: stop and unload application {@code app}. */
  record Stop(String app) implements Message {
    public Stop {
      Objects.requireNonNull(app, "app");
    }
  }

  /** Device to gateway: outcome of a {@link Stop}. */
  record StopAck(String app, boolean stopped, String reason) implements Message {
    public StopAck {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Device to gateway: an application changed phase on its own (for example it trapped). */
  record AppStatus(String app, AppPhase phase, String reason) implements Message {
    public AppStatus {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Device to gateway: something an application logged or published. */
  record AppOutput(String app, OutputKind kind, String text, long timeMillis) implements Message {
    public AppOutput {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
    }
  }

  /** Either direction: the peer sent something this side cannot process. */
  record ProtocolError(String reason) implements Message {
    public ProtocolError {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Phase of one application on one device, as the device reports it. */
  enum AppPhase {
    STARTING,
    RUNNING,
    STOPPED,
    FAILED
  }

  /** What kind of output an {@link AppOutput} carries. */
  enum OutputKind {
    LOG,
    READING
  }
}

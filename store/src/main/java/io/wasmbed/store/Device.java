package io.wasmbed.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An edge device: who it is ({@code spec}) and what the platform last saw of it ({@code status}).
 */
public record Device(ObjectMeta metadata, Spec spec, Status status) implements Resource<Device> {

  public Device {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    status = status == null ? Status.PENDING : status;
  }

  @Override
  public Device withMetadata(ObjectMeta newMetadata) {
    return new Device(newMetadata, spec, status);
  }

  public Device withStatus(Status newStatus) {
    return new Device(metadata, spec, newStatus);
  }

  /**
   * @param publicKey base64url (no padding) of the device key's DER SubjectPublicKeyInfo; the
   *     gateway finds devices by it
   */
  public record Spec(
      String publicKey, String deviceType, List<String> capabilities, String hardwareId) {
    public Spec {
      Objects.requireNonNull(publicKey, "publicKey");
      deviceType = deviceType == null ? "generic" : deviceType;
      capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
      hardwareId = hardwareId == null ? "" : hardwareId;
    }
  }

  public enum Phase {
    Pending,
    Enrolling,
    Enrolled,
    Connected,
    Disconnected,
    Unreachable,
    Revoked
  }

  /**
   * @param apps per-application state on this device, keyed by application name; written by the
   *     gateway that holds the device's connection
   */
  public record Status(
      Phase phase,
      String gateway,
      Instant connectedSince,
      Instant lastHeartbeat,
      Map<String, AppState> apps,
      CertificateInfo certificate,
      String message) {

    public static final Status PENDING =
        new Status(Phase.Pending, "", null, null, Map.of(), null, "");

    public Status {
      phase = phase == null ? Phase.Pending : phase;
      gateway = gateway == null ? "" : gateway;
      apps = apps == null ? Map.of() : Map.copyOf(apps);
      message = message == null ? "" : message;
    }

    public Status withPhase(Phase newPhase, String newMessage) {
      return new Status(
          newPhase, gateway, connectedSince, lastHeartbeat, apps, certificate, newMessage);
    }

    public Status withApps(Map<String, AppState> newApps) {
      return new Status(
          phase, gateway, connectedSince, lastHeartbeat, newApps, certificate, message);
    }

    public Status withCertificate(CertificateInfo newCertificate) {
      return new Status(
          phase, gateway, connectedSince, lastHeartbeat, apps, newCertificate, message);
    }

    public Status connected(String gatewayName, Instant now) {
      return new Status(Phase.Connected, gatewayName, now, now, apps, certificate, "");
    }

    public Status heartbeat(Instant now) {
      return new Status(phase, gateway, connectedSince, now, apps, certificate, message);
    }
  }

  /** State of one application on this device. */
  public record AppState(AppPhase phase, String digest, String reason, Instant since) {
    public AppState {
      Objects.requireNonNull(phase, "phase");
      digest = digest == null ? "" : digest;
      reason = reason == null ? "" : reason;
    }
  }

  /** The phases an application goes through on one device. */
  public enum AppPhase {
    Deploying,
    Running,
    Stopping,
    Stopped,
    Failed
  }

  /** The operational certificate the CA issued to this device. */
  public record CertificateInfo(String serial, Instant notAfter) {}
}

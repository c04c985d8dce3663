package io.wasmbed.controlplane.devices;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.Names;
import io.wasmbed.pki.Csrs;
import io.wasmbed.pki.Pki;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.ObjectMeta;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers devices ahead of time (operator-driven enrollment): checks the device's CSR, records
 * the Device with its public key, and issues its operational certificate from the device CA.
 */
public final class DeviceRegistry {

  private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);

  private final ResourceStore store;
  private final Pki pki;
  private final Clock clock;

  public DeviceRegistry(ResourceStore store, Pki pki, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.pki = Objects.requireNonNull(pki, "pki");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Registers a device and issues its certificate.
   *
   * @param csr PKCS#10 request in DER or PEM, signed by the device's key
   * @param deviceType null for the default type
   * @throws ControlPlaneException.Invalid for a bad name, labels or CSR
   * @throws ControlPlaneException.Conflict if another device already has the CSR's public key
   * @throws StoreException.AlreadyExists if the name is taken
   */
  public Enrollment register(
      String name, byte[] csr, Map<String, String> labels, String deviceType) {
    Names.requireResourceName("name", name);
    Names.requireLabels("labels", labels);
    PKCS10CertificationRequest request = parseCsr(csr);
    requireSubject(request, name);
    String publicKey = PublicKeys.encode(Csrs.publicKey(request));
    refuseTakenName(name);
    refuseTakenKey(name, publicKey);

    X509Certificate certificate = pki.deviceCa().issueDeviceCertificate(der(request), name);
    Device.Status status =
        Device.Status.PENDING
            .withPhase(Device.Phase.Enrolled, "registered at " + clock.instant())
            .withCertificate(
                new Device.CertificateInfo(
                    certificate.getSerialNumber().toString(16),
                    certificate.getNotAfter().toInstant()));
    Device device =
        new Device(
            ObjectMeta.named(name, labels),
            new Device.Spec(publicKey, deviceType, List.of(), ""),
            status);
    Device stored = create(device, certificate);

    log.info(
        "Device {} registered; certificate serial {} valid until {}",
        name,
        status.certificate().serial(),
        status.certificate().notAfter());
    return new Enrollment(
        stored, List.of(certificate, pki.deviceCa().certificate()), pki.gatewayCa().certificate());
  }

  /**
   * Revokes the device's certificate and marks it Revoked; gateways refuse it from then on.
   * Revoking a revoked device changes nothing.
   *
   * @throws StoreException.NotFound if there is no such device
   */
  public Device revoke(String name) {
    Names.requireResourceName("name", name);
    Device device =
        store
            .get(Kind.DEVICE, name)
            .orElseThrow(() -> new StoreException.NotFound(Kind.DEVICE.kind(), name));
    revokeCertificate(device);
    if (device.status().phase() == Device.Phase.Revoked) {
      return device;
    }
    String message = "revoked at " + clock.instant();
    Device revoked =
        store
            .updateStatus(
                Kind.DEVICE,
                name,
                d -> d.withStatus(d.status().withPhase(Device.Phase.Revoked, message)))
            .orElseThrow(() -> new StoreException.NotFound(Kind.DEVICE.kind(), name));
    log.info("Device {} revoked; its gateway ends any live session", name);
    return revoked;
  }

  /**
   * Revokes the device's certificate and removes the Device.
   *
   * @return false if there was no such device
   */
  public boolean delete(String name) {
    Names.requireResourceName("name", name);
    Optional<Device> device = store.get(Kind.DEVICE, name);
    if (device.isEmpty()) {
      return false;
    }
    revokeCertificate(device.get());
    boolean deleted = store.delete(Kind.DEVICE, name);
    log.info("Device {} deleted; its certificate is revoked", name);
    return deleted;
  }

  private void revokeCertificate(Device device) {
    Device.CertificateInfo certificate = device.status().certificate();
    if (certificate == null || certificate.serial().isEmpty()) {
      return;
    }
    BigInteger serial = new BigInteger(certificate.serial(), 16);
    if (!pki.deviceCa().isRevoked(serial)) {
      pki.deviceCa().revoke(serial);
    }
  }

  private Device create(Device device, X509Certificate certificate) {
    try {
      Device stored = store.create(Kind.DEVICE, device);
      if (stored.status().equals(device.status())) {
        return stored;
      }
      return store
          .updateStatus(Kind.DEVICE, device.name(), d -> d.withStatus(device.status()))
          .orElseThrow(() -> new StoreException.NotFound(Kind.DEVICE.kind(), device.name()));
    } catch (StoreException.AlreadyExists e) {
      // Lost a race for the name: the certificate just issued must not stay usable.
      pki.deviceCa().revoke(certificate.getSerialNumber());
      throw e;
    }
  }

  private static PKCS10CertificationRequest parseCsr(byte[] csr) {
    if (csr == null || csr.length == 0) {
      throw new ControlPlaneException.Invalid(
          "csr", csr == null ? "missing" : "empty", "a PKCS#10 request in DER or PEM");
    }
    try {
      return Csrs.parse(csr);
    } catch (UnsupportedOperationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ControlPlaneException.Invalid(
          "csr",
          csr.length + " bytes refused (" + e.getMessage() + ")",
          "a PKCS#10 request in DER or PEM, signed by the key it carries",
          e);
    }
  }

  /** The CA names the certificate after the device; the CSR must ask for that same name. */
  private static void requireSubject(PKCS10CertificationRequest request, String name) {
    String commonName = Csrs.commonName(request);
    if (!name.equals(commonName)) {
      throw new ControlPlaneException.Invalid(
          "csr", "subject CN '" + commonName + "'", "CN '" + name + "', the device's name");
    }
  }

  private void refuseTakenName(String name) {
    if (store.get(Kind.DEVICE, name).isPresent()) {
      throw new StoreException.AlreadyExists(Kind.DEVICE.kind(), name);
    }
  }

  private void refuseTakenKey(String name, String publicKey) {
    store.list(Kind.DEVICE, LabelSelector.ALL).stream()
        .filter(d -> d.spec().publicKey().equals(publicKey))
        .findFirst()
        .ifPresent(
            owner -> {
              log.info(
                  "Device {} refused: its public key already belongs to device {}",
                  name,
                  owner.name());
              throw new ControlPlaneException.Conflict(
                  "csr: public key already registered to device '"
                      + owner.name()
                      + "' (expected: a key no other device uses)");
            });
  }

  private static byte[] der(PKCS10CertificationRequest request) {
    try {
      return request.getEncoded();
    } catch (IOException e) {
      throw new ControlPlaneException.Invalid("csr", "not re-encodable", "a DER encodable CSR", e);
    }
  }
}

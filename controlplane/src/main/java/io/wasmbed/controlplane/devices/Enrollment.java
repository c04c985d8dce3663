package io.wasmbed.controlplane.devices;

import io.wasmbed.store.Device;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The result of registering a device: the stored Device, its certificate chain (device certificate
 * first, then the device CA) and the CA that signs gateway certificates, which the device trusts.
 */
public record Enrollment(Device device, List<X509Certificate> chain, X509Certificate gatewayCa) {
  public Enrollment {
    Objects.requireNonNull(device, "device");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: the device certificate first)");
    }
    Objects.requireNonNull(gatewayCa, "gatewayCa");
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }
}

package io.wasmbed.store;

import java.util.Objects;

/**
 * A resource type the store knows: its Kubernetes-style names and its Java class. Instances are the
 * constants below; adapters use {@link #plural()} as table or CRD name.
 */
public record Kind<R extends Resource<R>>(String kind, String plural, Class<R> type) {

  public static final Kind<Device> DEVICE = new Kind<>("Device", "devices", Device.class);
  public static final Kind<Application> APPLICATION =
      new Kind<>("Application", "applications", Application.class);
  public static final Kind<Gateway> GATEWAY = new Kind<>("Gateway", "gateways", Gateway.class);

  public Kind {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public String toString() {
    return kind;
  }
}

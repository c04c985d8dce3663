package io.wasmbed.controlplane.auth;

import io.wasmbed.controlplane.auth.Permission.Action;
import io.wasmbed.controlplane.auth.Permission.Resource;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** A named set of permissions an API key carries. Anything not listed is denied. */
public enum Role {
  /** Everything, including API keys. */
  admin(all()),
  /** Reads and changes devices and applications; reads metrics. */
  operator(
      Set.of(
          Permission.of(Resource.devices, Action.read),
          Permission.of(Resource.devices, Action.write),
          Permission.of(Resource.applications, Action.read),
          Permission.of(Resource.applications, Action.write),
          Permission.of(Resource.metrics, Action.read))),
  /** Reads devices, applications and metrics. */
  viewer(
      Set.of(
          Permission.of(Resource.devices, Action.read),
          Permission.of(Resource.applications, Action.read),
          Permission.of(Resource.metrics, Action.read)));

  private final Set<Permission> permissions;

  Role(Set<Permission> permissions) {
    this.permissions = Set.copyOf(permissions);
  }

  public Set<Permission> permissions() {
    return permissions;
  }

  public boolean allows(Permission permission) {
    return permissions.contains(permission);
  }

  /** Parses a role name, case-insensitively. */
  public static Role parse(String name) {
    try {
      return valueOf(name.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "role: '" + name + "' (expected: admin, operator or viewer)", e);
    }
  }

  private static Set<Permission> all() {
    Set<Permission> all = new HashSet<>();
    for (Resource resource : EnumSet.allOf(Resource.class)) {
      for (Action action : EnumSet.allOf(Action.class)) {
        all.add(Permission.of(resource, action));
      }
    }
    return all;
  }
}

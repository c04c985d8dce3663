package io.wasmbed.sandbox;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.util.Map;
import java.util.Objects;

/** Everything the sandbox needs to run one application. */
public record AppSpec(
    String name,
    byte[] module,
    String digest,
    ModuleLimits limits,
    ModulePolicy policy,
    Map<String, String> config) {

  public AppSpec {
    Objects.requireNonNull(name, "name");
    module = module.clone();
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(policy, "policy");
    config = Map.copyOf(config);
  }

  @Override
  public byte[] module() {
    return module.clone();
  }
}

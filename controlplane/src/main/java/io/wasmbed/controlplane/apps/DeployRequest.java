package io.wasmbed.controlplane.apps;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.store.Application;
import java.util.Map;

/**
 * What a caller asks to deploy. Checked in depth by {@link ApplicationService#deploy}; the
 * constructor only copies and fills defaults.
 *
 * @param wasm the module's bytes (base64 in JSON)
 * @param limits null for {@link ModuleLimits#DEFAULTS}
 * @param policy null for {@link ModulePolicy#DEFAULT}
 * @param restartPolicy null for {@code Never}
 */
public record DeployRequest(
    String name,
    byte[] wasm,
    Application.Targets targets,
    ModuleLimits limits,
    ModulePolicy policy,
    Map<String, String> config,
    Map<String, String> labels,
    Application.RestartPolicy restartPolicy) {

  /** A request with restart policy {@code Never}. */
  public DeployRequest(
      String name,
      byte[] wasm,
      Application.Targets targets,
      ModuleLimits limits,
      ModulePolicy policy,
      Map<String, String> config,
      Map<String, String> labels) {
    this(name, wasm, targets, limits, policy, config, labels, null);
  }

  public DeployRequest {
    wasm = wasm == null ? null : wasm.clone();
    limits = limits == null ? ModuleLimits.DEFAULTS : limits;
    policy = policy == null ? ModulePolicy.DEFAULT : policy;
    config = config == null ? Map.of() : Map.copyOf(config);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    restartPolicy = restartPolicy == null ? Application.RestartPolicy.Never : restartPolicy;
  }

  @Override
  public byte[] wasm() {
    return wasm == null ? null : wasm.clone();
  }
}

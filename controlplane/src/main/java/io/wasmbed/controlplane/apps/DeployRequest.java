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
 */
public record DeployRequest(
    String name,
    byte[] wasm,
    Application.Targets targets,
    ModuleLimits limits,
    ModulePolicy policy,
    Map<String, String> config,
    Map<String, String> labels) {

  public DeployRequest {
    wasm = wasm == null ? null : wasm.clone();
    limits = limits == null ? ModuleLimits.DEFAULTS : limits;
    policy = policy == null ? ModulePolicy.DEFAULT : policy;
    config = config == null ? Map.of() : Map.copyOf(config);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  @Override
  public byte[] wasm() {
    return wasm == null ? null : wasm.clone();
  }
}

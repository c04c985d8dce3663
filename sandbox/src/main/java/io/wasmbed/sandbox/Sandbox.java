package io.wasmbed.sandbox;

import java.util.Set;

/**
 * The device's WebAssembly runtime: runs each application in its own instance, under its policy and
 * limits, and keeps the device alive whatever a module does.
 */
public final class Sandbox implements AutoCloseable {

  public Sandbox(HostServices host) {
    throw new UnsupportedOperationException("being written by the sandbox module");
  }

  /**
   * Validates the module, checks it against the policy, instantiates it within its limits and runs
   * its start entry point. Returns once the app is running; periodic ticks then run on sandbox
   * threads and report through {@code listener}.
   *
   * @throws SandboxException with the refusal's reason
   */
  public void start(AppSpec spec, AppListener listener) {
    throw new UnsupportedOperationException("being written by the sandbox module");
  }

  /** Stops and unloads an app; returns false if no such app was running. */
  public boolean stop(String app) {
    throw new UnsupportedOperationException("being written by the sandbox module");
  }

  /** Names of the apps currently running. */
  public Set<String> apps() {
    throw new UnsupportedOperationException("being written by the sandbox module");
  }

  @Override
  public void close() {}
}

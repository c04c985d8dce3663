package io.wasmbed.sandbox;

import io.wasmbed.sandbox.SandboxException.AppExited;
import io.wasmbed.sandbox.SandboxException.InstanceNotFound;
import io.wasmbed.sandbox.SandboxException.InvalidModule;
import io.wasmbed.sandbox.SandboxException.ModuleNotAllowed;
import io.wasmbed.sandbox.SandboxException.ModuleNotFound;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's WebAssembly runtime: runs each application in its own instance, under its policy and
 * limits, and keeps the device alive whatever a module does.
 *
 * <p>Loading an app runs these steps, each refusing with its own {@link SandboxException}: digest
 * check and allowed-module check ({@code ModuleNotAllowed}, or {@code ModuleNotFound} when no bytes
 * are given and the digest is not cached), limits within the device's {@link LimitMaxima} ({@code
 * LimitExceeded}), parse and validate ({@code InvalidModule}), shape and limit checks ({@code
 * LimitExceeded}), import policy ({@code ModuleNotAllowed}, naming the import), then instantiation
 * and {@code init} as guarded guest calls ({@code Trap}, {@code LimitExceeded}, {@code
 * ExecutionTimeExceeded}). {@link ModuleCheck} makes the same checks up to instantiation without
 * starting anything.
 */
public final class Sandbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
  private static final String DIGEST_PREFIX = "sha256:";

  private final HostServices host;
  private final SandboxRuntime runtime;
  private final ModuleVerifier verifier;
  private final Map<String, RunningApp> apps = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A sandbox on the JVM-wide {@link SandboxRuntime#shared()} runtime. */
  public Sandbox(HostServices host) {
    this(host, SandboxRuntime.shared());
  }

  public Sandbox(HostServices host, SandboxRuntime runtime) {
    this.host = host;
    this.runtime = runtime;
    this.verifier = new ModuleVerifier(runtime.settings());
  }

  /** The {@code sha256:<hex>} digest of module bytes, as {@link AppSpec#digest()} expects. */
  public static String digestOf(byte[] module) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(module);
      return DIGEST_PREFIX + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  /**
   * Validates the module, checks it against the policy, instantiates it within its limits and runs
   * its start entry point. Returns once the app is running; periodic ticks then run on sandbox
   * threads and report through {@code listener}.
   *
   * <p>An app of the same name already running with the same digest is left running; with another
   * digest it is replaced once the new module has started (if the new one is refused, the old one
   * keeps running). An empty {@code spec.module()} starts the module cached under {@code
   * spec.digest()}.
   *
   * @throws SandboxException with the refusal's reason
   */
  public void start(AppSpec spec, AppListener listener) {
    requireOpen();
    RunningApp existing = apps.get(spec.name());
    if (existing != null && existing.digest().equals(spec.digest())) {
      log.debug("App {} already runs {}; leaving it running", spec.name(), spec.digest());
      return;
    }
    RunningApp app;
    try {
      app = load(spec, listener);
    } catch (AppExited e) {
      if (e.failed()) {
        throw refused(spec.name(), e);
      }
      log.info("App {} exited during init: {}", spec.name(), e.getMessage());
      listener.ended(spec.name(), false, e.getMessage());
      return;
    } catch (SandboxException e) {
      throw refused(spec.name(), e);
    }
    register(app, existing);
  }

  private SandboxException refused(String app, SandboxException e) {
    log.warn("App {} refused ({}): {}", app, e.kind(), e.getMessage());
    runtime.countRefusal(e);
    return e;
  }

  private RunningApp load(AppSpec spec, AppListener listener) {
    ModuleCheck.checkAllowedModule(spec.name(), spec.digest(), spec.policy());
    runtime.settings().limitMaxima().check(spec.name(), spec.limits());
    LoadedModule module = resolve(spec);
    ModuleVerifier.Imports imports =
        verifier.verify(
            spec.name(), module.module(), EffectiveLimits.of(spec.limits()), spec.policy());
    boolean compiled = useCompiler(spec, module);
    if (compiled) {
      module.compiled();
    }
    RunningApp app = new RunningApp(spec, host, listener, compiled);
    long filesystemBytes = runtime.settings().maxFilesystemBytes();
    try {
      callAndWait(app, "instantiate", () -> app.instantiate(module, imports, filesystemBytes));
      if (app.exportsFunction("init") && app.allowsCall("init")) {
        callAndWait(app, "init", () -> app.invoke("init"));
      }
    } catch (SandboxException e) {
      app.markStopped();
      throw e;
    }
    return app;
  }

  private LoadedModule resolve(AppSpec spec) {
    byte[] bytes = spec.module();
    if (bytes.length == 0) {
      LoadedModule cached = runtime.cached(spec.digest());
      if (cached == null && spec.digest().equals(digestOf(bytes))) {
        throw new InvalidModule(spec.name() + ": empty module (expected: WebAssembly bytes)", null);
      }
      if (cached == null) {
        throw new ModuleNotFound(
            spec.name() + ": no module bytes and no cached module " + spec.digest());
      }
      return cached;
    }
    String actual = digestOf(bytes);
    if (!actual.equals(spec.digest())) {
      throw new ModuleNotAllowed(
          spec.name() + ": module digest " + actual + " (expected: " + spec.digest() + ")");
    }
    return runtime.load(actual, bytes);
  }

  /**
   * {@code auto} compiles modules that run for long (they tick) and have enough code for compiling
   * to pay off; short-lived or tiny ones stay interpreted, where the instruction budget is exact.
   */
  private static boolean useCompiler(AppSpec spec, LoadedModule module) {
    switch (spec.policy().executionMode()) {
      case "compiled":
        return true;
      case "interpreter":
        return false;
      default:
        return spec.limits().tickMillis() > 0
            && (module.isCompiled() || module.sizeBytes() >= 1024);
    }
  }

  private void register(RunningApp app, RunningApp replaced) {
    synchronized (apps) {
      requireOpen();
      apps.put(app.name(), app);
    }
    if (replaced != null) {
      replaced.markStopped();
      log.info("App {} replaced: {} -> {}", app.name(), replaced.digest(), app.digest());
    }
    long period = app.limits().tickMillis();
    if (period > 0 && app.exportsFunction("tick") && app.allowsCall("tick")) {
      app.ticker(
          runtime
              .scheduler()
              .scheduleAtFixedRate(() -> tick(app), period, period, TimeUnit.MILLISECONDS));
    }
    log.info(
        "App {} running {} ({}, tick every {} ms)",
        app.name(),
        app.digest(),
        app.compiled() ? "compiled" : "interpreted",
        period);
  }

  private void tick(RunningApp app) {
    if (app.stopped() || !app.tickBusy.compareAndSet(false, true)) {
      return;
    }
    try {
      runtime
          .callPool(app.limits().maxCallDepth())
          .execute(
              () -> {
                try {
                  if (!app.stopped()) {
                    guarded(app, "tick", () -> app.invoke("tick"));
                  }
                } catch (SandboxException e) {
                  end(app, e);
                } finally {
                  app.tickBusy.set(false);
                }
              });
    } catch (RejectedExecutionException e) {
      app.tickBusy.set(false);
    }
  }

  private void end(RunningApp app, SandboxException cause) {
    if (!app.markStopped()) {
      return;
    }
    apps.remove(app.name(), app);
    boolean failed = !(cause instanceof AppExited) || ((AppExited) cause).failed();
    String reason = cause.getMessage();
    if (failed) {
      log.warn("App {} ended ({}): {}", app.name(), cause.kind(), reason);
      runtime.countFailure(cause);
    } else {
      log.info("App {} ended: {}", app.name(), reason);
    }
    try {
      app.listener().ended(app.name(), failed, reason);
    } catch (RuntimeException e) {
      log.warn("Listener of app {} failed on ended; ignoring", app.name(), e);
    }
  }

  /**
   * Calls an exported function of a running app, under the app's limits. A call that traps or hits
   * a limit ends the app, as a failing tick does; so does WASI {@code proc_exit}, thrown as {@link
   * AppExited} whatever the exit code.
   *
   * @throws SandboxException.InstanceNotFound if no such app runs
   * @throws SandboxException.CallNotAllowed if the policy does not allow the function or the module
   *     does not export it
   */
  public long[] call(String app, String function, long... args) {
    RunningApp running = apps.get(app);
    try {
      if (running == null || running.stopped()) {
        throw new InstanceNotFound(app + ": no such app running (call " + function + ")");
      }
      running.requireCallable(function);
    } catch (SandboxException e) {
      log.warn("Call to {} refused ({}): {}", app, e.kind(), e.getMessage());
      runtime.countRefusal(e);
      throw e;
    }
    try {
      return callAndWait(running, function, () -> running.invoke(function, args));
    } catch (SandboxException e) {
      end(running, e);
      throw e;
    }
  }

  private <T> T callAndWait(RunningApp app, String what, GuestCall.Body<T> body) {
    Future<T> result =
        runtime.callPool(app.limits().maxCallDepth()).submit(() -> guarded(app, what, body));
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SandboxException) {
        throw (SandboxException) e.getCause();
      }
      throw new SandboxException(app.name() + " " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      result.cancel(true);
      Thread.currentThread().interrupt();
      throw new SandboxException(app.name() + " " + what + ": interrupted while waiting", e);
    }
  }

  private <T> T guarded(RunningApp app, String what, GuestCall.Body<T> body) {
    app.lock.lock();
    try {
      return GuestCall.run(runtime, app, what, body);
    } finally {
      app.flushOutput();
      app.lock.unlock();
      app.releaseIfStopped();
    }
  }

  /** Stops and unloads an app; returns false if no such app was running. */
  public boolean stop(String app) {
    RunningApp running = apps.remove(app);
    if (running == null) {
      return false;
    }
    running.markStopped();
    log.info("App {} stopped", app);
    return true;
  }

  /** The running app of this name, or null (for tests). */
  RunningApp running(String app) {
    return apps.get(app);
  }

  /** Names of the apps currently running. */
  public Set<String> apps() {
    return Set.copyOf(apps.keySet());
  }

  private void requireOpen() {
    if (closed) {
      throw new SandboxException("sandbox is closed");
    }
  }

  /** Stops every app; the shared runtime stays open for other Sandboxes. */
  @Override
  public void close() {
    synchronized (apps) {
      closed = true;
    }
    apps.keySet().forEach(this::stop);
  }
}

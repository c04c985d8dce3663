package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import io.wasmbed.protocol.Message.OutputKind;
import io.wasmbed.protocol.ModulePolicy;
import io.wasmbed.sandbox.SandboxException.CallNotAllowed;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app: its own Chicory instance (and so its own linear memory), its limits and its output
 * budget. Guest code of one app runs one call at a time, under {@link #lock}.
 */
final class RunningApp implements HostInterface.AppContext {
  private static final Logger log = LoggerFactory.getLogger(RunningApp.class);
  private static final long OUTPUT_WINDOW_NANOS = 60_000_000_000L;

  private final String name;
  private final String digest;
  private final EffectiveLimits limits;
  private final ModulePolicy policy;
  private final Map<String, String> config;
  private final HostServices host;
  private final AppListener listener;
  private final boolean compiled;
  private final InstructionMeter meter;
  final ReentrantLock lock = new ReentrantLock();
  final AtomicBoolean tickBusy = new AtomicBoolean();
  private volatile Instance instance;
  private volatile Wasi wasi;
  private volatile boolean stopped;
  private volatile ScheduledFuture<?> ticker;
  private long outputWindowStart = System.nanoTime();
  private long outputBytes;

  RunningApp(AppSpec spec, HostServices host, AppListener listener, boolean compiled) {
    this.name = spec.name();
    this.digest = spec.digest();
    this.limits = EffectiveLimits.of(spec.limits());
    this.policy = spec.policy();
    this.config = spec.config();
    this.host = host;
    this.listener = listener;
    this.compiled = compiled;
    this.meter = compiled ? null : new InstructionMeter(limits.instructionBudget());
  }

  String name() {
    return name;
  }

  String digest() {
    return digest;
  }

  EffectiveLimits limits() {
    return limits;
  }

  boolean compiled() {
    return compiled;
  }

  AppListener listener() {
    return listener;
  }

  boolean stopped() {
    return stopped;
  }

  void resetMeter() {
    if (meter != null) {
      meter.reset();
    }
  }

  /**
   * Creates the instance; runs the module's start function if it has one. Guest code.
   *
   * @param filesystemBytes size of the app's private WASI file system if the policy grants one
   */
  Void instantiate(LoadedModule loaded, ModuleVerifier.Imports imports, long filesystemBytes) {
    List<ImportFunction> functions =
        new ArrayList<>(new HostInterface(this).functions(imports.host()));
    if (!imports.wasi().isEmpty()) {
      wasi =
          new Wasi(
              name,
              config,
              host.clock(),
              policy.allowFilesystem() ? filesystemBytes : 0,
              this::charge,
              text -> output(OutputKind.LOG, text));
      functions.addAll(wasi.functions(imports.wasi()));
    }
    Instance.Builder builder =
        Instance.builder(loaded.module())
            .withImportValues(ImportValues.builder().withFunctions(functions).build());
    if (ModuleVerifier.hasMemory(loaded.module())) {
      builder.withMemoryLimits(ModuleVerifier.memoryLimits(loaded.module(), limits));
    }
    if (compiled) {
      builder.withMachineFactory(loaded.compiled());
    } else {
      builder.withUnsafeExecutionListener(meter);
    }
    instance = builder.build();
    return null;
  }

  boolean exportsFunction(String function) {
    var exports = instance.module().exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      Export export = exports.getExport(i);
      if (export.name().equals(function) && export.exportType() == ExternalType.FUNCTION) {
        return true;
      }
    }
    return false;
  }

  /** Whether the policy lets the device call {@code function}. */
  boolean allowsCall(String function) {
    return policy.allowedExports().isEmpty()
        ? ModuleVerifier.ENTRY_POINTS.contains(function)
        : policy.allowedExports().contains(function);
  }

  void requireCallable(String function) {
    if (!allowsCall(function)) {
      throw new CallNotAllowed(
          name
              + ": call "
              + function
              + " is not an allowed entry point (expected: one of "
              + (policy.allowedExports().isEmpty()
                  ? ModuleVerifier.ENTRY_POINTS
                  : policy.allowedExports())
              + ")");
    }
    if (!exportsFunction(function)) {
      throw new CallNotAllowed(name + ": call " + function + ": module exports no such function");
    }
  }

  /** Calls an export. Guest code. */
  long[] invoke(String function, long... args) {
    ExportFunction export = instance.export(function);
    return export.apply(args);
  }

  /** The app's WASI context, or null if the module imports no WASI function. */
  Wasi wasi() {
    return wasi;
  }

  /** Emits buffered stdout/stderr text; called after each guest call, under {@link #lock}. */
  void flushOutput() {
    Wasi w = wasi;
    if (w != null) {
      w.flush();
    }
  }

  /**
   * Frees what the app holds outside its instance (its WASI file system) once it is stopped and no
   * guest call runs; called after each guest call and on stop. Idempotent.
   */
  void releaseIfStopped() {
    if (!stopped || !lock.tryLock()) {
      return;
    }
    try {
      Wasi w = wasi;
      wasi = null;
      if (w != null) {
        w.close();
      }
    } catch (RuntimeException e) {
      log.warn("App {} WASI resources failed to close; dropping them", name, e);
    } finally {
      lock.unlock();
    }
  }

  void ticker(ScheduledFuture<?> ticker) {
    this.ticker = ticker;
  }

  /** Marks the app stopped: no more ticks, and no {@code ended} report. */
  boolean markStopped() {
    boolean wasRunning = !stopped;
    stopped = true;
    ScheduledFuture<?> t = ticker;
    if (t != null) {
      t.cancel(false);
    }
    releaseIfStopped();
    return wasRunning;
  }

  @Override
  public HostServices host() {
    return host;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public synchronized void charge(long bytes) {
    long now = System.nanoTime();
    if (now - outputWindowStart >= OUTPUT_WINDOW_NANOS) {
      outputWindowStart = now;
      outputBytes = 0;
    }
    if (outputBytes + bytes > limits.maxOutputBytes()) {
      throw new LimitExceeded(
          name
              + ": output of "
              + (outputBytes + bytes)
              + " bytes in one minute (expected: at most maxOutputBytes "
              + limits.maxOutputBytes()
              + ")");
    }
    outputBytes += bytes;
  }

  @Override
  public void output(OutputKind kind, String text) {
    if (stopped) {
      return;
    }
    try {
      listener.output(name, kind, text);
    } catch (RuntimeException e) {
      // The listener is host code: its failure must not be blamed on (or trap) the guest.
      log.warn("Output listener of app {} failed; dropping the line", name, e);
    }
  }
}

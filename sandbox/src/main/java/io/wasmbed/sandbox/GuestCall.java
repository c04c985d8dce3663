package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.ChicoryException;
import io.wasmbed.sandbox.SandboxException.AppExited;
import io.wasmbed.sandbox.SandboxException.ExecutionTimeExceeded;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import io.wasmbed.sandbox.SandboxException.Trap;
import java.util.concurrent.TimeUnit;

/**
 * Runs one piece of guest code (instantiation with its start function, {@code init}, {@code tick},
 * or an explicit call) under the app's limits, on the current thread (a runtime pool thread), and
 * turns every way guest code can fail into a {@link SandboxException}.
 *
 * <ul>
 *   <li>Wall clock: the runtime's watchdog interrupts the thread at the deadline; Chicory checks
 *       the interrupt flag in both modes and unwinds with ChicoryInterruptedException.
 *   <li>Instruction budget, interpreter: exact, counted by {@link InstructionMeter}.
 *   <li>Instruction budget, compiled: Chicory's compiled code reports no instructions, so the
 *       budget is converted to thread CPU time at {@code Settings.compiledInstructionsPerCpuMilli}
 *       and the watchdog interrupts the thread when it is spent. This is an approximation (to
 *       within the watchdog period and the assumed rate), not a count. A precise count would need
 *       the module instrumented with a metering counter before compilation.
 *   <li>Call depth: the thread's stack is sized from {@code maxCallDepth}; Chicory turns the JVM's
 *       StackOverflowError into a "call stack exhausted" trap in both modes.
 * </ul>
 */
final class GuestCall {
  private static final String TIMEOUT = "timeout";
  private static final String BUDGET = "budget";

  /** Guest code to run. */
  interface Body<T> {
    T run();
  }

  private GuestCall() {}

  static <T> T run(SandboxRuntime runtime, RunningApp app, String what, Body<T> body) {
    EffectiveLimits limits = app.limits();
    long cpuLimit = app.compiled() ? compiledCpuLimitNanos(runtime, limits) : -1;
    Thread thread = Thread.currentThread();
    Active active =
        new Active(
            thread,
            app.name() + " " + what,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.callTimeoutMillis()),
            cpuLimit,
            cpuLimit > 0 ? runtime.cpuTimeNanos(thread) : 0);
    app.resetMeter();
    runtime.register(active);
    try {
      return body.run();
    } catch (SandboxException e) {
      throw e;
    } catch (InstructionMeter.BudgetExhausted e) {
      throw budgetExceeded(active, limits, "");
    } catch (ChicoryInterruptedException e) {
      throw interrupted(active, limits);
    } catch (WasiExitException e) {
      throw new AppExited(active.what + ": exited with code " + e.exitCode(), e.exitCode());
    } catch (ChicoryException e) {
      throw trap(active, SandboxRuntime.describe(e), e);
    } catch (StackOverflowError e) {
      throw trap(active, "call stack exhausted", e);
    } catch (AssertionError e) {
      throw trap(active, "runtime assertion failed: " + SandboxRuntime.describe(e), e);
    } catch (OutOfMemoryError e) {
      throw new LimitExceeded(active.what + ": out of memory");
    } catch (RuntimeException e) {
      throw trap(active, SandboxRuntime.describe(e), e);
    } finally {
      runtime.unregister(active);
      active.finish();
      Thread.interrupted();
    }
  }

  /**
   * A call's first runs in compiled mode also pay for class loading and JIT compilation on the
   * guest's thread; without a floor, a small budget would fail a well-behaved first call on a busy
   * machine. The wall-clock limit still bounds every call.
   */
  static final long MIN_COMPILED_CPU_NANOS = 50_000_000L;

  private static long compiledCpuLimitNanos(SandboxRuntime runtime, EffectiveLimits limits) {
    double millis =
        (double) limits.instructionBudget() / runtime.settings().compiledInstructionsPerCpuMilli();
    return Math.max(MIN_COMPILED_CPU_NANOS, (long) (millis * 1_000_000));
  }

  private static SandboxException interrupted(Active active, EffectiveLimits limits) {
    if (BUDGET.equals(active.stopReason)) {
      return budgetExceeded(active, limits, " (compiled mode: estimated from CPU time)");
    }
    return new ExecutionTimeExceeded(
        active.what
            + ": ran longer than callTimeoutMillis "
            + limits.callTimeoutMillis()
            + " ms and was interrupted");
  }

  private static LimitExceeded budgetExceeded(Active active, EffectiveLimits limits, String how) {
    return new LimitExceeded(
        active.what + ": instruction budget of " + limits.instructionBudget() + " exceeded" + how);
  }

  private static Trap trap(Active active, String reason, Throwable cause) {
    return new Trap(active.what + ": trap: " + reason, reason, cause);
  }

  /** A call in progress, as the watchdog sees it. */
  static final class Active {
    private final Thread thread;
    private final String what;
    private final long deadlineNanos;
    private final long cpuLimitNanos;
    private final long cpuStartNanos;
    private volatile String stopReason;
    private boolean done;

    Active(Thread thread, String what, long deadline, long cpuLimit, long cpuStart) {
      this.thread = thread;
      this.what = what;
      this.deadlineNanos = deadline;
      this.cpuLimitNanos = cpuLimit;
      this.cpuStartNanos = cpuStart;
    }

    synchronized void check(long nowNanos, SandboxRuntime runtime) {
      if (done || stopReason != null) {
        return;
      }
      if (nowNanos - deadlineNanos >= 0) {
        stop(TIMEOUT);
      } else if (cpuLimitNanos > 0) {
        long cpu = runtime.cpuTimeNanos(thread);
        if (cpu >= 0 && cpu - cpuStartNanos > cpuLimitNanos) {
          stop(BUDGET);
        }
      }
    }

    private void stop(String reason) {
      stopReason = reason;
      thread.interrupt();
    }

    synchronized void finish() {
      done = true;
    }

    @Override
    public String toString() {
      return what;
    }
  }
}

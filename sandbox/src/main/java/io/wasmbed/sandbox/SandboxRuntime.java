package io.wasmbed.sandbox;

import com.dylibso.chicory.wasm.Parser;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wasmbed.sandbox.SandboxException.InvalidModule;
import io.wasmbed.sandbox.SandboxException.LimitExceeded;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all Sandboxes of one JVM share: the parsed and compiled modules (cached by digest), the
 * threads guest code runs on, the tick scheduler and the watchdog that stops runaway calls.
 *
 * <p>Guest code runs on pool threads whose stack size is chosen from the app's {@code
 * maxCallDepth}; pool threads time out when idle, so apps that are not executing hold no thread.
 */
public final class SandboxRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SandboxRuntime.class);
  private static final long WATCHDOG_PERIOD_MILLIS = 5;
  private static final Object SHARED_LOCK = new Object();
  private static SandboxRuntime shared;

  /**
   * Device-wide shape limits (what only hostile modules exceed) and runtime sizing.
   *
   * @param maxModuleBytes largest module accepted
   * @param maxLocalsPerFunction locals one function may declare: the interpreter keeps them on the
   *     host heap for every active frame, so many locals times deep recursion is a memory bomb
   * @param callThreads threads per stack-size pool that run guest code
   * @param cachedModules parsed/compiled modules kept by digest
   * @param compiledInstructionsPerCpuMilli instructions the compiled mode is assumed to execute per
   *     millisecond of thread CPU time when enforcing the instruction budget (see {@link
   *     GuestCall}); an upper bound, so the estimate errs towards stopping early: bench.sh measured
   *     about 6 million per ms for CRC-32 on the development machine
   * @param stackBytesPerCallDepth thread stack reserved per level of {@code maxCallDepth}, on top
   *     of 256 KiB; measured with the deep-recursion test module, a not-yet-JIT-compiled
   *     interpreter frame takes up to about 1.5 KiB and a compiled frame about 160 bytes
   * @param maxFilesystemBytes size of the private in-memory file system an app gets when its policy
   *     grants {@code allowFilesystem} (file contents, in whole 4 KiB blocks)
   * @param limitMaxima the most an app's limits may ask for; a spec asking for more is refused
   */
  public record Settings(
      int maxModuleBytes,
      int maxFunctions,
      int maxImports,
      int maxExports,
      int maxGlobals,
      int maxTables,
      int maxMemories,
      int maxDataSegments,
      int maxElementSegments,
      int maxLocalsPerFunction,
      int callThreads,
      int cachedModules,
      long compiledInstructionsPerCpuMilli,
      int stackBytesPerCallDepth,
      long maxFilesystemBytes,
      LimitMaxima limitMaxima) {

    /** Default size of an app's private file system: 1 MiB. */
    public static final long DEFAULT_FILESYSTEM_BYTES = 1 << 20;

    public static final Settings DEFAULTS =
        new Settings(
            4 << 20,
            10_000,
            256,
            1024,
            1024,
            4,
            1,
            1024,
            1024,
            4096,
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            256,
            10_000_000,
            2048,
            DEFAULT_FILESYSTEM_BYTES,
            LimitMaxima.DEFAULTS);

    public Settings {
      requirePositive("maxModuleBytes", maxModuleBytes);
      requirePositive("callThreads", callThreads);
      requirePositive("cachedModules", cachedModules);
      requirePositive("compiledInstructionsPerCpuMilli", compiledInstructionsPerCpuMilli);
      requirePositive("stackBytesPerCallDepth", stackBytesPerCallDepth);
      requirePositive("maxFilesystemBytes", maxFilesystemBytes);
      Objects.requireNonNull(limitMaxima, "limitMaxima");
    }

    /** These settings with another module size limit. */
    public Settings withMaxModuleBytes(int bytes) {
      return new Settings(
          bytes,
          maxFunctions,
          maxImports,
          maxExports,
          maxGlobals,
          maxTables,
          maxMemories,
          maxDataSegments,
          maxElementSegments,
          maxLocalsPerFunction,
          callThreads,
          cachedModules,
          compiledInstructionsPerCpuMilli,
          stackBytesPerCallDepth,
          maxFilesystemBytes,
          limitMaxima);
    }

    /** These settings with another size of each app's private file system. */
    public Settings withMaxFilesystemBytes(long bytes) {
      return new Settings(
          maxModuleBytes,
          maxFunctions,
          maxImports,
          maxExports,
          maxGlobals,
          maxTables,
          maxMemories,
          maxDataSegments,
          maxElementSegments,
          maxLocalsPerFunction,
          callThreads,
          cachedModules,
          compiledInstructionsPerCpuMilli,
          stackBytesPerCallDepth,
          bytes,
          limitMaxima);
    }

    /** These settings with other maxima for what an app's limits may ask for. */
    public Settings withLimitMaxima(LimitMaxima maxima) {
      return new Settings(
          maxModuleBytes,
          maxFunctions,
          maxImports,
          maxExports,
          maxGlobals,
          maxTables,
          maxMemories,
          maxDataSegments,
          maxElementSegments,
          maxLocalsPerFunction,
          callThreads,
          cachedModules,
          compiledInstructionsPerCpuMilli,
          stackBytesPerCallDepth,
          maxFilesystemBytes,
          maxima);
    }

    private static void requirePositive(String field, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(field + ": " + value + " (expected: greater than 0)");
      }
    }
  }

  /**
   * Counter of refused starts and calls, tagged {@code reason} ({@link SandboxException#kind()}).
   */
  public static final String REFUSALS = "wasmbed.sandbox.refusals";

  /** Counter of apps ended by a trap, a limit or a failing exit, tagged {@code reason}. */
  public static final String APP_FAILURES = "wasmbed.sandbox.app.failures";

  private final Settings settings;
  private final MeterRegistry meters;
  private final Cache<String, LoadedModule> modules;
  private final Map<Long, ExecutorService> callPools = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor scheduler;
  private final Set<GuestCall.Active> activeCalls = ConcurrentHashMap.newKeySet();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private volatile boolean closed;

  public SandboxRuntime() {
    this(Settings.DEFAULTS);
  }

  public SandboxRuntime(Settings settings) {
    this(settings, new SimpleMeterRegistry());
  }

  /**
   * A runtime that counts refusals and app failures in {@code meters} (as {@value #REFUSALS} and
   * {@value #APP_FAILURES}; Prometheus exposes them as {@code wasmbed_sandbox_refusals_total} and
   * {@code wasmbed_sandbox_app_failures_total}).
   */
  public SandboxRuntime(Settings settings, MeterRegistry meters) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.modules = Caffeine.newBuilder().maximumSize(settings.cachedModules()).build();
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("wasmbed-sandbox-timer", 0));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.scheduleAtFixedRate(
        this::watch, WATCHDOG_PERIOD_MILLIS, WATCHDOG_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The runtime used by {@code new Sandbox(host)}: one per JVM, created on first use. */
  public static SandboxRuntime shared() {
    synchronized (SHARED_LOCK) {
      if (shared == null || shared.closed) {
        shared = new SandboxRuntime();
      }
      return shared;
    }
  }

  public Settings settings() {
    return settings;
  }

  /** Where this runtime's counters live (a SimpleMeterRegistry unless one was given). */
  public MeterRegistry meters() {
    return meters;
  }

  void countRefusal(SandboxException e) {
    meters.counter(REFUSALS, "reason", e.kind()).increment();
  }

  void countFailure(SandboxException e) {
    meters.counter(APP_FAILURES, "reason", e.kind()).increment();
  }

  /** Number of modules currently cached (parsed, and compiled if used in compiled mode). */
  public long cachedModules() {
    modules.cleanUp();
    return modules.estimatedSize();
  }

  /** Parses and validates {@code bytes} (whose digest the caller verified), once per digest. */
  LoadedModule load(String digest, byte[] bytes) {
    checkSize(digest, bytes, settings);
    return modules.get(digest, d -> parse(d, bytes));
  }

  /** Refuses modules larger than {@code settings.maxModuleBytes()}. */
  static void checkSize(String digest, byte[] bytes, Settings settings) {
    if (bytes.length > settings.maxModuleBytes()) {
      throw new LimitExceeded(
          "module "
              + digest
              + ": "
              + bytes.length
              + " bytes (expected: at most "
              + settings.maxModuleBytes()
              + ", this device's module size limit)");
    }
  }

  /** The cached module with this digest, or null. */
  LoadedModule cached(String digest) {
    return modules.getIfPresent(digest);
  }

  static LoadedModule parse(String digest, byte[] bytes) {
    try {
      return new LoadedModule(digest, Parser.parse(bytes), bytes.length);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | AssertionError e) {
      // AssertionError: with -ea, Chicory 1.6.1's parser asserts on some malformed code sections
      // (AnnotatedInstruction.Builder.build) instead of throwing MalformedException; found by
      // LoaderMutationTest, kept as a seed in LoaderFuzzTestInputs.
      throw new InvalidModule("module " + digest + ": " + describe(e), e);
    }
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The pool whose threads have room for {@code maxCallDepth} nested guest calls. */
  ExecutorService callPool(int maxCallDepth) {
    long wanted = (256L << 10) + (long) maxCallDepth * settings.stackBytesPerCallDepth();
    long stackBytes = Long.highestOneBit(wanted - 1) << 1;
    return callPools.computeIfAbsent(stackBytes, this::newCallPool);
  }

  private ExecutorService newCallPool(long stackBytes) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            settings.callThreads(),
            settings.callThreads(),
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads("wasmbed-guest-" + (stackBytes >> 10) + "k", stackBytes));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  void register(GuestCall.Active call) {
    activeCalls.add(call);
  }

  void unregister(GuestCall.Active call) {
    activeCalls.remove(call);
  }

  long cpuTimeNanos(Thread thread) {
    return threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(thread.getId()) : -1;
  }

  private void watch() {
    long now = System.nanoTime();
    for (GuestCall.Active call : activeCalls) {
      try {
        call.check(now, this);
      } catch (RuntimeException e) {
        log.warn("Watchdog check of {} failed; will retry", call, e);
      }
    }
  }

  private static ThreadFactory daemonThreads(String prefix, long stackBytes) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(null, r, prefix + "-" + count.incrementAndGet(), stackBytes);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    callPools.values().forEach(ExecutorService::shutdownNow);
    modules.invalidateAll();
  }
}

package io.wasmbed.sandbox;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The sandbox benchmark (not part of the test suite; run {@code sandbox/bench.sh}): CRC-32 over a
 * 64 KiB buffer, compiled from examples/crc32/crc32.c, in Chicory's interpreter, Chicory's
 * compiler, through the Sandbox (metered interpreter and compiled) and in Node.js's WebAssembly
 * engine, in one run; then the time to load and instantiate a ~100 KB module.
 */
public final class SandboxBench {
  private static final int BUFFER_BYTES = 65_536;

  private SandboxBench() {}

  public static void main(String[] args) throws Exception {
    Path examples = Path.of(args.length > 0 ? args[0] : "../examples");
    Path big = Path.of(args.length > 1 ? args[1] : "src/test/resources/bench/big.wasm");
    byte[] crc32 = Files.readAllBytes(examples.resolve("crc32/crc32.wasm"));
    WasmModule module = Parser.parse(crc32);

    System.out.println(
        "CRC-32 over 64 KiB; 3 s warm-up, then median of 5 runs of about 0.5 s each");
    double interpreter = rate("chicory interpreter", bench(chicory(module, null)));
    double compiled =
        rate("chicory compiled", bench(chicory(module, MachineFactoryCompiler.compile(module))));
    double sandboxInterpreter =
        rate("sandbox interpreter (metered)", sandbox(crc32, "interpreter"));
    double sandboxCompiled = rate("sandbox compiled", sandbox(crc32, "compiled"));
    double node = node(examples.resolve("crc32/crc32.wasm"));

    System.out.println();
    ratio("compiled / interpreter", compiled, interpreter);
    ratio("node / compiled", node, compiled);
    ratio("node / interpreter", node, interpreter);
    ratio("sandbox metered interpreter / plain interpreter", sandboxInterpreter, interpreter);
    ratio("sandbox compiled / plain compiled", sandboxCompiled, compiled);

    long instructions = instructionsPerRound(module);
    System.out.printf(
        Locale.ROOT,
        "  compiled mode executes ~%.0f instructions per ms (%d instructions per round;"
            + " Settings.compiledInstructionsPerCpuMilli assumes %d)%n",
        compiled * 1e6 / BUFFER_BYTES * instructions / 1000,
        instructions,
        SandboxRuntime.Settings.DEFAULTS.compiledInstructionsPerCpuMilli());

    System.out.println();
    instantiate(Files.readAllBytes(big));
  }

  /** A function running {@code rounds} rounds of CRC-32 over the buffer. */
  interface Rounds {
    void run(int rounds);
  }

  private static Rounds bench(Instance instance) {
    instance.export("init").apply();
    return rounds -> instance.export("bench").apply(rounds);
  }

  /** WebAssembly instructions one bench round executes, counted by the interpreter. */
  private static long instructionsPerRound(WasmModule module) {
    long[] count = {0};
    HostFunction publish =
        new HostFunction(
            "wasmbed", "publish", HostInterface.SIGNATURES.get("publish"), (inst, a) -> null);
    Instance instance =
        Instance.builder(module)
            .withImportValues(ImportValues.builder().addFunction(publish).build())
            .withUnsafeExecutionListener((instruction, stack) -> count[0]++)
            .build();
    instance.export("init").apply();
    count[0] = 0;
    instance.export("bench").apply(1);
    return count[0];
  }

  private static Instance chicory(WasmModule module, Function<Instance, Machine> compiled) {
    HostFunction publish =
        new HostFunction(
            "wasmbed", "publish", HostInterface.SIGNATURES.get("publish"), (inst, a) -> null);
    Instance.Builder builder =
        Instance.builder(module)
            .withImportValues(ImportValues.builder().addFunction(publish).build());
    if (compiled != null) {
      builder.withMachineFactory(compiled);
    }
    return builder.build();
  }

  private static Rounds sandbox(byte[] module, String mode) {
    // Above the device maxima on purpose: the bench measures speed, not limits.
    LimitMaxima unlimited = new LimitMaxima(256, 100_000, Long.MAX_VALUE, 600_000, 4096, 1 << 20);
    SandboxRuntime runtime =
        new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS.withLimitMaxima(unlimited));
    Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
    ModuleLimits limits = new ModuleLimits(0, 0, Long.MAX_VALUE / 4, 600_000, 0, 0, 0);
    ModulePolicy policy =
        new ModulePolicy(List.of("wasmbed.*"), List.of("init", "bench"), false, false, mode);
    sandbox.start(
        new AppSpec("bench", module, Sandbox.digestOf(module), limits, policy, Map.of()),
        new TestApps.Recorder());
    return rounds -> sandbox.call("bench", "bench", rounds);
  }

  /** Warms up for 3 s, sizes a run to about 0.5 s, times 5 runs; prints and returns MB/s. */
  private static double rate(String name, Rounds rounds) {
    long warmUpEnd = System.nanoTime() + 3_000_000_000L;
    int done = 0;
    long start0 = System.nanoTime();
    while (System.nanoTime() < warmUpEnd) {
      rounds.run(1);
      done++;
    }
    double nanosPerRound = (double) (System.nanoTime() - start0) / done;
    int perRun = Math.max(1, (int) (500_000_000L / nanosPerRound));
    long[] nanos = new long[5];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      rounds.run(perRun);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    double mbPerSecond = (double) perRun * BUFFER_BYTES / nanos[2] * 1e9 / 1e6;
    System.out.printf(Locale.ROOT, "  %-32s %10.2f MB/s%n", name, mbPerSecond);
    return mbPerSecond;
  }

  private static double node(Path wasm) throws IOException, InterruptedException {
    String script =
        String.join(
            "\n",
            "const fs = require('fs');",
            "const bytes = fs.readFileSync(process.argv[2]);",
            "const imports = { wasmbed: { publish: () => {} } };",
            "const { instance } = await WebAssembly.instantiate(bytes, imports);",
            "instance.exports.init();",
            "const now = () => Number(process.hrtime.bigint());",
            "const warmUpEnd = now() + 3e9; const start0 = now(); let done = 0;",
            "while (now() < warmUpEnd) { instance.exports.bench(1); done++; }",
            "const perRun = Math.max(1, Math.floor(5e8 / ((now() - start0) / done)));",
            "const runs = [];",
            "for (let i = 0; i < 5; i++) {",
            "  const t = process.hrtime.bigint();",
            "  instance.exports.bench(perRun);",
            "  runs.push(Number(process.hrtime.bigint() - t));",
            "}",
            "runs.sort((a, b) => a - b);",
            "console.log(perRun + ' ' + runs[2]);");
    Path file = Files.createTempFile("wasmbed-bench", ".mjs");
    Files.writeString(file, script.replace("require('fs')", "(await import('fs')).default"));
    try {
      Process process =
          new ProcessBuilder("node", file.toString(), wasm.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        System.out.println("  node failed: " + out.trim());
        return Double.NaN;
      }
      String[] result = out.trim().split(" ");
      double mbPerSecond =
          Double.parseDouble(result[0]) * BUFFER_BYTES / Double.parseDouble(result[1]) * 1e9 / 1e6;
      System.out.printf(Locale.ROOT, "  %-32s %10.2f MB/s%n", "node " + nodeVersion(), mbPerSecond);
      return mbPerSecond;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static String nodeVersion() throws IOException, InterruptedException {
    Process process = new ProcessBuilder("node", "--version").start();
    String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return version.trim();
  }

  private static void ratio(String name, double a, double b) {
    System.out.printf(Locale.ROOT, "  %-48s %8.1fx%n", name, a / b);
  }

  private static void instantiate(byte[] big) {
    System.out.printf("Instantiate a %d-byte module (median of 9 after 20 warm-up)%n", big.length);
    WasmModule parsed = Parser.parse(big);
    time("parse + validate", () -> Parser.parse(big).codeSection().functionBodyCount());
    time(
        "compile to bytecode (once per digest)",
        () -> {
          MachineFactoryCompiler.compile(parsed);
          return 0;
        });
    Function<Instance, Machine> compiled = MachineFactoryCompiler.compile(parsed);
    time(
        "instance, interpreter (module cached)",
        () -> Instance.builder(parsed).build().functionCount());
    time(
        "instance, compiled (classes cached)",
        () -> Instance.builder(parsed).withMachineFactory(compiled).build().functionCount());
    SandboxRuntime runtime = new SandboxRuntime();
    Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
    String digest = Sandbox.digestOf(big);
    for (String mode : List.of("interpreter", "compiled")) {
      ModulePolicy policy = new ModulePolicy(List.of(), List.of(), false, false, mode);
      AppSpec spec = new AppSpec("big", big, digest, ModuleLimits.DEFAULTS, policy, Map.of());
      time(
          "Sandbox.start, " + mode + " (cached by digest)",
          () -> {
            sandbox.start(spec, new TestApps.Recorder());
            sandbox.stop("big");
            return 0;
          });
    }
    sandbox.close();
    runtime.close();
  }

  private static void time(String name, LongSupplier work) {
    for (int i = 0; i < 20; i++) {
      work.getAsLong();
    }
    long[] nanos = new long[9];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      work.getAsLong();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf(Locale.ROOT, "  %-44s %8.2f ms%n", name, nanos[4] / 1e6);
  }
}

package io.wasmbed.sandbox;

import io.wasmbed.protocol.Message.OutputKind;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Modules, specs and recording listeners shared by the sandbox tests. */
final class TestApps {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Path HOSTILE = Path.of("src", "test", "resources", "hostile");
  static final Path WASI = Path.of("src", "test", "resources", "wasi");

  private TestApps() {}

  static byte[] example(String name) {
    return read(EXAMPLES.resolve(name).resolve(name + ".wasm"));
  }

  static byte[] hostile(String name) {
    return read(HOSTILE.resolve(name + ".wasm"));
  }

  static byte[] wasi(String name) {
    return read(WASI.resolve(name + ".wasm"));
  }

  static byte[] read(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AppSpec spec(String name, byte[] module) {
    return spec(name, module, ModuleLimits.DEFAULTS, ModulePolicy.DEFAULT);
  }

  static AppSpec spec(String name, byte[] module, ModuleLimits limits, ModulePolicy policy) {
    return new AppSpec(name, module, Sandbox.digestOf(module), limits, policy, Map.of());
  }

  static ModuleLimits limits(
      int pages, long budget, long timeoutMillis, int depth, int outputBytes, long tickMillis) {
    return new ModuleLimits(pages, 1024, budget, timeoutMillis, depth, outputBytes, tickMillis);
  }

  static ModulePolicy policy(String mode) {
    return new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, mode);
  }

  /** Host with fixed sensor values. */
  static HostServices host(Map<String, Double> sensors) {
    return new HostServices() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public double readSensor(String sensor) {
        return sensors.getOrDefault(sensor, Double.NaN);
      }
    };
  }

  /** Records everything apps report. */
  static final class Recorder implements AppListener {
    final List<String> outputs = new CopyOnWriteArrayList<>();
    final Map<String, String> ended = new ConcurrentHashMap<>();

    @Override
    public void output(String app, OutputKind kind, String text) {
      outputs.add(app + " " + kind + " " + text);
    }

    @Override
    public void ended(String app, boolean failed, String reason) {
      ended.put(app, (failed ? "failed: " : "ok: ") + reason);
    }

    long count(String prefix) {
      return outputs.stream().filter(o -> o.startsWith(prefix)).count();
    }
  }
}

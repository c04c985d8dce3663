package io.wasmbed.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Drives the sandbox's loader with the WebAssembly spec scripts (converted by wast2json, see
 * src/test/resources/wasm-spec/regenerate.sh): every malformed or invalid binary module is refused
 * with InvalidModule, every unlinkable or uninstantiable one with a SandboxException, every valid
 * one loads, and every assert_trap / assert_exhaustion reports a Trap. Modules that import from the
 * spec's {@code spectest} host module cannot be instantiated (the device offers only {@code
 * wasmbed}); their actions are skipped, the modules are still parsed and validated.
 */
class SpecConformanceTest {
  private static final Path SCRIPTS = Path.of("src", "test", "resources", "wasm-spec");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ModuleLimits LIMITS =
      new ModuleLimits(1024, 100_000, 0, 10_000, 200, 1 << 20, 0);

  /**
   * Valid modules Chicory 1.6.1 refuses as invalid or malformed (so the device refuses them
   * cleanly, only too eagerly): a data offset that reads a global defined in the same module
   * (allowed since the GC proposal), and multi-memory modules.
   */
  private static final Set<String> KNOWN_CHICORY_GAPS =
      Set.of("data:89 module", "data:90 module", "memory_grow:7 module", "memory_grow:81 module");

  static SandboxRuntime runtime;

  @BeforeAll
  static void createRuntime() {
    // The spec scripts declare memories up to 1024 pages, above the device default maximum.
    runtime =
        new SandboxRuntime(
            SandboxRuntime.Settings.DEFAULTS.withLimitMaxima(
                new LimitMaxima(1024, 100_000, 10_000_000_000L, 60_000, 4096, 1 << 20)));
  }

  @AfterAll
  static void closeRuntime() {
    runtime.close();
  }

  @TestFactory
  Stream<DynamicTest> specScripts() throws IOException {
    List<Path> scripts = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(SCRIPTS)) {
      dirs.filter(Files::isDirectory)
          .sorted()
          .forEach(d -> scripts.add(d.resolve(d.getFileName() + ".json")));
    }
    assertThat(scripts).hasSizeGreaterThan(15);
    return scripts.stream()
        .map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> run(script)));
  }

  private void run(Path script) throws IOException {
    JsonNode commands = JSON.readTree(script.toFile()).get("commands");
    Script state = new Script(script.getParent());
    for (JsonNode command : commands) {
      state.execute(command);
    }
    state.softly.assertAll();
    assertThat(state.checked + state.textOnly).as("commands checked in %s", script).isPositive();
  }

  /** One script's current module and instance. */
  private static final class Script {
    private final Path dir;
    final SoftAssertions softly = new SoftAssertions();
    private final Sandbox sandbox = new Sandbox(TestApps.host(Map.of()), runtime);
    private final TestApps.Recorder recorder = new TestApps.Recorder();
    private List<JsonNode> commandsOfModule = List.of();
    private AppSpec current;
    private boolean restarted;
    int checked;
    int textOnly;

    Script(Path dir) {
      this.dir = dir;
    }

    void execute(JsonNode command) throws IOException {
      String type = command.get("type").asText();
      String line = dir.getFileName() + ":" + command.get("line").asInt() + " " + type;
      switch (type) {
        case "module" -> module(command, line);
        case "assert_malformed", "assert_invalid" -> refused(command, line, true);
        case "assert_unlinkable", "assert_uninstantiable" -> refused(command, line, false);
        case "assert_trap", "assert_exhaustion" -> trap(command, line);
        case "assert_return" -> returns(command, line);
        case "action" -> action(command);
        default -> {}
      }
    }

    private byte[] bytes(JsonNode command) throws IOException {
      return Files.readAllBytes(dir.resolve(command.get("filename").asText()));
    }

    private boolean binary(JsonNode command) {
      return !command.has("module_type") || "binary".equals(command.get("module_type").asText());
    }

    private void module(JsonNode command, String line) throws IOException {
      byte[] module = bytes(command);
      String digest = Sandbox.digestOf(module);
      if (KNOWN_CHICORY_GAPS.contains(line)) {
        current = null;
        return;
      }
      sandbox.stop("spec");
      current = null;
      LoadedModule loaded;
      try {
        loaded = runtime.load(digest, module);
      } catch (SandboxException e) {
        softly.fail(line + " refused a valid module: " + e.getMessage());
        return;
      }
      current = new AppSpec("spec", module, digest, LIMITS, policyFor(loaded), Map.of());
      restarted = false;
      if (!importsAnything(loaded)) {
        startCurrent(line);
      } else {
        current = null;
      }
      checked++;
    }

    private void startCurrent(String line) {
      sandbox.stop("spec");
      Throwable failure = catchThrowable(() -> sandbox.start(current, recorder));
      if (failure instanceof SandboxException.LimitExceeded) {
        // Valid, but beyond this device's shape limits (e.g. multiple memories): refused cleanly.
        current = null;
        return;
      }
      softly.assertThat(failure).as(line).isNull();
    }

    private void refused(JsonNode command, String line, boolean atLoad) throws IOException {
      if (!binary(command)) {
        textOnly++;
        return;
      }
      byte[] module = bytes(command);
      String digest = Sandbox.digestOf(module);
      AppSpec spec = new AppSpec("bad", module, digest, LIMITS, ModulePolicy.DEFAULT, Map.of());
      Throwable failure = catchThrowable(() -> sandbox.start(spec, recorder));
      sandbox.stop("bad");
      if (atLoad) {
        softly
            .assertThat(failure)
            .as(line + " " + command.get("text"))
            .isInstanceOf(SandboxException.InvalidModule.class);
      } else {
        softly
            .assertThat(failure)
            .as(line + " " + command.get("text"))
            .isInstanceOf(SandboxException.class);
      }
      checked++;
    }

    private void trap(JsonNode command, String line) {
      JsonNode action = command.get("action");
      if (current == null || !invocable(action)) {
        return;
      }
      if (!sandbox.apps().contains("spec")) {
        startCurrent(line);
        restarted = true;
      }
      Throwable failure = catchThrowable(() -> invoke(action));
      softly
          .assertThat(failure)
          .as(line + " expected trap " + command.get("text"))
          .isInstanceOf(SandboxException.Trap.class);
      checked++;
    }

    private void returns(JsonNode command, String line) {
      JsonNode action = command.get("action");
      if (current == null || restarted || !invocable(action) || !sandbox.apps().contains("spec")) {
        return;
      }
      long[] result = invoke(action);
      JsonNode expected = command.get("expected");
      for (int i = 0; i < expected.size(); i++) {
        JsonNode value = expected.get(i);
        String text = value.path("value").asText();
        if (!value.has("value") || text.startsWith("nan:")) {
          continue;
        }
        long bits = Long.parseUnsignedLong(text);
        switch (value.get("type").asText()) {
          case "i32", "f32" -> softly.assertThat((int) result[i]).as(line).isEqualTo((int) bits);
          case "i64", "f64" -> softly.assertThat(result[i]).as(line).isEqualTo(bits);
          default -> {}
        }
      }
      checked++;
    }

    private void action(JsonNode command) {
      JsonNode action = command.get("action");
      if (current != null && !restarted && invocable(action) && sandbox.apps().contains("spec")) {
        invoke(action);
      }
    }

    private long[] invoke(JsonNode action) {
      JsonNode args = action.get("args");
      long[] values = new long[args.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = Long.parseUnsignedLong(args.get(i).get("value").asText());
      }
      return sandbox.call("spec", action.get("field").asText(), values);
    }

    private static boolean invocable(JsonNode action) {
      if (!"invoke".equals(action.get("type").asText()) || action.has("module")) {
        return false;
      }
      for (JsonNode arg : action.get("args")) {
        if (!Set.of("i32", "i64", "f32", "f64").contains(arg.get("type").asText())
            || !arg.has("value")) {
          return false;
        }
      }
      return true;
    }

    private static boolean importsAnything(LoadedModule module) {
      return module.module().importSection().importCount() > 0;
    }

    private static ModulePolicy policyFor(LoadedModule module) {
      Set<String> exports = new LinkedHashSet<>();
      var section = module.module().exportSection();
      for (int i = 0; i < section.exportCount(); i++) {
        exports.add(section.getExport(i).name());
      }
      exports.removeAll(ModuleVerifier.ENTRY_POINTS);
      exports.add("__none__");
      return new ModulePolicy(List.of(), List.copyOf(exports), false, false, "interpreter");
    }
  }
}

package io.wasmbed.sandbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz target: whatever bytes arrive as a module, the sandbox either runs them within their
 * limits or refuses them with a SandboxException; any other throwable is a finding.
 *
 * <p>{@code ./mvnw verify} runs this in regression mode over the seed corpus in
 * src/test/resources/io/wasmbed/sandbox/LoaderFuzzTestInputs (valid example and hostile modules,
 * spec modules, random bytes). To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -pl sandbox -am test
 * -Dtest=LoaderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class LoaderFuzzTest {
  private static final ModuleLimits LIMITS = new ModuleLimits(4, 256, 100_000, 200, 64, 4096, 0);
  private static final ModulePolicy POLICY =
      new ModulePolicy(List.of("wasmbed.*"), List.of(), false, false, "interpreter");

  static SandboxRuntime runtime;
  static Sandbox sandbox;

  @BeforeAll
  static void createSandbox() {
    runtime = new SandboxRuntime();
    sandbox = new Sandbox(TestApps.host(Map.of("temperature", 1.0)), runtime);
  }

  @AfterAll
  static void closeSandbox() {
    sandbox.close();
    runtime.close();
  }

  @FuzzTest(maxDuration = "60s")
  void loaderRefusesWithSandboxExceptionOnly(byte[] module) {
    AppSpec spec = new AppSpec("fuzz", module, Sandbox.digestOf(module), LIMITS, POLICY, Map.of());
    try {
      sandbox.start(spec, new TestApps.Recorder());
    } catch (SandboxException expected) {
      // A clean refusal.
    } finally {
      sandbox.stop("fuzz");
    }
  }
}

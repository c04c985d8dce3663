package io.wasmbed.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.wasmbed.protocol.ModuleLimits;
import io.wasmbed.protocol.ModulePolicy;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A short, deterministic mutation pass in every build (the Jazzer target LoaderFuzzTest explores
 * further when fuzzing): valid modules with flipped bits, overwritten bytes, LEB128 extremes,
 * insertions, deletions and truncations must run or be refused with a SandboxException.
 */
class LoaderMutationTest {
  private static final int MUTANTS_PER_MODULE = 1500;
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

  @ParameterizedTest
  @ValueSource(strings = {"temperature-monitor", "crc32", "deep-recursion", "growing-table"})
  void mutatedModulesAreRunOrRefusedCleanly(String name) {
    byte[] original =
        name.contains("-recursion") || name.contains("table")
            ? TestApps.hostile(name)
            : TestApps.example(name);
    Random random = new Random(name.hashCode());
    int refused = 0;
    for (int i = 0; i < MUTANTS_PER_MODULE; i++) {
      byte[] mutant = mutate(original, random);
      AppSpec spec =
          new AppSpec("mutant", mutant, Sandbox.digestOf(mutant), LIMITS, POLICY, Map.of());
      try {
        sandbox.start(spec, new TestApps.Recorder());
      } catch (SandboxException e) {
        refused++;
      } catch (Throwable e) {
        fail("mutant " + i + " of " + name + " escaped with " + e, e);
      } finally {
        sandbox.stop("mutant");
      }
    }
    assertThat(refused).isPositive();
  }

  private static byte[] mutate(byte[] module, Random random) {
    byte[] bytes = module.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = 8 + random.nextInt(bytes.length - 8);
      switch (random.nextInt(6)) {
        case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> bytes[at] = (byte) random.nextInt(256);
        case 2 -> bytes[at] = (byte) (random.nextBoolean() ? 0xFF : 0x80);
        case 3 -> bytes = insert(bytes, at, (byte) random.nextInt(256));
        case 4 -> bytes = delete(bytes, at);
        default -> bytes = java.util.Arrays.copyOf(bytes, at);
      }
      if (bytes.length <= 8) {
        return bytes;
      }
    }
    return bytes;
  }

  private static byte[] insert(byte[] bytes, int at, byte value) {
    byte[] out = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, out, 0, at);
    out[at] = value;
    System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
    return out;
  }

  private static byte[] delete(byte[] bytes, int at) {
    byte[] out = new byte[bytes.length - 1];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
    return out;
  }
}

package io.wasmbed.sandbox;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parsed and validated module, shared by every app (in every Sandbox of the runtime) that runs
 * the same digest. Compiles to JVM bytecode at most once, on first use in compiled mode.
 */
final class LoadedModule {
  private static final Logger log = LoggerFactory.getLogger(LoadedModule.class);

  private final String digest;
  private final WasmModule module;
  private final int sizeBytes;
  private volatile Function<Instance, Machine> compiled;

  LoadedModule(String digest, WasmModule module, int sizeBytes) {
    this.digest = digest;
    this.module = module;
    this.sizeBytes = sizeBytes;
  }

  String digest() {
    return digest;
  }

  WasmModule module() {
    return module;
  }

  int sizeBytes() {
    return sizeBytes;
  }

  boolean isCompiled() {
    return compiled != null;
  }

  /** The compiled machine factory; functions the compiler cannot handle stay interpreted. */
  Function<Instance, Machine> compiled() {
    Function<Instance, Machine> factory = compiled;
    if (factory == null) {
      synchronized (this) {
        if (compiled == null) {
          long start = System.nanoTime();
          compiled =
              MachineFactoryCompiler.builder(module)
                  .withInterpreterFallback(InterpreterFallback.SILENT)
                  .compile();
          log.debug("Module {} compiled in {} ms", digest, (System.nanoTime() - start) / 1_000_000);
        }
        factory = compiled;
      }
    }
    return factory;
  }
}

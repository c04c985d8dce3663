package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.wasmbed.protocol.Message.OutputKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host functions of import module {@code wasmbed} (docs/app-abi.md). Each app gets its own set,
 * bound to its config, its output budget and its listener; only the functions the module imports
 * (and the policy granted) are created.
 */
final class HostInterface {
  static final String MODULE = "wasmbed";

  /** Longest sensor name or config key a guest may pass. */
  static final int MAX_NAME_BYTES = 256;

  private static final List<ValType> NONE = List.of();

  /** Signature of every host function the device offers, by name. */
  static final Map<String, FunctionType> SIGNATURES =
      Map.of(
          "log", FunctionType.of(List.of(ValType.I32, ValType.I32), NONE),
          "now_ms", FunctionType.of(NONE, List.of(ValType.I64)),
          "sensor_read", FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.F64)),
          "publish", FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.F64), NONE),
          "config_get",
              FunctionType.of(
                  List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                  List.of(ValType.I32)));

  /** What a host function needs to know about the app calling it. */
  interface AppContext {
    HostServices host();

    Map<String, String> config();

    /** Charges {@code bytes} to the output budget; throws LimitExceeded when it is spent. */
    void charge(long bytes);

    void output(OutputKind kind, String text);
  }

  private final AppContext app;

  HostInterface(AppContext app) {
    this.app = app;
  }

  /** Host functions for the given imported names (already checked against the policy). */
  List<ImportFunction> functions(List<String> importedNames) {
    List<ImportFunction> functions = new ArrayList<>();
    for (String name : importedNames) {
      functions.add(new HostFunction(MODULE, name, SIGNATURES.get(name), handle(name)));
    }
    return functions;
  }

  private WasmFunctionHandle handle(String name) {
    switch (name) {
      case "log":
        return (instance, args) -> log(view(instance, name), args[0], args[1]);
      case "now_ms":
        return (instance, args) -> new long[] {app.host().clock().millis()};
      case "sensor_read":
        return (instance, args) -> sensorRead(view(instance, name), args[0], args[1]);
      case "publish":
        return (instance, args) -> publish(view(instance, name), args[0], args[1], args[2]);
      case "config_get":
        return (instance, args) ->
            configGet(view(instance, name), args[0], args[1], args[2], args[3]);
      default:
        throw new IllegalArgumentException(
            "host function: " + name + " (expected: one of " + SIGNATURES.keySet() + ")");
    }
  }

  private static GuestMemory view(Instance instance, String name) {
    return GuestMemory.of(instance.memory(), MODULE + "." + name);
  }

  private long[] log(GuestMemory memory, long ptr, long len) {
    app.charge(GuestMemory.unsigned(len));
    app.output(OutputKind.LOG, memory.readUtf8(ptr, len));
    return null;
  }

  private long[] sensorRead(GuestMemory memory, long ptr, long len) {
    String sensor = readName(memory, "sensor_read", ptr, len);
    return new long[] {Double.doubleToRawLongBits(app.host().readSensor(sensor))};
  }

  private long[] publish(GuestMemory memory, long ptr, long len, long valueBits) {
    String value = Double.toString(Double.longBitsToDouble(valueBits));
    app.charge(GuestMemory.unsigned(len) + 1 + value.length());
    String reading = readName(memory, "publish", ptr, len);
    app.output(OutputKind.READING, reading + "=" + value);
    return null;
  }

  /**
   * Copies the value of config key into {@code buf} (at most {@code cap} bytes) and returns the
   * value's full length in bytes, or -1 if the key is missing; a result greater than {@code cap}
   * means the value was truncated.
   */
  private long[] configGet(GuestMemory memory, long keyPtr, long keyLen, long bufPtr, long cap) {
    String value = app.config().get(readName(memory, "config_get", keyPtr, keyLen));
    if (value == null) {
      return new long[] {-1};
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int copied = (int) Math.min(bytes.length, GuestMemory.unsigned(cap));
    memory.write(bufPtr, java.util.Arrays.copyOf(bytes, copied));
    return new long[] {bytes.length};
  }

  private static String readName(GuestMemory memory, String function, long ptr, long len) {
    if (GuestMemory.unsigned(len) > MAX_NAME_BYTES) {
      throw new TrapException(
          MODULE
              + "."
              + function
              + ": name of "
              + GuestMemory.unsigned(len)
              + " bytes (expected: at most "
              + MAX_NAME_BYTES
              + ")");
    }
    return memory.readUtf8(ptr, len);
  }
}

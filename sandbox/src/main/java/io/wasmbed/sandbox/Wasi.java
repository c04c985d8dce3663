package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * WASI preview 1 ({@code wasi_snapshot_preview1}) for one app, on Chicory's {@link WasiPreview1}.
 *
 * <p>What the app sees: {@code argv = [app name]}, its config as environment variables, the device
 * clock, a SecureRandom, an empty stdin, stdout and stderr as LOG lines (charged to the output
 * budget), and, only when the policy grants the file system, a private in-memory file system
 * (Jimfs) preopened as {@code /data} and capped in size. Without that grant no directory is
 * preopened, so descriptors 0-2 are the only ones that exist. Nothing of the host file system is
 * ever reachable: the only preopened directory lives in the app's own Jimfs.
 *
 * <p>Chicory's WASI functions allocate host memory for the lengths the guest passes before checking
 * them against linear memory; every range argument is therefore checked here first.
 */
final class Wasi implements AutoCloseable {
  static final String MODULE = "wasi_snapshot_preview1";
  static final String DATA_DIR = "/data";

  /** Longest LOG line made from stdout/stderr; longer output is split. */
  static final int MAX_LINE_BYTES = 1024;

  private static final int MAX_IOVECS = 1024;
  private static final int FILESYSTEM_BLOCK_BYTES = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a WASI call reaches, which decides the grant it needs. */
  enum Access {
    /** Needs only an allowedImports grant. */
    HARMLESS,
    /** Also needs {@code allowFilesystem}. */
    FILESYSTEM,
    /** Needs {@code allowNetwork}, and is not supported by this device. */
    NETWORK,
    /** Never linked on this device. */
    UNSUPPORTED
  }

  /** Calls that touch nothing outside the app: its arguments, config, clock, randomness, stdio. */
  static final Set<String> HARMLESS =
      Set.of(
          "args_get",
          "args_sizes_get",
          "environ_get",
          "environ_sizes_get",
          "clock_res_get",
          "clock_time_get",
          "random_get",
          "sched_yield",
          "proc_exit",
          "fd_write",
          "fd_fdstat_get",
          "fd_seek",
          "fd_close");

  /**
   * Calls this device never links. {@code poll_oneoff} blocks the calling thread (apps wait with
   * {@code tick}); the others Chicory does not implement.
   */
  static final Set<String> UNSUPPORTED =
      Set.of(
          "poll_oneoff",
          "proc_raise",
          "adapter_open_badfd",
          "adapter_close_badfd",
          "fd_fdstat_set_rights");

  /** Signature of every WASI function Chicory implements, by name. */
  static final Map<String, FunctionType> SIGNATURES = signatures();

  /** Pointer and length argument indexes of each call's memory ranges. */
  private static final Map<String, int[][]> RANGES =
      Map.ofEntries(
          Map.entry("random_get", new int[][] {{0, 1}}),
          Map.entry("fd_prestat_dir_name", new int[][] {{1, 2}}),
          Map.entry("fd_readdir", new int[][] {{1, 2}}),
          Map.entry("path_open", new int[][] {{2, 3}}),
          Map.entry("path_create_directory", new int[][] {{1, 2}}),
          Map.entry("path_filestat_get", new int[][] {{2, 3}}),
          Map.entry("path_filestat_set_times", new int[][] {{2, 3}}),
          Map.entry("path_link", new int[][] {{2, 3}, {5, 6}}),
          Map.entry("path_readlink", new int[][] {{1, 2}, {3, 4}}),
          Map.entry("path_remove_directory", new int[][] {{1, 2}}),
          Map.entry("path_rename", new int[][] {{1, 2}, {4, 5}}),
          Map.entry("path_symlink", new int[][] {{0, 1}, {3, 4}}),
          Map.entry("path_unlink_file", new int[][] {{1, 2}}));

  /** Argument indexes of (iovec array, count) for the vectored calls. */
  private static final Map<String, int[]> IOVECS =
      Map.of(
          "fd_write", new int[] {1, 2},
          "fd_read", new int[] {1, 2},
          "fd_pwrite", new int[] {1, 2},
          "fd_pread", new int[] {1, 2});

  private final WasiPreview1 wasi;
  private final FileSystem files;
  private final Lines stdout;
  private final Lines stderr;

  /**
   * @param filesystemBytes size of the private file system, or 0 for none (not granted)
   */
  Wasi(
      String app,
      Map<String, String> config,
      Clock clock,
      long filesystemBytes,
      LongConsumer charge,
      Consumer<String> log) {
    this.stdout = new Lines(charge, log);
    this.stderr = new Lines(charge, log);
    WasiOptions.Builder options =
        WasiOptions.builder()
            .withArguments(List.of(app))
            .withClock(clock)
            .withRandom(RANDOM)
            .withStdout(stdout)
            .withStderr(stderr);
    new TreeMap<>(config).forEach(options::withEnvironment);
    this.files = filesystemBytes > 0 ? privateFileSystem(filesystemBytes) : null;
    if (files != null) {
      options.withDirectory(DATA_DIR, files.getPath(DATA_DIR));
    }
    this.wasi = WasiPreview1.builder().withOptions(options.build()).build();
  }

  static Access access(String function) {
    if (function.startsWith("sock_")) {
      return Access.NETWORK;
    }
    if (UNSUPPORTED.contains(function)) {
      return Access.UNSUPPORTED;
    }
    if (HARMLESS.contains(function)) {
      return Access.HARMLESS;
    }
    return function.startsWith("fd_") || function.startsWith("path_")
        ? Access.FILESYSTEM
        : Access.UNSUPPORTED;
  }

  /**
   * The app's file system, rounded down to whole 4 KiB blocks; {@code /data} is its root.
   *
   * <p>Known shortcoming: Jimfs's size cap counts file contents only, not directory entries or file
   * metadata, so an app can still spend host heap by creating many empty files (bounded per call
   * only by its instruction budget and call timeout). A count of entries, checked by wrapping
   * {@code path_open} and {@code path_create_directory}, would close it.
   */
  private static FileSystem privateFileSystem(long bytes) {
    Configuration config =
        Configuration.unix().toBuilder()
            .setAttributeViews("unix")
            .setBlockSize(FILESYSTEM_BLOCK_BYTES)
            .setMaxSize(bytes)
            .setMaxCacheSize(0)
            .setWorkingDirectory(DATA_DIR)
            .build();
    return Jimfs.newFileSystem(config);
  }

  /** Host functions for the given imported WASI names (already checked against the policy). */
  List<ImportFunction> functions(List<String> importedNames) {
    Map<String, HostFunction> all = new HashMap<>();
    for (HostFunction function : wasi.toHostFunctions()) {
      all.put(function.name(), function);
    }
    List<ImportFunction> functions = new ArrayList<>();
    for (String name : importedNames) {
      HostFunction function = all.get(name);
      functions.add(
          new HostFunction(MODULE, name, function.functionType(), guard(name, function.handle())));
    }
    return functions;
  }

  private static WasmFunctionHandle guard(String name, WasmFunctionHandle handle) {
    int[][] ranges = RANGES.get(name);
    int[] iovecs = IOVECS.get(name);
    if (ranges == null && iovecs == null) {
      return handle;
    }
    return (instance, args) -> {
      GuestMemory memory = GuestMemory.of(instance.memory(), MODULE + "." + name);
      if (ranges != null) {
        for (int[] range : ranges) {
          memory.checkRange(args[range[0]], args[range[1]]);
        }
      }
      if (iovecs != null) {
        checkIovecs(memory, name, args[iovecs[0]], args[iovecs[1]]);
      }
      return handle.apply(instance, args);
    };
  }

  private static void checkIovecs(GuestMemory memory, String name, long iovs, long count) {
    long n = GuestMemory.unsigned(count);
    if (n > MAX_IOVECS) {
      throw new TrapException(
          MODULE + "." + name + ": " + n + " iovecs (expected: at most " + MAX_IOVECS + ")");
    }
    memory.checkRange(iovs, n * 8);
    long base = GuestMemory.unsigned(iovs);
    for (long i = 0; i < n; i++) {
      memory.checkRange(memory.readI32(base + i * 8), memory.readI32(base + i * 8 + 4));
    }
  }

  /** Emits what is left of unterminated stdout/stderr lines. */
  void flush() {
    stdout.flush();
    stderr.flush();
  }

  /** The app's private file system, or null when the policy does not grant one. */
  FileSystem files() {
    return files;
  }

  @Override
  public void close() {
    flush();
    wasi.close();
    if (files != null) {
      try {
        files.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static Map<String, FunctionType> signatures() {
    Map<String, FunctionType> signatures = new HashMap<>();
    try (WasiPreview1 probe = WasiPreview1.builder().build()) {
      for (HostFunction function : probe.toHostFunctions()) {
        signatures.put(function.name(), function.functionType());
      }
    }
    return Map.copyOf(signatures);
  }

  /**
   * stdout or stderr of an app: bytes are charged to the output budget as they are written and
   * emitted as one LOG line per {@code \n} (or per {@link #MAX_LINE_BYTES}), decoded leniently as
   * UTF-8. Written only by the app's guest thread, under the app's lock.
   */
  static final class Lines extends OutputStream {
    private final LongConsumer charge;
    private final Consumer<String> log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Lines(LongConsumer charge, Consumer<String> log) {
      this.charge = charge;
      this.log = log;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      charge.accept(length);
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] == '\n') {
          emit();
        } else {
          line.write(bytes[i]);
          if (line.size() >= MAX_LINE_BYTES) {
            emit();
          }
        }
      }
    }

    @Override
    public void flush() {
      if (line.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      log.accept(text);
    }
  }
}

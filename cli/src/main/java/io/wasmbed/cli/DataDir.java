package io.wasmbed.cli;

import java.nio.file.Path;

/**
 * Where Wasmbed keeps its state: {@code --data-dir}, else {@code $WASMBED_HOME}, else ~/.wasmbed.
 */
final class DataDir {

  private DataDir() {}

  /** Refuses an empty path: it would silently mean the current directory. */
  static Path requireNonEmpty(String option, Path dir) {
    if (dir != null && dir.toString().isBlank()) {
      throw new CliException(option + ": '' (expected: a directory)", 2);
    }
    return dir;
  }

  static Path resolve(Path explicit) {
    requireNonEmpty("--data-dir", explicit);
    if (explicit != null) {
      return explicit.toAbsolutePath().normalize();
    }
    String home = System.getenv("WASMBED_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".wasmbed");
  }
}

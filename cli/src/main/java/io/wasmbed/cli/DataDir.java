package io.wasmbed.cli;

import java.nio.file.Path;

/**
 * Where Wasmbed keeps its state: {@code --data-dir}, else {@code $WASMBED_HOME}, else ~/.wasmbed.
 */
final class DataDir {

  private DataDir() {}

  static Path resolve(Path explicit) {
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

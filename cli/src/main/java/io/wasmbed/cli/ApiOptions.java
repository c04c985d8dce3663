package io.wasmbed.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a client command finds the control plane's API and its key. */
final class ApiOptions {

  @Option(
      names = "--api",
      paramLabel = "URL",
      description = "Control-plane API (default: $WASMBED_API or http://127.0.0.1:4480).")
  String api;

  @Option(
      names = "--api-key-file",
      paramLabel = "FILE",
      description =
          "File holding the API key (default: the key in $WASMBED_API_KEY, else admin.key in"
              + " the data dir).")
  Path apiKeyFile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory of a local `wasmbed up` (default: $WASMBED_HOME or ~/.wasmbed).")
  Path dataDir;

  ApiClient client() {
    return new ApiClient(baseUrl(), apiKey());
  }

  private String baseUrl() {
    if (api != null) {
      return api;
    }
    String fromEnv = System.getenv("WASMBED_API");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "http://127.0.0.1:4480";
  }

  private String apiKey() {
    if (apiKeyFile == null) {
      String fromEnv = System.getenv("WASMBED_API_KEY");
      if (fromEnv != null && !fromEnv.isBlank()) {
        return fromEnv.trim();
      }
    }
    Path file = apiKeyFile != null ? apiKeyFile : DataDir.resolve(dataDir).resolve("admin.key");
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      throw new CliException(
          "no API key: "
              + file
              + " does not exist (expected: run `wasmbed up` first, or pass --api-key-file, "
              + "or set WASMBED_API_KEY)");
    } catch (IOException e) {
      throw new CliException("cannot read API key file " + file + ": " + e.getMessage());
    }
  }
}

package io.wasmbed.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

  private static final long MAX_KEY_BYTES = 1024;

  ApiClient client() {
    return new ApiClient(baseUrl(), apiKey());
  }

  private String baseUrl() {
    if (api != null) {
      return requireHttpUrl("--api", api);
    }
    String fromEnv = System.getenv("WASMBED_API");
    String url = fromEnv != null && !fromEnv.isBlank() ? fromEnv : "http://127.0.0.1:4480";
    return requireHttpUrl(fromEnv != null && !fromEnv.isBlank() ? "WASMBED_API" : "--api", url);
  }

  private static String requireHttpUrl(String source, String url) {
    if (!url.matches("https?://[^\\s/]+(/.*)?")) {
      throw new CliException(
          source
              + ": '"
              + url
              + "' (expected: an http:// or https:// URL such as"
              + " http://127.0.0.1:4480)",
          2);
    }
    return url;
  }

  private String apiKey() {
    if (apiKeyFile == null) {
      String fromEnv = System.getenv("WASMBED_API_KEY");
      if (fromEnv != null && !fromEnv.isBlank()) {
        return fromEnv.trim();
      }
    }
    Path file = apiKeyFile != null ? apiKeyFile : DataDir.resolve(dataDir).resolve("admin.key");
    if (!Files.exists(file)) {
      throw new CliException(
          "no API key: "
              + file
              + " does not exist (expected: run `wasmbed up` first, or pass --api-key-file, "
              + "or set WASMBED_API_KEY)");
    }
    String key =
        new String(InputFile.read("--api-key-file", file, MAX_KEY_BYTES), StandardCharsets.UTF_8)
            .trim();
    if (!key.matches("[A-Za-z0-9_-]+")) {
      throw new CliException(
          "--api-key-file: " + file + " does not hold an API key (expected: one line wb_...)", 2);
    }
    return key;
  }
}

package io.wasmbed.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a file the user named, refusing what is missing, not a file, or larger than expected. */
final class InputFile {

  /** The control plane's limit for one module. */
  static final long MAX_MODULE_BYTES = 16L * 1024 * 1024;

  static final long MAX_CSR_BYTES = 64L * 1024;

  private InputFile() {}

  /**
   * @param what how the user named it, e.g. {@code --csr}; used in every error message
   * @throws CliException with exit code 2 and a one-line reason
   */
  static byte[] read(String what, Path file, long maxBytes) {
    if (!Files.exists(file)) {
      throw new CliException(what + ": " + file + ": no such file", 2);
    }
    if (!Files.isRegularFile(file)) {
      throw new CliException(what + ": " + file + ": not a regular file", 2);
    }
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte past the limit instead of trusting the size: /dev/zero-like files lie.
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new CliException(
            what
                + ": "
                + file
                + " is larger than "
                + maxBytes
                + " bytes (expected: at most "
                + maxBytes / 1024
                + " KiB)",
            2);
      }
      return bytes;
    } catch (IOException e) {
      throw new CliException(what + ": cannot read " + file + ": " + e.getMessage(), 2);
    }
  }
}

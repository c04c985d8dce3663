package io.wasmbed.gateway;

import io.wasmbed.store.Application;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Turns an Application's module spec into the bytes a Deploy carries, or says why it cannot. */
final class ModuleSources {
  private ModuleSources() {}

  /** Why the module cannot be deployed as specified, or empty if it can. */
  static Optional<String> problem(Application.Spec spec) {
    Application.Module module = spec.module();
    if (module.inline() == null) {
      // Fetching from a URL or an OCI registry needs a download cache with size limits; not built.
      return Optional.of(
          module.url() != null
              ? "module source url not supported yet"
              : "module source oci not supported yet");
    }
    String actual = digestOf(module.inline());
    if (!actual.equals(module.digest())) {
      return Optional.of(
          "module digest mismatch: bytes hash to "
              + actual
              + " (expected: "
              + module.digest()
              + ")");
    }
    try {
      signature(spec);
    } catch (IllegalArgumentException e) {
      return Optional.of("signature: not base64 (" + e.getMessage() + ")");
    }
    return Optional.empty();
  }

  static byte[] signature(Application.Spec spec) {
    return Base64.getDecoder().decode(spec.signature().getBytes(StandardCharsets.US_ASCII));
  }

  static String digestOf(byte[] bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}

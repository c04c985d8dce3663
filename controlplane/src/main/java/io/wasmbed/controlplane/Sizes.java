package io.wasmbed.controlplane;

import java.util.Locale;

/** Byte counts as people read them in messages. */
public final class Sizes {
  private static final long KIB = 1024;
  private static final long MIB = KIB * 1024;

  private Sizes() {}

  /** {@code 5000000 bytes (4.8 MiB)}; below 1 KiB only the bytes. */
  public static String describe(long bytes) {
    if (bytes < KIB) {
      return bytes + " bytes";
    }
    return bytes + " bytes (" + human(bytes) + ")";
  }

  /** {@code 4 MiB}, {@code 4.8 MiB}, {@code 64 KiB}. */
  public static String human(long bytes) {
    if (bytes < KIB) {
      return bytes + " bytes";
    }
    long unit = bytes >= MIB ? MIB : KIB;
    String suffix = unit == MIB ? " MiB" : " KiB";
    if (bytes % unit == 0) {
      return bytes / unit + suffix;
    }
    return String.format(Locale.ROOT, "%.1f", (double) bytes / unit) + suffix;
  }
}

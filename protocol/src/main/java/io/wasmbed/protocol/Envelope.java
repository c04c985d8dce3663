package io.wasmbed.protocol;

import java.util.Objects;

/**
 * One protocol frame's payload: {@code [version, messageId, [tag, fields...]]} in CBOR. A reply
 * carries the {@code messageId} of the request it answers.
 */
public record Envelope(int version, long messageId, Message message) {

  /** The only protocol version this build speaks. */
  public static final int CURRENT_VERSION = 0;

  public Envelope {
    if (messageId < 0) {
      throw new IllegalArgumentException("messageId: " + messageId + " (expected: zero or more)");
    }
    Objects.requireNonNull(message, "message");
  }

  public static Envelope of(long messageId, Message message) {
    return new Envelope(CURRENT_VERSION, messageId, message);
  }
}

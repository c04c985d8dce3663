package io.wasmbed.protocol;

import io.netty.channel.ChannelPipeline;

/**
 * The frame layer of the device protocol, shared by gateway and device:
 *
 * <pre>
 * +--------------------------------+----------------------------------+
 * | length: uint32, big-endian     | body: CBOR envelope, length bytes |
 * +--------------------------------+----------------------------------+
 * </pre>
 *
 * <p>A length of zero or above the receiver's maximum is a protocol error; the receiver does not
 * buffer such a body, answers {@code ProtocolError} if it can and closes the connection.
 */
public final class Frames {

  /** Largest frame body a receiver accepts unless configured lower (16 MiB). */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /** Bytes of the length prefix. */
  public static final int LENGTH_BYTES = 4;

  /** Pipeline name of the {@link FrameDecoder}. */
  public static final String DECODER = "wasmbed-frame-decoder";

  /** Pipeline name of the {@link FrameEncoder}. */
  public static final String ENCODER = "wasmbed-frame-encoder";

  /** Pipeline name for a {@link ProtocolErrorHandler}, added by the connection's owner. */
  public static final String ERROR_HANDLER = "wasmbed-protocol-error";

  private Frames() {}

  /**
   * Appends a {@link FrameDecoder} and a {@link FrameEncoder} limited to {@code maxFrameBytes}
   * under {@link #DECODER} and {@link #ENCODER}. Handlers added after them receive and send {@link
   * Envelope}s.
   */
  public static ChannelPipeline addCodec(ChannelPipeline pipeline, int maxFrameBytes) {
    return pipeline
        .addLast(DECODER, new FrameDecoder(maxFrameBytes))
        .addLast(ENCODER, new FrameEncoder(maxFrameBytes));
  }

  static int requireValidMax(int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException(
          "maxFrameBytes: " + maxFrameBytes + " (expected: greater than 0)");
    }
    return maxFrameBytes;
  }
}

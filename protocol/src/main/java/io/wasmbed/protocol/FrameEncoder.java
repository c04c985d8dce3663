package io.wasmbed.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes an {@link Envelope} as one length-prefixed frame (see {@link Frames}). An envelope whose
 * body would exceed {@code maxFrameBytes} fails its write with a {@link ProtocolException} instead
 * of sending a frame the peer must refuse.
 */
public final class FrameEncoder extends MessageToByteEncoder<Envelope> {

  private final int maxFrameBytes;

  public FrameEncoder() {
    this(Frames.DEFAULT_MAX_FRAME_BYTES);
  }

  public FrameEncoder(int maxFrameBytes) {
    super(Envelope.class);
    this.maxFrameBytes = Frames.requireValidMax(maxFrameBytes);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Envelope envelope, ByteBuf out) {
    byte[] body = MessageCodec.encode(envelope);
    if (body.length > maxFrameBytes) {
      throw new ProtocolException(
          envelope.message().getClass().getSimpleName()
              + ": frame body of "
              + body.length
              + " bytes (expected: at most "
              + maxFrameBytes
              + ")");
    }
    out.ensureWritable(Frames.LENGTH_BYTES + body.length);
    out.writeInt(body.length);
    out.writeBytes(body);
  }
}

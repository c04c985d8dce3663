package io.wasmbed.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns length-prefixed frames (see {@link Frames}) into {@link Envelope}s.
 *
 * <p>A bad frame — zero or oversize length, or a body that is not a valid envelope — is passed to
 * {@code exceptionCaught} as a {@link ProtocolException} (not wrapped in Netty's {@code
 * DecoderException}). An oversize length is refused as soon as its four bytes arrive, before any of
 * the body is buffered. After a bad frame the stream has lost its framing, so every later byte is
 * discarded; the connection's owner is expected to close it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

  private final int maxFrameBytes;
  private boolean failed;

  public FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = Frames.requireValidMax(maxFrameBytes);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      Envelope envelope = decodeFrame(in);
      if (envelope != null) {
        out.add(envelope);
      }
    } catch (ProtocolException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      ctx.fireExceptionCaught(e);
    }
  }

  /** The next envelope, or null while its frame is incomplete. */
  private Envelope decodeFrame(ByteBuf in) {
    if (in.readableBytes() < Frames.LENGTH_BYTES) {
      return null;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length == 0) {
      throw new ProtocolException("frame length: 0 (expected: 1 to " + maxFrameBytes + ")");
    }
    if (length > maxFrameBytes) {
      throw new ProtocolException(
          "frame length: " + length + " (expected: 1 to " + maxFrameBytes + ")");
    }
    if (in.readableBytes() < Frames.LENGTH_BYTES + length) {
      return null;
    }
    in.skipBytes(Frames.LENGTH_BYTES);
    byte[] body = new byte[(int) length];
    in.readBytes(body);
    return MessageCodec.decode(body);
  }
}

package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.protocol.Message.ProtocolError;
import io.wasmbed.protocol.Message.Stop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static final String HEARTBEAT_FRAME = "00 00 00 05 83 00 00 81 00";

  @Test
  void addsDecoderAndEncoderUnderTheirNames() {
    EmbeddedChannel channel = new EmbeddedChannel();

    Frames.addCodec(channel.pipeline(), 1024);

    assertThat(channel.pipeline().get(Frames.DECODER)).isInstanceOf(FrameDecoder.class);
    assertThat(channel.pipeline().get(Frames.ENCODER)).isInstanceOf(FrameEncoder.class);
    assertThat(channel.pipeline().names()).startsWith(Frames.DECODER, Frames.ENCODER);
  }

  @Test
  void encoderWritesLengthThenEnvelope() {
    EmbeddedChannel channel = codecChannel(1024);

    channel.writeOutbound(Envelope.of(0, new Heartbeat()));

    assertThat(hex(channel.<ByteBuf>readOutbound())).isEqualTo(HEARTBEAT_FRAME);
  }

  @Test
  void decodesAFrameSplitAcrossReads() {
    EmbeddedChannel channel = codecChannel(1024);
    byte[] frame = Vectors.hex(HEARTBEAT_FRAME);

    for (int i = 0; i < frame.length - 1; i++) {
      channel.writeInbound(Unpooled.wrappedBuffer(frame, i, 1));
      assertThat(channel.<Object>readInbound()).isNull();
    }
    channel.writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1));

    assertThat(channel.<Envelope>readInbound()).isEqualTo(Envelope.of(0, new Heartbeat()));
  }

  @Test
  void decodesSeveralFramesInOneRead() {
    EmbeddedChannel channel = codecChannel(1024);
    ByteBuf frames = Unpooled.buffer();
    for (long id = 1; id <= 3; id++) {
      frames.writeBytes(frame(Envelope.of(id, new Stop("app-" + id))));
    }
    frames.writeBytes(Vectors.hex("00 00 00 05 83 00"));

    channel.writeInbound(frames);

    for (long id = 1; id <= 3; id++) {
      assertThat(channel.<Envelope>readInbound()).isEqualTo(Envelope.of(id, new Stop("app-" + id)));
    }
    assertThat(channel.<Object>readInbound()).isNull();
    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("00 81 00")));
    assertThat(channel.<Envelope>readInbound()).isEqualTo(Envelope.of(0, new Heartbeat()));
  }

  @Test
  void oversizeLengthSendsProtocolErrorAndClosesBeforeTheBodyArrives() {
    EmbeddedChannel channel = codecChannel(64);

    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("00 00 00 41")));

    assertThat(sentError(channel)).isEqualTo("frame length: 65 (expected: 1 to 64)");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void lengthAboveTwoToTheThirtyOneIsOversizeNotNegative() {
    EmbeddedChannel channel = codecChannel(Frames.DEFAULT_MAX_FRAME_BYTES);

    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("ff ff ff ff")));

    assertThat(sentError(channel)).isEqualTo("frame length: 4294967295 (expected: 1 to 16777216)");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void zeroLengthSendsProtocolErrorAndCloses() {
    EmbeddedChannel channel = codecChannel(1024);

    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("00 00 00 00")));

    assertThat(sentError(channel)).isEqualTo("frame length: 0 (expected: 1 to 1024)");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void malformedBodySendsProtocolErrorAndCloses() {
    EmbeddedChannel channel = codecChannel(1024);

    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("00 00 00 06 83 00 00 81 18 63")));

    assertThat(sentError(channel)).isEqualTo("tag: unknown tag 99 (expected: 0 to 13)");
    assertThat(channel.<Object>readInbound()).isNull();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void exceptionCaughtReceivesTheProtocolExceptionItselfAndLaterBytesAreDropped() {
    List<Throwable> caught = new ArrayList<>();
    EmbeddedChannel channel = new EmbeddedChannel();
    Frames.addCodec(channel.pipeline(), 1024);
    channel.pipeline().addLast(new Recorder(caught));

    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex("00 00 00 01 ff")));
    channel.writeInbound(Unpooled.wrappedBuffer(Vectors.hex(HEARTBEAT_FRAME)));

    assertThat(caught).hasSize(1);
    assertThat(caught.get(0)).isExactlyInstanceOf(ProtocolException.class);
    assertThat(channel.<Object>readInbound()).isNull();
  }

  @Test
  void errorHandlerPassesOtherExceptionsOn() {
    EmbeddedChannel channel = codecChannel(1024);

    channel.pipeline().fireExceptionCaught(new IllegalStateException("not a protocol error"));

    assertThatThrownBy(channel::checkException).isInstanceOf(IllegalStateException.class);
    assertThat(channel.<Object>readOutbound()).isNull();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void encoderRefusesAnEnvelopeOverItsLimit() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(16));

    ChannelFuture write = channel.writeOneOutbound(Envelope.of(1, new Stop("x".repeat(20))));
    channel.flushOutbound();

    assertThat(write.cause())
        .isInstanceOf(EncoderException.class)
        .hasRootCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("Stop: frame body of 26 bytes (expected: at most 16)");
    assertThat(channel.<Object>readOutbound()).isNull();
  }

  @Test
  void rejectsNonPositiveMaximum() {
    assertThatThrownBy(() -> new FrameDecoder(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFrameBytes: 0 (expected: greater than 0)");
  }

  private static EmbeddedChannel codecChannel(int maxFrameBytes) {
    EmbeddedChannel channel = new EmbeddedChannel();
    Frames.addCodec(channel.pipeline(), maxFrameBytes);
    channel.pipeline().addLast(Frames.ERROR_HANDLER, ProtocolErrorHandler.INSTANCE);
    return channel;
  }

  /** The reason of the one ProtocolError frame the channel sent. */
  private static String sentError(EmbeddedChannel channel) {
    ByteBuf out = channel.readOutbound();
    assertThat(out).as("a ProtocolError frame").isNotNull();
    int length = out.readInt();
    byte[] body = new byte[length];
    out.readBytes(body);
    assertThat(out.isReadable()).isFalse();
    out.release();
    Envelope envelope = MessageCodec.decode(body);
    assertThat(envelope.messageId()).isZero();
    assertThat(envelope.message()).isInstanceOf(ProtocolError.class);
    assertThat(channel.<Object>readOutbound()).isNull();
    return ((ProtocolError) envelope.message()).reason();
  }

  private static byte[] frame(Envelope envelope) {
    byte[] body = MessageCodec.encode(envelope);
    ByteBuf frame = Unpooled.buffer().writeInt(body.length).writeBytes(body);
    byte[] bytes = new byte[frame.readableBytes()];
    frame.readBytes(bytes);
    return bytes;
  }

  private static String hex(ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return Vectors.hex(bytes);
  }

  private static final class Recorder extends ChannelInboundHandlerAdapter {
    private final List<Throwable> caught;

    Recorder(List<Throwable> caught) {
      this.caught = caught;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      caught.add(cause);
    }
  }
}

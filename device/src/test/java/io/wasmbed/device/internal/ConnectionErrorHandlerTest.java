package io.wasmbed.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ConnectionErrorHandlerTest {

  @Test
  void protocolErrorFromGatewayClosesWithoutAnswer() {
    EmbeddedChannel channel = new EmbeddedChannel(new ConnectionErrorHandler());

    channel.writeInbound(Envelope.of(3, new Message.ProtocolError("bad frame")));

    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.outboundMessages()).isEmpty();
  }

  @Test
  void unexpectedMessageIsAnsweredWithProtocolErrorThenClosed() {
    EmbeddedChannel channel = new EmbeddedChannel(new ConnectionErrorHandler());

    channel.writeInbound(Envelope.of(4, new Message.EnrollmentRejected("why")));

    Envelope answer = channel.readOutbound();
    assertThat(answer.message())
        .isEqualTo(
            new Message.ProtocolError("unexpected message from gateway: EnrollmentRejected"));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void ioFailureClosesTheConnection() {
    EmbeddedChannel channel = new EmbeddedChannel(new ConnectionErrorHandler());

    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

    assertThat(channel.isOpen()).isFalse();
  }
}

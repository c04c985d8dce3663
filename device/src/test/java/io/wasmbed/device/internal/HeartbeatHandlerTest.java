package io.wasmbed.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeartbeatHandlerTest {

  @Test
  void sendsHeartbeatEveryIntervalAfterHandshakeAndConsumesAcks() {
    EmbeddedChannel channel = new EmbeddedChannel();
    Session.attach(channel);
    HeartbeatHandler heartbeat = new HeartbeatHandler(Duration.ofMillis(20));
    channel.pipeline().addLast(heartbeat);

    channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
    assertThat(channel.outboundMessages()).isEmpty();
    channel.advanceTimeBy(25, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    Envelope sent = channel.readOutbound();
    assertThat(sent.message()).isEqualTo(new Message.Heartbeat());
    assertThat(channel.writeInbound(Envelope.of(sent.messageId(), new Message.HeartbeatAck(1))))
        .isFalse();
    assertThat(channel.inboundMessages()).isEmpty();
  }

  @Test
  void stopEndsHeartbeats() {
    EmbeddedChannel channel = new EmbeddedChannel();
    Session.attach(channel);
    HeartbeatHandler heartbeat = new HeartbeatHandler(Duration.ofMillis(20));
    channel.pipeline().addLast(heartbeat);
    channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

    heartbeat.stop();
    channel.advanceTimeBy(25, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    assertThat(channel.outboundMessages()).isEmpty();
  }
}

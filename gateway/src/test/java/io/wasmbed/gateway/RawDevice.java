package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Frames;
import io.wasmbed.protocol.Message;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal device for tests: a real TLS client on loopback that speaks frames, records what the
 * gateway sends and, when asked, acknowledges Deploy and Stop like a well-behaved device.
 */
final class RawDevice implements AutoCloseable {
  final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
  private final Channel channel;
  private final AtomicLong lastId = new AtomicLong();
  private volatile boolean autoAck;

  private RawDevice(EventLoopGroup group, SslContext tls, int port, String localHost)
      throws InterruptedException {
    this.channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port));
                    Frames.addCodec(ch.pipeline(), Frames.DEFAULT_MAX_FRAME_BYTES);
                    ch.pipeline().addLast(new Collector());
                  }
                })
            .connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(localHost, 0))
            .sync()
            .channel();
  }

  static RawDevice connect(EventLoopGroup group, SslContext tls, int port) {
    return connect(group, tls, port, "127.0.0.1");
  }

  /** Connects from {@code localHost} (another loopback address, such as 127.0.0.2, on Linux). */
  static RawDevice connect(EventLoopGroup group, SslContext tls, int port, String localHost) {
    try {
      return new RawDevice(group, tls, port, localHost);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Connects and introduces itself with a DeviceInfo listing {@code apps}. */
  static RawDevice introduce(
      EventLoopGroup group, SslContext tls, int port, Map<String, String> apps, boolean autoAck) {
    RawDevice device = connect(group, tls, port);
    device.autoAck = autoAck;
    device.send(new Message.DeviceInfo("test", "raw/1", List.of(), 1024, apps));
    return device;
  }

  /** Sends a Heartbeat every {@code period} from the channel's event loop until closed. */
  RawDevice heartbeatEvery(Duration period) {
    channel
        .eventLoop()
        .scheduleAtFixedRate(
            () -> send(new Message.Heartbeat()), 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  long send(Message message) {
    long id = lastId.incrementAndGet();
    channel.writeAndFlush(Envelope.of(id, message));
    return id;
  }

  void reply(long id, Message message) {
    channel.writeAndFlush(Envelope.of(id, message));
  }

  /** Writes bytes below the frame layer, straight into TLS. */
  void sendRaw(byte[] bytes) {
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
  }

  /** The next message of {@code type}, skipping others. */
  <T extends Message> Envelope await(Class<T> type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Envelope next = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        assertThat(next).as("a %s within %s", type.getSimpleName(), timeout).isNotNull();
        if (type.isInstance(next.message())) {
          return next;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  boolean isActive() {
    return channel.isActive();
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private final class Collector extends SimpleChannelInboundHandler<Envelope> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope envelope) {
      received.add(envelope);
      if (!autoAck) {
        return;
      }
      if (envelope.message() instanceof Message.Deploy deploy) {
        reply(envelope.messageId(), new Message.DeployAck(deploy.app(), true, ""));
      } else if (envelope.message() instanceof Message.Stop stop) {
        reply(envelope.messageId(), new Message.StopAck(stop.app(), true, ""));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

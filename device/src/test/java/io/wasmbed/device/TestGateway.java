package io.wasmbed.device;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wasmbed.pki.Credentials;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Frames;
import io.wasmbed.protocol.Message;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.X509TrustManager;

/**
 * A minimal gateway for device tests: TLS 1.3 with required client certificates (pki's server
 * context), the protocol's frame codec, HeartbeatAck for every Heartbeat, and a record of all
 * envelopes received per connection. It can be stopped and started again on the same port.
 */
final class TestGateway implements AutoCloseable {

  /** One envelope as received, with the connection (1, 2, ...) it arrived on. */
  record Received(int connection, Envelope envelope, long nanos) {
    Message message() {
      return envelope.message();
    }
  }

  private final SslContext sslContext;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger handshakes = new AtomicInteger();
  private final AtomicInteger closeNotifies = new AtomicInteger();
  private final AtomicLong lastId = new AtomicLong();
  private volatile Channel server;
  private volatile Channel device;
  private volatile int port;

  TestGateway(Credentials credentials, X509TrustManager deviceTrust) {
    this.sslContext = TlsContexts.server(credentials, deviceTrust);
  }

  /** Binds an ephemeral port the first time, the same port after a {@link #stop()}. */
  TestGateway start() {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    children.add(ch);
                    ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                    Frames.addCodec(ch.pipeline(), Frames.DEFAULT_MAX_FRAME_BYTES);
                    ch.pipeline().addLast(new Recorder());
                  }
                })
            .bind("127.0.0.1", port)
            .syncUninterruptibly()
            .channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
    return this;
  }

  /** Closes the listening socket and every device connection. */
  void stop() {
    server.close().syncUninterruptibly();
    children.close().syncUninterruptibly();
  }

  int port() {
    return port;
  }

  /** Connections that completed the TLS handshake. */
  int handshakes() {
    return handshakes.get();
  }

  /** TLS close_notify alerts received from devices. */
  int closeNotifies() {
    return closeNotifies.get();
  }

  boolean deviceConnected() {
    Channel current = device;
    return current != null && current.isActive();
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<Received> received(int connection) {
    List<Received> onConnection = new ArrayList<>();
    for (Received r : received) {
      if (r.connection() == connection) {
        onConnection.add(r);
      }
    }
    return onConnection;
  }

  <T extends Message> List<T> messages(Class<T> type) {
    return received.stream()
        .map(Received::message)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** Sends a gateway request to the latest device connection; returns its message id. */
  long send(Message message) {
    long id = lastId.incrementAndGet();
    device.writeAndFlush(Envelope.of(id, message)).syncUninterruptibly();
    return id;
  }

  /** Writes bytes inside the TLS stream, bypassing the frame encoder. */
  void sendRaw(byte[] bytes) {
    device.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
  }

  @Override
  public void close() {
    children.close().syncUninterruptibly();
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Recorder extends ChannelInboundHandlerAdapter {
    private int connection;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
        connection = handshakes.incrementAndGet();
        device = ctx.channel();
      } else if (evt instanceof SslCloseCompletionEvent close && close.isSuccess()) {
        closeNotifies.incrementAndGet();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Envelope envelope = (Envelope) msg;
      received.add(new Received(connection, envelope, System.nanoTime()));
      if (envelope.message() instanceof Message.Heartbeat) {
        ctx.writeAndFlush(
            Envelope.of(
                envelope.messageId(), new Message.HeartbeatAck(System.currentTimeMillis())));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

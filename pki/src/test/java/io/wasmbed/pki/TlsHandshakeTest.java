package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes over loopback between a Netty echo server and client. */
class TlsHandshakeTest {
  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir static Path dir;

  private static EventLoopGroup group;
  private static Pki pki;
  private static Credentials gateway;

  @BeforeAll
  static void setUp() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    pki = Pki.loadOrCreate(dir.resolve("pki"), CLOCK);
    gateway = pki.gatewayCredentials("gw-1", List.of("localhost", "127.0.0.1"));
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void acceptsEd25519DeviceCertificate() throws Exception {
    Outcome outcome =
        handshake(trust(CLOCK), clientContext(device("dev-ed", KeyAlgorithm.ED25519)));

    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.echo()).isEqualTo("hello");
    assertThat(outcome.session().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(TlsContexts.CIPHERS).contains(outcome.session().getCipherSuite());
    var peer = (X509Certificate) outcome.serverSession().getPeerCertificates()[0];
    assertThat(peer.getSubjectX500Principal().getName()).isEqualTo("CN=dev-ed");
    var server = (X509Certificate) outcome.session().getPeerCertificates()[0];
    assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=gw-1");
    assertThat(peer.getPublicKey().getAlgorithm()).isIn("EdDSA", "Ed25519");
  }

  @Test
  void acceptsEcdsaDeviceCertificate() throws Exception {
    Outcome outcome =
        handshake(trust(CLOCK), clientContext(device("dev-ec", KeyAlgorithm.ECDSA_P256)));

    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.echo()).isEqualTo("hello");
    var peer = (X509Certificate) outcome.serverSession().getPeerCertificates()[0];
    assertThat(peer.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void refusesClientWithoutCertificate() throws Exception {
    SslContext noCertificate =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols(TlsContexts.TLS_1_3)
            .trustManager(pki.gatewayCa().certificate())
            .endpointIdentificationAlgorithm(null)
            .build();

    Outcome outcome = handshake(trust(CLOCK), noCertificate);

    assertThat(outcome.serverError()).isNotNull();
    assertThat(outcome.echo()).isNull();
  }

  @Test
  void refusesCertificateFromAnotherCaWithTheSameName() throws Exception {
    var impostor =
        CertificateAuthority.loadOrCreate(
            dir.resolve("impostor"), Pki.DEVICE_CA, KeyAlgorithm.ED25519, CLOCK);
    KeyPair key = Keys.generate();
    X509Certificate cert = impostor.issueDeviceCertificate(Csrs.create(key, "evil"), "evil");

    Outcome outcome =
        handshake(trust(CLOCK), clientContext(new Credentials(key.getPrivate(), List.of(cert))));

    assertRefused(outcome, "signature does not verify");
  }

  @Test
  void refusesExpiredCertificate() throws Exception {
    Clock later = Clock.offset(CLOCK, Duration.ofDays(366));

    Outcome outcome =
        handshake(trust(later), clientContext(device("dev-old", KeyAlgorithm.ED25519)));

    assertRefused(outcome, "expired at");
  }

  @Test
  void refusesNotYetValidCertificate() throws Exception {
    Clock earlier = Clock.offset(CLOCK, Duration.ofHours(-1));

    Outcome outcome =
        handshake(trust(earlier), clientContext(device("dev-new", KeyAlgorithm.ED25519)));

    assertRefused(outcome, "not valid before");
  }

  @Test
  void refusesCertificateWithoutClientAuth() throws Exception {
    KeyPair key = Keys.generate();
    X509Certificate serverOnly =
        pki.deviceCa().issueServerCertificate(key.getPublic(), "dev-srv", List.of("dev-srv"));

    Outcome outcome =
        handshake(
            trust(CLOCK), clientContext(new Credentials(key.getPrivate(), List.of(serverOnly))));

    assertRefused(outcome, "lacks clientAuth");
  }

  @Test
  void refusesRevokedCertificate() throws Exception {
    Credentials device = device("dev-revoked", KeyAlgorithm.ED25519);
    pki.deviceCa().revoke(device.certificate().getSerialNumber());

    Outcome outcome = handshake(trust(CLOCK), clientContext(device));

    assertRefused(outcome, "revoked");
  }

  @Test
  void refusesTls12OnlyClient() throws Exception {
    Credentials device = device("dev-tls12", KeyAlgorithm.ECDSA_P256);
    SslContext tls12 =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.2")
            .keyManager(device.key(), device.chain())
            .trustManager(pki.gatewayCa().certificate())
            .endpointIdentificationAlgorithm(null)
            .build();

    Outcome outcome = handshake(trust(CLOCK), tls12);

    assertThat(outcome.serverError()).isNotNull();
    assertThat(outcome.clientError()).isNotNull();
    assertThat(outcome.echo()).isNull();
  }

  @Test
  void clientRefusesServerNotIssuedByGatewayCa() throws Exception {
    var otherGatewayCa =
        CertificateAuthority.loadOrCreate(
            dir.resolve("other-gw"), Pki.GATEWAY_CA, KeyAlgorithm.ECDSA_P256, CLOCK);
    KeyPair key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    var rogue =
        new Credentials(
            key.getPrivate(),
            List.of(otherGatewayCa.issueServerCertificate(key.getPublic(), "gw", List.of())));

    Outcome outcome =
        handshake(
            TlsContexts.server(rogue, trust(CLOCK)),
            clientContext(device("dev-x", KeyAlgorithm.ED25519)));

    assertThat(outcome.clientError()).isNotNull();
    assertThat(outcome.echo()).isNull();
  }

  private static void assertRefused(Outcome outcome, String reason) {
    assertThat(outcome.echo()).isNull();
    assertThat(outcome.serverError()).isNotNull();
    assertThat(rootCauses(outcome.serverError())).contains(reason);
  }

  private static String rootCauses(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      text.append(t).append(" | ");
    }
    return text.toString();
  }

  private static X509TrustManager trust(Clock clock) {
    return DeviceCertificateValidator.of(pki.deviceCa(), clock);
  }

  private static Credentials device(String name, KeyAlgorithm algorithm) {
    KeyPair key = Keys.generate(algorithm);
    X509Certificate cert = pki.deviceCa().issueDeviceCertificate(Csrs.create(key, name), name);
    return new Credentials(key.getPrivate(), List.of(cert));
  }

  private static SslContext clientContext(Credentials device) {
    return TlsContexts.client(device, pki.gatewayCa().certificate(), true);
  }

  private static Outcome handshake(X509TrustManager trust, SslContext client) throws Exception {
    return handshake(TlsContexts.server(gateway, trust), client);
  }

  record Outcome(
      Throwable serverError,
      Throwable clientError,
      String echo,
      SSLSession session,
      SSLSession serverSession) {}

  private static Outcome handshake(SslContext server, SslContext client) throws Exception {
    var serverHandshakes = new LinkedBlockingQueue<SslHandler>();
    Channel serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    SslHandler ssl = server.newHandler(ch.alloc());
                    serverHandshakes.add(ssl);
                    ch.pipeline().addLast(ssl, new Echo());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    CompletableFuture<String> echo = new CompletableFuture<>();
    // Kept from initChannel: a refused connection may already be closed, its pipeline emptied,
    // by the time connect() returns.
    var clientHandshakes = new LinkedBlockingQueue<SslHandler>();
    try {
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      SslHandler ssl = client.newHandler(ch.alloc(), "localhost", port);
                      clientHandshakes.add(ssl);
                      ch.pipeline().addLast(ssl, new Reply(echo));
                    }
                  })
              .connect("127.0.0.1", port)
              .sync()
              .channel();
      SslHandler clientSsl = clientHandshakes.poll(5, TimeUnit.SECONDS);
      Throwable clientError = await(completion(clientSsl));
      if (clientError == null) {
        channel.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
      }
      String reply = null;
      try {
        reply = echo.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Refused connections are closed without a reply.
      }
      SslHandler serverSsl = serverHandshakes.poll(5, TimeUnit.SECONDS);
      assertThat(serverSsl).as("server accepted the connection").isNotNull();
      Throwable serverError = await(completion(serverSsl));
      channel.close().sync();
      SSLSession session = clientError == null ? clientSsl.engine().getSession() : null;
      SSLSession serverSession = serverError == null ? serverSsl.engine().getSession() : null;
      return new Outcome(serverError, clientError, reply, session, serverSession);
    } finally {
      serverChannel.close().sync();
    }
  }

  private static CompletableFuture<Void> completion(SslHandler ssl) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ssl.handshakeFuture()
        .addListener(
            f -> {
              if (f.isSuccess()) {
                done.complete(null);
              } else {
                done.completeExceptionally(f.cause());
              }
            });
    return done;
  }

  private static Throwable await(CompletableFuture<Void> future) throws Exception {
    assertThat(future).as("handshake started").isNotNull();
    try {
      future.get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class Reply extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<String> echo;

    Reply(CompletableFuture<String> echo) {
      this.echo = echo;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      echo.complete(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      echo.completeExceptionally(new IllegalStateException("closed"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      echo.completeExceptionally(cause);
      ctx.close();
    }
  }
}

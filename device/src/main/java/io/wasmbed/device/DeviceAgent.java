package io.wasmbed.device;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wasmbed.device.internal.Backoff;
import io.wasmbed.device.internal.CommandHandler;
import io.wasmbed.device.internal.ConnectionErrorHandler;
import io.wasmbed.device.internal.DeviceApps;
import io.wasmbed.device.internal.DeviceMdc;
import io.wasmbed.device.internal.HeartbeatHandler;
import io.wasmbed.device.internal.MdcHandler;
import io.wasmbed.device.internal.SerialExecutor;
import io.wasmbed.device.internal.Session;
import io.wasmbed.device.internal.SessionEvents;
import io.wasmbed.device.internal.SessionHandler;
import io.wasmbed.pki.TlsContexts;
import io.wasmbed.protocol.Frames;
import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.ProtocolErrorHandler;
import io.wasmbed.sandbox.Sandbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference device agent: holds one mutual-TLS connection to a gateway, speaks the device side
 * of the conversation and runs what the gateway deploys in the device's {@link Sandbox}.
 *
 * <pre>
 * connect, TLS 1.3 handshake ─ DeviceInfo, Heartbeat ─ ◀ HeartbeatAck ─ Connected
 *   ├─ Heartbeat every interval       ◀ HeartbeatAck
 *   ├─ ◀ Deploy  → DeployAck           (worker thread)
 *   ├─ ◀ Stop    → StopAck             (worker thread)
 *   └─ AppOutput / AppStatus           (sandbox threads)
 * any disconnect or failed connect ─ wait (exponential backoff with jitter) ─ connect again
 * </pre>
 *
 * <p>Apps keep running across reconnects; the next DeviceInfo lists them with their digests. A
 * malformed frame or a ProtocolError from the gateway ends the connection, never the agent.
 *
 * <p>DeviceInfo reports the JVM's free heap as {@code freeMemory}: this reference agent runs in a
 * JVM, not on a microcontroller.
 *
 * <p>{@link #start()} returns at once; {@link #awaitConnected(Duration)} waits for the session.
 * {@link #close()} stops reconnecting and closes the connection with a TLS close_notify. The agent
 * does not stop or close the Sandbox: it belongs to the caller.
 */
public final class DeviceAgent implements AutoCloseable {

  /** Where the agent is in its connection life cycle. */
  public enum State {
    /** Created, {@link #start()} not called yet. */
    NEW,
    /**
     * Opening TCP, doing the TLS handshake, or waiting for the gateway's first answer. In TLS 1.3
     * the client finishes its handshake before the server has checked the client certificate, so a
     * finished handshake alone does not prove the gateway accepted the device.
     */
    CONNECTING,
    /** The gateway answered on this connection (normally the ack of the first heartbeat). */
    CONNECTED,
    /** Disconnected, waiting out the backoff before the next attempt. */
    WAITING,
    /** Test hook {@link #simulateHang()} is active: connected but silent. */
    HUNG,
    /** {@link #close()} was called. */
    CLOSED
  }

  /** Reported as {@code firmware} in DeviceInfo. */
  public static final String FIRMWARE = "wasmbed-agent/0.1.0";

  public static final String TLS_HANDLER = "tls";

  private static final Logger log = LoggerFactory.getLogger(DeviceAgent.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final AgentConfig config;
  private final String deviceName;
  private final String target;
  private final Clock clock;
  private final List<String> capabilities;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final EventLoop loop;
  private final ThreadPoolExecutor ownedExecutor;
  private final DeviceApps apps;
  private final SslContext sslContext;
  private final Bootstrap bootstrap;
  private final Backoff backoff;

  private final Object monitor = new Object();
  private State state = State.NEW; // guarded by monitor

  private volatile Channel channel;
  private volatile Session session;
  private volatile boolean closing;
  private volatile Duration lastHandshake;
  private volatile Instant connectedSince;
  private volatile String lastFailure = "";
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicLong droppedReports = new AtomicLong();
  private ScheduledFuture<?> reconnect; // event loop only
  private long connectStartedNanos; // event loop only

  /** An agent with its own one-thread event loop and the system clock. */
  public DeviceAgent(AgentConfig config, DeviceIdentity identity, Sandbox sandbox) {
    this(builder(config, identity, sandbox));
  }

  /**
   * An agent on a shared event loop group (not shut down by {@link #close()}), for running many
   * simulated devices in one JVM. The group must be able to run NIO channels.
   */
  public DeviceAgent(
      AgentConfig config,
      DeviceIdentity identity,
      Sandbox sandbox,
      EventLoopGroup sharedGroup,
      Clock clock) {
    this(builder(config, identity, sandbox).eventLoopGroup(sharedGroup).clock(clock));
  }

  private DeviceAgent(Builder builder) {
    this.config = builder.config;
    this.deviceName = builder.identity.deviceName();
    this.target = config.gatewayHost() + ":" + config.gatewayPort();
    this.clock = builder.clock;
    this.capabilities = builder.capabilities;
    this.sslContext =
        TlsContexts.client(builder.identity.credentials(), builder.identity.gatewayCa());
    this.ownsGroup = builder.group == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("wasmbed-agent", true), NioIoHandler.newFactory())
            : builder.group;
    this.loop = group.next();
    Executor workers = builder.executor;
    this.ownedExecutor = workers == null ? newWorker(deviceName) : null;
    SerialExecutor serial = new SerialExecutor(workers == null ? ownedExecutor : workers);
    Executor work = task -> serial.execute(DeviceMdc.wrap(deviceName, task));
    this.apps = new DeviceApps(deviceName, builder.sandbox, clock, this::report);
    this.backoff =
        new Backoff(config.reconnectMin(), config.reconnectMax(), new SplittableRandom());
    this.bootstrap = newBootstrap(work);
  }

  /** Starts options for an agent; {@link Builder#build()} creates it. */
  public static Builder builder(AgentConfig config, DeviceIdentity identity, Sandbox sandbox) {
    return new Builder(config, identity, sandbox);
  }

  /** Begins connecting and returns at once. May be called once. */
  public DeviceAgent start() {
    synchronized (monitor) {
      if (state != State.NEW) {
        throw new IllegalStateException("state: " + state + " (expected: NEW)");
      }
      state = State.CONNECTING;
    }
    log.info("Device {} agent starting; gateway {}", deviceName, target);
    loop.execute(DeviceMdc.wrap(deviceName, this::connect));
    return this;
  }

  /** Waits until the agent is connected; false if it was not within {@code timeout}. */
  public boolean awaitConnected(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      while (state != State.CONNECTED) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || state == State.CLOSED) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  public State state() {
    synchronized (monitor) {
      return state;
    }
  }

  /** True while a session is established (and not hung). */
  public boolean connected() {
    return state() == State.CONNECTED;
  }

  public String deviceName() {
    return deviceName;
  }

  public AgentConfig config() {
    return config;
  }

  /** Sessions the gateway confirmed since start; grows by one on every successful reconnect. */
  public int sessions() {
    return sessions.get();
  }

  /** TCP connect plus TLS handshake time of the latest session, if there was one. */
  public Optional<Duration> lastHandshake() {
    return Optional.ofNullable(lastHandshake);
  }

  /** When the current or latest session was established (by the agent's clock). */
  public Optional<Instant> connectedSince() {
    return Optional.ofNullable(connectedSince);
  }

  /** Apps running now, with their digests, as the next DeviceInfo would report them. */
  public Map<String, String> runningApps() {
    return apps.running();
  }

  /** App output and status messages dropped because there was no session or it was congested. */
  public long droppedReports() {
    return droppedReports.get();
  }

  /**
   * Test hook: the device goes silent while its TCP and TLS connection stays open, as a device
   * whose firmware froze would. Heartbeats stop, nothing more is read (auto-read off, so the
   * socket's receive buffer fills up) and nothing is written: no acks, no app output. Apps keep
   * running in the sandbox. A gateway observes a peer that neither talks nor closes, which is what
   * its heartbeat timeout (the Unreachable phase) is for. The hang lasts until {@link #endHang()}
   * or {@link #close()}.
   *
   * @throws IllegalStateException if the agent is not connected
   */
  public void simulateHang() {
    Session current = session;
    if (current == null || state() != State.CONNECTED) {
      throw new IllegalStateException("state: " + state() + " (expected: CONNECTED)");
    }
    onLoop(
        () -> {
          current.markHung();
          Channel hung = current.channel();
          hung.config().setAutoRead(false);
          HeartbeatHandler heartbeat = hung.pipeline().get(HeartbeatHandler.class);
          if (heartbeat != null) {
            heartbeat.stop();
          }
          setState(State.HUNG);
          log.info("Device {} simulating a hang: connection open, silent", deviceName);
          return null;
        });
  }

  /**
   * Ends {@link #simulateHang()}: the frozen connection is dropped, as a watchdog reset would, and
   * the agent reconnects with backoff. Does nothing if the agent is not hung.
   */
  public void endHang() {
    Session current = session;
    if (current != null && current.hung()) {
      log.info("Device {} ending simulated hang; dropping the connection", deviceName);
      current.channel().close();
    }
  }

  /** Stops reconnecting and closes the connection with a TLS close_notify. Idempotent. */
  @Override
  public void close() {
    synchronized (monitor) {
      if (state == State.CLOSED) {
        return;
      }
    }
    closing = true;
    Channel current = cancelReconnect();
    if (current != null && current.isOpen()) {
      // SslHandler sends close_notify before the channel closes.
      var closed = current.close();
      if (!current.eventLoop().inEventLoop()) {
        closed.awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
      }
    }
    setState(State.CLOSED);
    if (ownsGroup) {
      group.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    log.info("Device {} agent closed", deviceName);
  }

  private Channel cancelReconnect() {
    try {
      return onLoop(
          () -> {
            if (reconnect != null) {
              reconnect.cancel(false);
            }
            return channel;
          });
    } catch (RejectedExecutionException e) {
      return channel;
    }
  }

  private void connect() {
    if (closing) {
      return;
    }
    setState(State.CONNECTING);
    connectStartedNanos = System.nanoTime();
    lastFailure = "the connection closed before the TLS handshake completed";
    ChannelFuture connecting = bootstrap.connect();
    Channel opened = connecting.channel();
    channel = opened;
    opened.closeFuture().addListener(done -> onClosed(opened, connecting));
    connecting.addListener(
        done -> {
          if (!done.isSuccess()) {
            DeviceMdc.run(
                deviceName,
                () -> {
                  lastFailure = rootCause(done.cause());
                  log.debug("Connecting to gateway {} failed: {}", target, lastFailure);
                });
            opened.close();
          }
        });
  }

  private void onClosed(Channel closed, ChannelFuture connecting) {
    DeviceMdc.run(
        deviceName,
        () -> {
          if (connecting.isDone() && connecting.cause() != null) {
            lastFailure = rootCause(connecting.cause());
          }
          Session ended = Session.of(closed);
          boolean wasConnected = ended != null && ended.heard();
          if (session == ended) {
            session = null;
          }
          if (closing) {
            if (wasConnected) {
              log.info(
                  "Device {} disconnected from gateway {} (agent closing)", deviceName, target);
            }
            return;
          }
          Duration delay = backoff.next();
          if (wasConnected) {
            log.info(
                "Device {} disconnected from gateway {}; reconnecting in {} ms",
                deviceName,
                target,
                delay.toMillis());
          } else {
            if (ended != null && ended.established()) {
              lastFailure =
                  "the gateway closed the connection after the TLS handshake (certificate not"
                      + " accepted, or device not registered or revoked?)";
            }
            logUnreachable(backoff.attempts(), delay);
          }
          setState(State.WAITING);
          reconnect =
              loop.schedule(
                  DeviceMdc.wrap(deviceName, this::connect),
                  delay.toMillis(),
                  TimeUnit.MILLISECONDS);
        });
  }

  /**
   * Failed attempts are DEBUG, except the 1st, 2nd, 4th, 8th...: an operator watching the agent
   * learns why it cannot connect without a line every backoff period.
   */
  private void logUnreachable(int attempts, Duration delay) {
    if (Integer.bitCount(attempts) == 1) {
      log.warn(
          "Device {} cannot reach gateway {}: {}; attempt {} failed, retrying in {} ms",
          deviceName,
          target,
          lastFailure,
          attempts,
          delay.toMillis());
    } else {
      log.debug(
          "No session with gateway {}: {}; attempt {} in {} ms",
          target,
          lastFailure,
          attempts + 1,
          delay.toMillis());
    }
  }

  private final SessionEvents events =
      new SessionEvents() {
        @Override
        public void established(Session established) {
          lastHandshake = Duration.ofNanos(System.nanoTime() - connectStartedNanos);
          established.send(
              new Message.DeviceInfo(
                  config.deviceType(),
                  FIRMWARE,
                  capabilities,
                  Runtime.getRuntime().freeMemory(),
                  apps.running()));
          // The first heartbeat goes out at once: its ack confirms the session (see gatewayHeard).
          established.send(new Message.Heartbeat());
          established.markEstablished();
          session = established;
          log.debug(
              "TLS handshake with {} done in {} ms ({}); waiting for the gateway",
              target,
              lastHandshake.toMillis(),
              tlsDescription(established.channel()));
          if (closing) {
            established.channel().close();
          }
        }

        @Override
        public void gatewayHeard(Session heard) {
          backoff.reset();
          connectedSince = clock.instant();
          sessions.incrementAndGet();
          setState(State.CONNECTED);
          log.info(
              "Device {} connected to gateway {} in {} ms (TLS handshake {} ms, {})",
              deviceName,
              target,
              Duration.ofNanos(System.nanoTime() - connectStartedNanos).toMillis(),
              lastHandshake.toMillis(),
              tlsDescription(heard.channel()));
        }
      };

  /** Uplink for app output and status; never blocks the sandbox thread that calls it. */
  private void report(Message message) {
    Session current = session;
    boolean sent =
        current != null
            && (message instanceof Message.AppOutput
                ? current.offer(message)
                : current.send(message) >= 0);
    if (!sent) {
      long dropped = droppedReports.incrementAndGet();
      if (Long.bitCount(dropped) != 1) {
        return; // logs the 1st, 2nd, 4th, 8th... drop: a long outage must not flood the log
      }
      DeviceMdc.run(
          deviceName,
          () -> {
            log.debug(
                "{} dropped: no session or congested (dropped so far: {})",
                message.getClass().getSimpleName(),
                dropped);
          });
    }
  }

  private Bootstrap newBootstrap(Executor work) {
    return new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
        .option(ChannelOption.TCP_NODELAY, true)
        .remoteAddress(config.gatewayHost(), config.gatewayPort())
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                Session.attach(ch);
                ChannelPipeline pipeline = ch.pipeline();
                pipeline.addLast(MdcHandler.NAME, new MdcHandler(deviceName));
                pipeline.addLast(
                    TLS_HANDLER,
                    sslContext.newHandler(ch.alloc(), config.gatewayHost(), config.gatewayPort()));
                Frames.addCodec(pipeline, config.maxFrameBytes());
                pipeline.addLast(SessionHandler.NAME, new SessionHandler(events));
                pipeline.addLast(
                    HeartbeatHandler.NAME, new HeartbeatHandler(config.heartbeatInterval()));
                pipeline.addLast(CommandHandler.NAME, new CommandHandler(apps, work));
                pipeline.addLast(Frames.ERROR_HANDLER, ProtocolErrorHandler.INSTANCE);
                pipeline.addLast(ConnectionErrorHandler.NAME, new ConnectionErrorHandler());
              }
            });
  }

  private void setState(State next) {
    synchronized (monitor) {
      if (state == State.CLOSED) {
        return;
      }
      state = next;
      monitor.notifyAll();
    }
  }

  private <T> T onLoop(Callable<T> task) {
    if (loop.inEventLoop()) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return loop.submit(task).syncUninterruptibly().getNow();
  }

  private static String tlsDescription(Channel channel) {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls == null) {
      return "no TLS";
    }
    var tlsSession = tls.engine().getSession();
    return tlsSession.getProtocol() + " " + tlsSession.getCipherSuite();
  }

  private static String rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.toString();
  }

  private static ThreadPoolExecutor newWorker(String deviceName) {
    return new ThreadPoolExecutor(
        0,
        1,
        30,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        new DefaultThreadFactory("wasmbed-agent-" + deviceName, true));
  }

  /** Options for a {@link DeviceAgent}. */
  public static final class Builder {
    private final AgentConfig config;
    private final DeviceIdentity identity;
    private final Sandbox sandbox;
    private EventLoopGroup group;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private List<String> capabilities = List.of("wasm");

    private Builder(AgentConfig config, DeviceIdentity identity, Sandbox sandbox) {
      this.config = Objects.requireNonNull(config, "config");
      this.identity = Objects.requireNonNull(identity, "identity");
      this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
      if (!identity.isEnrolled()) {
        throw new IllegalArgumentException(
            "identity: device in "
                + identity.dataDir()
                + " is not enrolled (expected: enrolled before the agent connects)");
      }
    }

    /** A shared event loop group; the agent does not shut it down. */
    public Builder eventLoopGroup(EventLoopGroup shared) {
      this.group = Objects.requireNonNull(shared, "eventLoopGroup");
      return this;
    }

    /**
     * Threads for starting and stopping apps (sandbox.start may take a while); the agent still runs
     * its own tasks one at a time. Default: one worker thread per agent, idle ones exit.
     */
    public Builder executor(Executor shared) {
      this.executor = Objects.requireNonNull(shared, "executor");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** What DeviceInfo reports as capabilities; default {@code [wasm]}. */
    public Builder capabilities(List<String> capabilities) {
      this.capabilities = List.copyOf(capabilities);
      return this;
    }

    public DeviceAgent build() {
      return new DeviceAgent(this);
    }
  }
}

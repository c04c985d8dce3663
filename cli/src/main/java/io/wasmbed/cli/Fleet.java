package io.wasmbed.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wasmbed.controlplane.devices.DeviceRegistry;
import io.wasmbed.controlplane.devices.Enrollment;
import io.wasmbed.device.AgentConfig;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.device.SimulatedSensors;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.sandbox.Sandbox;
import io.wasmbed.sandbox.SandboxRuntime;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ResourceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Simulated devices running in this process, each a real {@link DeviceAgent} with its own key,
 * certificate, TLS connection and sandbox; they share one event loop and one sandbox runtime so a
 * hundred of them stay light.
 */
final class Fleet implements AutoCloseable {

  private final EventLoopGroup eventLoop;
  private final SandboxRuntime runtime;
  private final List<DeviceAgent> agents = new ArrayList<>();

  /**
   * @param meters where the sandboxes count refusals and app failures
   */
  Fleet(MeterRegistry meters) {
    this.eventLoop =
        new MultiThreadIoEventLoopGroup(
            Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
    this.runtime = new SandboxRuntime(SandboxRuntime.Settings.DEFAULTS, meters);
  }

  /** Device names {@code prefix-01 ...}, wide enough to sort as numbers. */
  static List<String> names(String prefix, int count) {
    int width = Math.max(2, String.valueOf(count).length());
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add(prefix + "-" + String.format("%0" + width + "d", i));
    }
    return names;
  }

  /**
   * Gives the device its key (kept in {@code dataDir}) and, unless it already has one, a
   * registration and a certificate from the control plane.
   */
  static DeviceIdentity enroll(
      DeviceRegistry registry,
      ResourceStore store,
      Path dataDir,
      String name,
      Map<String, String> labels) {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dataDir, KeyAlgorithm.ED25519);
    boolean registered = store.get(Kind.DEVICE, name).isPresent();
    if (!identity.isEnrolled() || !registered) {
      Enrollment enrollment = registry.register(name, identity.csr(name), labels, "simulated");
      identity.install(name, enrollment.chain(), enrollment.gatewayCa());
    }
    return identity;
  }

  /** Starts an agent for an enrolled identity against {@code host:port}. */
  DeviceAgent start(
      DeviceIdentity identity, String host, int port, Duration heartbeat, Clock clock) {
    AgentConfig config = AgentConfig.of(host, port).withHeartbeatInterval(heartbeat);
    Sandbox sandbox = new Sandbox(new SimulatedSensors(identity.deviceName(), clock), runtime);
    DeviceAgent agent =
        DeviceAgent.builder(config, identity, sandbox)
            .eventLoopGroup(eventLoop)
            .clock(clock)
            .build();
    synchronized (agents) {
      agents.add(agent);
    }
    return agent.start();
  }

  List<DeviceAgent> agents() {
    synchronized (agents) {
      return List.copyOf(agents);
    }
  }

  @Override
  public void close() {
    agents().forEach(DeviceAgent::close);
    eventLoop.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    runtime.close();
  }
}

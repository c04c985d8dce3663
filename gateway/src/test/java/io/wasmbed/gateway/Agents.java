package io.wasmbed.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wasmbed.device.AgentConfig;
import io.wasmbed.device.DeviceAgent;
import io.wasmbed.device.DeviceIdentity;
import io.wasmbed.device.SimulatedSensors;
import io.wasmbed.pki.KeyAlgorithm;
import io.wasmbed.pki.PublicKeys;
import io.wasmbed.sandbox.Sandbox;
import io.wasmbed.sandbox.SandboxRuntime;
import io.wasmbed.store.Device;
import io.wasmbed.store.Kind;
import io.wasmbed.store.ObjectMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real device agents (real TLS, real sandbox) registered with a {@link GatewayFixture}. */
final class Agents implements AutoCloseable {
  private final GatewayFixture gw;
  private final Path dir;
  private final SandboxRuntime runtime = new SandboxRuntime();
  private final EventLoopGroup loops =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closeables = new ArrayList<>();

  Agents(GatewayFixture gw, Path dir) {
    this.gw = gw;
    this.dir = dir;
  }

  /** Registers device {@code name} and starts its agent. */
  DeviceAgent start(String name) {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir.resolve(name), KeyAlgorithm.ED25519);
    var leaf = gw.pki.deviceCa().issueDeviceCertificate(identity.csr(name), name);
    identity.install(
        name, List.of(leaf, gw.pki.deviceCa().certificate()), gw.pki.gatewayCa().certificate());
    gw.store.create(
        Kind.DEVICE,
        new Device(
            ObjectMeta.named(name),
            new Device.Spec(PublicKeys.encode(identity.publicKey()), "simulated", null, null),
            null));
    Sandbox sandbox = new Sandbox(new SimulatedSensors(name, gw.clock), runtime);
    AgentConfig config =
        AgentConfig.of("localhost", gw.server.port()).withHeartbeatInterval(Duration.ofMillis(250));
    DeviceAgent agent = new DeviceAgent(config, identity, sandbox, loops, gw.clock);
    closeables.add(sandbox);
    closeables.add(0, agent);
    return agent.start();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    runtime.close();
  }
}

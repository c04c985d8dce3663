package io.wasmbed.device.internal;

import io.wasmbed.protocol.Message;
import io.wasmbed.protocol.Message.AppPhase;
import io.wasmbed.protocol.Message.OutputKind;
import io.wasmbed.sandbox.AppListener;
import io.wasmbed.sandbox.AppSpec;
import io.wasmbed.sandbox.Sandbox;
import io.wasmbed.sandbox.SandboxException;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps this device runs, independent of any connection: they keep running while the agent
 * reconnects. Turns Deploy and Stop into sandbox calls and acks, and the sandbox's callbacks into
 * AppOutput and AppStatus messages for the uplink. Deploy and Stop are called one at a time (the
 * agent serialises them); callbacks come from sandbox threads.
 */
public final class DeviceApps {

  private static final Logger log = LoggerFactory.getLogger(DeviceApps.class);

  /** One started instance; the identity of the object tells instances of the same app apart. */
  private record Instance(String digest) {}

  private final String deviceName;
  private final Sandbox sandbox;
  private final Clock clock;
  private final Consumer<Message> uplink;
  private final Map<String, Instance> running = new ConcurrentHashMap<>();

  public DeviceApps(String deviceName, Sandbox sandbox, Clock clock, Consumer<Message> uplink) {
    this.deviceName = deviceName;
    this.sandbox = sandbox;
    this.clock = clock;
    this.uplink = uplink;
  }

  /** Apps that run now, by name, with their module digest; for DeviceInfo. */
  public Map<String, String> running() {
    Map<String, String> apps = new TreeMap<>();
    var alive = sandbox.apps();
    running.forEach(
        (app, instance) -> {
          if (alive.contains(app)) {
            apps.put(app, instance.digest());
          }
        });
    return apps;
  }

  /**
   * Checks the digest, then starts, keeps or replaces the app; never throws. Replacing is left to
   * the sandbox, which keeps the old instance running if the new module is refused.
   */
  public Message.DeployAck deploy(Message.Deploy deploy) {
    String app = deploy.app();
    String actual = Sandbox.digestOf(deploy.module());
    if (!actual.equals(deploy.digest())) {
      return refuseDigestMismatch(app, actual, deploy.digest());
    }
    Instance current = running.get(app);
    boolean alive = sandbox.apps().contains(app);
    if (current != null && current.digest().equals(actual) && alive) {
      log.info("App {} already runs digest {}; keeping it", app, actual);
      return new Message.DeployAck(app, true, "");
    }
    return start(deploy, actual, alive ? current : null);
  }

  private Message.DeployAck start(Message.Deploy deploy, String digest, Instance previous) {
    String app = deploy.app();
    Instance instance = new Instance(digest);
    AppSpec spec =
        new AppSpec(
            app, deploy.module(), digest, deploy.limits(), deploy.policy(), deploy.config());
    // Registered before start so that an app failing at once is still reported.
    running.put(app, instance);
    try {
      sandbox.start(spec, new Listener(instance));
    } catch (SandboxException e) {
      restore(app, instance, previous);
      log.info("App {} refused by the sandbox: {}", app, e.getMessage());
      return new Message.DeployAck(app, false, e.getMessage());
    } catch (RuntimeException e) {
      restore(app, instance, previous);
      log.warn("App {} could not start, sandbox failed: {}", app, e.toString());
      return new Message.DeployAck(app, false, "sandbox error: " + e);
    }
    if (previous != null) {
      log.info("App {} replaced: digest {} now runs instead of {}", app, digest, previous.digest());
    } else {
      log.info("App {} started with digest {}", app, digest);
    }
    return new Message.DeployAck(app, true, "");
  }

  /** After a refused start: the sandbox kept the previous instance, if there was one. */
  private void restore(String app, Instance failed, Instance previous) {
    if (previous != null) {
      running.replace(app, failed, previous);
    } else {
      running.remove(app, failed);
    }
  }

  private Message.DeployAck refuseDigestMismatch(String app, String actual, String expected) {
    String reason = "digest mismatch: got " + actual + " (expected: " + expected + ")";
    log.info("App {} refused: {}", app, reason);
    return new Message.DeployAck(app, false, reason);
  }

  /** Stops the app if it runs; acknowledged either way. */
  public Message.StopAck stop(Message.Stop stop) {
    String app = stop.app();
    running.remove(app);
    try {
      if (sandbox.stop(app)) {
        log.info("App {} stopped on request", app);
      } else {
        log.debug("Stop for app {} which was not running", app);
      }
    } catch (RuntimeException e) {
      log.warn("App {} did not stop cleanly: {}", app, e.toString());
      return new Message.StopAck(app, false, "sandbox error: " + e);
    }
    return new Message.StopAck(app, true, "");
  }

  private final class Listener implements AppListener {
    private final Instance instance;

    Listener(Instance instance) {
      this.instance = instance;
    }

    @Override
    public void output(String app, OutputKind kind, String text) {
      uplink.accept(new Message.AppOutput(app, kind, text, clock.millis()));
    }

    @Override
    public void ended(String app, boolean failed, String reason) {
      DeviceMdc.run(
          deviceName,
          () -> {
            if (!running.remove(app, instance)) {
              log.debug("App {} end ignored: instance was already replaced or stopped", app);
              return;
            }
            if (failed) {
              log.info("App {} failed: {}", app, reason);
            } else {
              log.info("App {} ended: {}", app, reason);
            }
            uplink.accept(
                new Message.AppStatus(app, failed ? AppPhase.FAILED : AppPhase.STOPPED, reason));
          });
    }
  }
}

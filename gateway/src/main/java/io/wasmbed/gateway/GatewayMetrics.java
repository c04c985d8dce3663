package io.wasmbed.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The gateway's meters. Names follow Micrometer's dotted style; Prometheus renders {@code
 * wasmbed.gateway.refusals} as {@code wasmbed_gateway_refusals_total}.
 */
final class GatewayMetrics {
  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;

  GatewayMetrics(MeterRegistry given) {
    if (given instanceof PrometheusMeterRegistry p) {
      this.prometheus = p;
      this.registry = p;
    } else {
      // Record into both: the caller's registry and one we can render for /metrics.
      this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      CompositeMeterRegistry composite = new CompositeMeterRegistry();
      composite.add(given);
      composite.add(prometheus);
      this.registry = composite;
    }
  }

  void connectedDevices(Supplier<Number> count) {
    Gauge.builder("wasmbed.gateway.connected.devices", count)
        .description("Devices with a live session on this gateway")
        .register(registry);
  }

  String scrape() {
    return prometheus.scrape();
  }

  void refused(Refusal reason) {
    Counter.builder("wasmbed.gateway.refusals")
        .description("Connections refused, by reason")
        .tag("reason", reason.label())
        .register(registry)
        .increment();
  }

  void identityConflict() {
    Counter.builder("wasmbed.gateway.identity.conflicts")
        .description("Devices whose sessions kept replacing each other (possible cloned identity)")
        .register(registry)
        .increment();
  }

  void sessionOpened() {
    registry.counter("wasmbed.gateway.sessions.opened").increment();
  }

  void sessionClosed(Session.CloseReason reason) {
    registry.counter("wasmbed.gateway.sessions.closed", "reason", reason.label()).increment();
  }

  void heartbeatTimeout() {
    registry.counter("wasmbed.gateway.heartbeat.timeouts").increment();
  }

  void frameIn(String type) {
    registry.counter("wasmbed.gateway.frames.in", "type", type).increment();
  }

  void frameOut(String type) {
    registry.counter("wasmbed.gateway.frames.out", "type", type).increment();
  }

  void protocolError() {
    registry.counter("wasmbed.gateway.protocol.errors").increment();
  }

  void deploy(String outcome) {
    registry.counter("wasmbed.gateway.deploys", "outcome", outcome).increment();
  }

  void watchRestarted(String kind) {
    registry.counter("wasmbed.gateway.watch.restarts", "kind", kind).increment();
  }

  void restartScheduled() {
    registry.counter("wasmbed.gateway.app.restarts").increment();
  }

  void handshake(Duration took) {
    Timer.builder("wasmbed.gateway.handshake")
        .description("TLS handshake duration, accepted and refused")
        .register(registry)
        .record(took);
  }

  double count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }
}

package io.wasmbed.gateway;

import io.javalin.Javalin;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /healthz}, {@code /readyz} and {@code /metrics} (Prometheus text) over plain HTTP. */
final class HttpEndpoints implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Javalin app;

  HttpEndpoints(
      String host,
      int port,
      BooleanSupplier listening,
      BooleanSupplier ready,
      Supplier<String> metrics) {
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = host;
              config.jetty.port = port;
              config.routes.get("/healthz", ctx -> answer(ctx, listening.getAsBoolean()));
              config.routes.get("/readyz", ctx -> answer(ctx, ready.getAsBoolean()));
              config.routes.get(
                  "/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.get()));
            });
  }

  void start() {
    app.start();
  }

  int port() {
    return app.port();
  }

  private static void answer(io.javalin.http.Context ctx, boolean ok) {
    ctx.status(ok ? 200 : 503).result(ok ? "ok\n" : "not ready\n");
  }

  @Override
  public void close() {
    app.stop();
  }
}

package io.wasmbed.controlplane.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.security.RouteRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.Sizes;
import io.wasmbed.controlplane.apps.AppLogs;
import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.controlplane.auth.ApiKey;
import io.wasmbed.controlplane.auth.ApiKeys;
import io.wasmbed.controlplane.auth.AuthenticationException;
import io.wasmbed.controlplane.auth.Permission;
import io.wasmbed.controlplane.auth.Permission.Action;
import io.wasmbed.controlplane.auth.Permission.Resource;
import io.wasmbed.controlplane.auth.RateLimits;
import io.wasmbed.controlplane.auth.Role;
import io.wasmbed.controlplane.devices.DeviceRegistry;
import io.wasmbed.store.Application;
import io.wasmbed.store.Device;
import io.wasmbed.store.Json;
import io.wasmbed.store.Kind;
import io.wasmbed.store.LabelSelector;
import io.wasmbed.store.ResourceStore;
import io.wasmbed.store.StoreException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's HTTP API (Javalin 7). Every route but {@code /healthz} needs an API key in
 * {@code Authorization: Bearer wb_...}; each route names the permission it needs, and a route
 * without one is refused (deny by default). Errors are {@code {"error": code, "message": text}}.
 *
 * <pre>
 * GET    /healthz                                   public
 * GET    /metrics                                   read metrics (Prometheus text)
 * GET    /api/v1/whoami                             any valid key
 * GET    /api/v1/devices[?selector=k=v,...]         read devices
 * POST   /api/v1/devices                            write devices    {name, csr, labels, deviceType}
 * GET    /api/v1/devices/{name}                     read devices
 * DELETE /api/v1/devices/{name}                     write devices    (revokes its certificate)
 * POST   /api/v1/devices/{name}/revoke              write devices
 * GET    /api/v1/applications[?selector=...]        read applications
 * POST   /api/v1/applications                       write applications
 *                                                   {name, module, targets, limits, policy, config, labels}
 * GET    /api/v1/applications/{name}                read applications
 * DELETE /api/v1/applications/{name}                write applications (202; controller finishes)
 * POST   /api/v1/applications/{name}/stop|start     write applications
 * GET    /api/v1/applications/{name}/output         read applications
 * GET    /api/v1/keys                               read keys (admin)
 * POST   /api/v1/keys                               write keys (admin) {name, role, validFor}
 * DELETE /api/v1/keys/{id}                          write keys (admin)
 * </pre>
 */
public final class ApiServer implements AutoCloseable {

  /**
   * @param host address to bind, loopback by default
   * @param port 0 for any free port
   * @param maxBodyBytes largest request body; above it requests get 413
   * @param rateBurst requests one key may make at once
   * @param ratePerSecond sustained requests per second per key
   * @param authFailureBurst failed authentications one client address may make at once; then its
   *     requests get 429 until its bucket refills
   * @param authFailuresPerSecond failed authentications per second a client address gets back
   */
  public record Config(
      String host,
      int port,
      long maxBodyBytes,
      long rateBurst,
      long ratePerSecond,
      long authFailureBurst,
      long authFailuresPerSecond) {

    /** Room for a 4 MiB module (the device limit) in base64, about 5.4 MiB, plus the rest. */
    public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;

    public static final long DEFAULT_AUTH_FAILURE_BURST = 20;
    public static final long DEFAULT_AUTH_FAILURES_PER_SECOND = 1;

    public static final Config DEFAULTS =
        new Config("127.0.0.1", 4480, DEFAULT_MAX_BODY_BYTES, 100, 50);

    /** A config with the default failed-authentication limits. */
    public Config(String host, int port, long maxBodyBytes, long rateBurst, long ratePerSecond) {
      this(
          host,
          port,
          maxBodyBytes,
          rateBurst,
          ratePerSecond,
          DEFAULT_AUTH_FAILURE_BURST,
          DEFAULT_AUTH_FAILURES_PER_SECOND);
    }

    public Config {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: > 0)");
      }
      if (rateBurst <= 0 || ratePerSecond <= 0) {
        throw new IllegalArgumentException(
            "rateBurst/ratePerSecond: " + rateBurst + "/" + ratePerSecond + " (expected: > 0)");
      }
      if (authFailureBurst <= 0 || authFailuresPerSecond <= 0) {
        throw new IllegalArgumentException(
            "authFailureBurst/authFailuresPerSecond: "
                + authFailureBurst
                + "/"
                + authFailuresPerSecond
                + " (expected: > 0)");
      }
    }

    public Config withPort(int newPort) {
      return new Config(
          host,
          newPort,
          maxBodyBytes,
          rateBurst,
          ratePerSecond,
          authFailureBurst,
          authFailuresPerSecond);
    }

    /** This config with other failed-authentication limits per client address. */
    public Config withAuthFailureLimits(long burst, long perSecond) {
      return new Config(host, port, maxBodyBytes, rateBurst, ratePerSecond, burst, perSecond);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final String KEY_ATTRIBUTE = "wasmbed.apiKey";
  private static final String ERROR_WRITTEN = "wasmbed.errorWritten";

  /** Route markers without a permission. */
  private enum Access implements RouteRole {
    PUBLIC,
    AUTHENTICATED
  }

  /** Route marker: the caller's role must grant this permission. */
  private record Requires(Permission permission) implements RouteRole {}

  private final Config config;
  private final ApiKeys keys;
  private final ResourceStore store;
  private final ApplicationService applications;
  private final DeviceRegistry devices;
  private final AppLogs logs;
  private final MeterRegistry meters;
  private final RateLimits rateLimits;

  /**
   * Failed authentications per client address. Only failures take tokens, so clients with a valid
   * key are never slowed; once a client's bucket is empty its requests are refused before their key
   * is checked, so guessing keys stays slow. A client sharing an address with a guesser (one NAT)
   * is refused with it until the bucket refills.
   */
  private final RateLimits authFailures;

  private Javalin app;

  public ApiServer(
      Config config,
      ApiKeys keys,
      ResourceStore store,
      ApplicationService applications,
      DeviceRegistry devices,
      AppLogs logs,
      MeterRegistry meters) {
    this.config = Objects.requireNonNull(config, "config");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.store = Objects.requireNonNull(store, "store");
    this.applications = Objects.requireNonNull(applications, "applications");
    this.devices = Objects.requireNonNull(devices, "devices");
    this.logs = logs == null ? AppLogs.NONE : logs;
    this.meters = Objects.requireNonNull(meters, "meters");
    this.rateLimits = new RateLimits(config.rateBurst(), config.ratePerSecond());
    this.authFailures = new RateLimits(config.authFailureBurst(), config.authFailuresPerSecond());
  }

  /** Binds and starts serving; returns once the port is open. */
  public synchronized ApiServer start() {
    if (app != null) {
      return this;
    }
    app = Javalin.create(this::configure).start();
    log.info("Control-plane API listening on http://{}:{}", config.host(), app.port());
    return this;
  }

  /** The bound port (the real one when the config asked for port 0). */
  public int port() {
    if (app == null) {
      throw new IllegalStateException("port: server not started (expected: start() first)");
    }
    return app.port();
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
      app = null;
      log.info("Control-plane API stopped");
    }
  }

  private void configure(JavalinConfig javalin) {
    javalin.startup.showJavalinBanner = false;
    javalin.startup.showOldJavalinVersionWarning = false;
    javalin.jetty.host = config.host();
    javalin.jetty.port = config.port();
    javalin.http.maxRequestSize = config.maxBodyBytes();
    javalin.jsonMapper(new JavalinJackson(Json.mapper(), false));

    var routes = javalin.routes;
    routes.beforeMatched(this::guard);
    routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")), Access.PUBLIC);
    routes.get("/metrics", this::metrics, requires(Resource.metrics, Action.read));
    routes.get("/api/v1/whoami", ctx -> ctx.json(Views.key(caller(ctx))), Access.AUTHENTICATED);

    routes.get("/api/v1/devices", this::listDevices, requires(Resource.devices, Action.read));
    routes.post("/api/v1/devices", this::registerDevice, requires(Resource.devices, Action.write));
    routes.get("/api/v1/devices/{name}", this::getDevice, requires(Resource.devices, Action.read));
    routes.delete(
        "/api/v1/devices/{name}", this::deleteDevice, requires(Resource.devices, Action.write));
    routes.post(
        "/api/v1/devices/{name}/revoke",
        this::revokeDevice,
        requires(Resource.devices, Action.write));

    Requires readApps = requires(Resource.applications, Action.read);
    Requires writeApps = requires(Resource.applications, Action.write);
    routes.get("/api/v1/applications", this::listApplications, readApps);
    routes.post("/api/v1/applications", this::deploy, writeApps);
    routes.get("/api/v1/applications/{name}", this::getApplication, readApps);
    routes.delete("/api/v1/applications/{name}", this::deleteApplication, writeApps);
    routes.post("/api/v1/applications/{name}/stop", this::stopApplication, writeApps);
    routes.post("/api/v1/applications/{name}/start", this::startApplication, writeApps);
    routes.get("/api/v1/applications/{name}/output", this::output, readApps);

    routes.get("/api/v1/keys", this::listKeys, requires(Resource.keys, Action.read));
    routes.post("/api/v1/keys", this::createKey, requires(Resource.keys, Action.write));
    routes.delete("/api/v1/keys/{id}", this::revokeKey, requires(Resource.keys, Action.write));

    routes.exception(HttpResponseException.class, (e, ctx) -> onHttpResponseException(e, ctx));
    routes.exception(Exception.class, this::onException);
    routes.error(404, ctx -> unmatched(ctx, 404, "not_found"));
    routes.error(405, ctx -> unmatched(ctx, 405, "method_not_allowed"));
  }

  private static Requires requires(Resource resource, Action action) {
    return new Requires(Permission.of(resource, action));
  }

  // ---- guard: authentication, rate limit, authorization ----

  private void guard(Context ctx) {
    Set<RouteRole> roles = ctx.routeRoles();
    if (roles.contains(Access.PUBLIC)) {
      return;
    }
    ApiKey key = authenticate(ctx);
    ctx.attribute(KEY_ATTRIBUTE, key);
    throttle(ctx, key);
    authorize(ctx, key, roles);
  }

  private ApiKey authenticate(Context ctx) {
    rejectClientWithTooManyFailures(ctx);
    try {
      return keys.verify(bearerToken(ctx));
    } catch (AuthenticationException e) {
      authFailures.acquire(ctx.ip());
      String message =
          switch (e.reason()) {
            case missing_key -> "missing API key (expected: Authorization: Bearer wb_...)";
            case expired_key -> "API key " + e.keyId() + " has expired";
            case revoked_key -> "API key " + e.keyId() + " has been revoked";
            default -> "invalid API key";
          };
      throw refuse(
          ctx,
          new ApiError(401, "unauthorized", message, Map.of("WWW-Authenticate", "Bearer")),
          e.reason().name(),
          e.keyId());
    }
  }

  /** Refuses, before its key is checked, a client whose failed authentications ran out. */
  private void rejectClientWithTooManyFailures(Context ctx) {
    Duration wait = authFailures.retryAfter(ctx.ip());
    if (wait.isZero()) {
      return;
    }
    long seconds = retryAfterSeconds(wait);
    throw refuse(
        ctx,
        new ApiError(
            429,
            "rate_limited",
            "too many failed authentications from "
                + ctx.ip()
                + "; retry in "
                + seconds
                + " s with a valid API key",
            Map.of("Retry-After", Long.toString(seconds))),
        "auth_rate_limited",
        "");
  }

  private static long retryAfterSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  private static String bearerToken(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null) {
      return null;
    }
    String trimmed = header.strip();
    if (trimmed.length() > 7 && trimmed.substring(0, 7).equalsIgnoreCase("bearer ")) {
      return trimmed.substring(7).strip();
    }
    return "";
  }

  private void throttle(Context ctx, ApiKey key) {
    Duration wait = rateLimits.acquire(key.id());
    if (wait.isZero()) {
      return;
    }
    long seconds = retryAfterSeconds(wait);
    throw refuse(
        ctx,
        new ApiError(
            429,
            "rate_limited",
            "too many requests for API key " + key.id() + "; retry in " + seconds + " s",
            Map.of("Retry-After", Long.toString(seconds))),
        "rate_limited",
        key.id());
  }

  private void authorize(Context ctx, ApiKey key, Set<RouteRole> roles) {
    if (roles.contains(Access.AUTHENTICATED)) {
      return;
    }
    Optional<Permission> needed =
        roles.stream()
            .filter(Requires.class::isInstance)
            .map(r -> ((Requires) r).permission())
            .findFirst();
    if (needed.isEmpty()) {
      throw refuse(
          ctx, new ApiError(403, "forbidden", "route grants no permission"), "forbidden", key.id());
    }
    if (!key.role().allows(needed.get())) {
      throw refuse(
          ctx,
          new ApiError(
              403,
              "forbidden",
              "role " + key.role() + " of API key " + key.id() + " may not " + needed.get()),
          "forbidden",
          key.id());
    }
  }

  /** Logs and counts a refusal, and returns the error to throw. */
  private ApiError refuse(Context ctx, ApiError error, String reason, String keyId) {
    log.info(
        "API request {} {} from {} refused ({}): key {}",
        ctx.method(),
        ctx.path(),
        ctx.ip(),
        reason,
        keyId.isEmpty() ? "-" : keyId);
    countRefusal(reason);
    return error;
  }

  private void countRefusal(String reason) {
    Counter.builder("wasmbed.api.refusals")
        .description("API requests refused, by reason")
        .tag("reason", reason)
        .register(meters)
        .increment();
  }

  private static String callerId(Context ctx) {
    ApiKey key = ctx.attribute(KEY_ATTRIBUTE);
    return key == null ? "" : key.id();
  }

  private static ApiKey caller(Context ctx) {
    ApiKey key = ctx.attribute(KEY_ATTRIBUTE);
    if (key == null) {
      throw new IllegalStateException("caller: no authenticated key on this request");
    }
    return key;
  }

  /** Reads a JSON body, checking media type and size first. */
  private <T> T body(Context ctx, Class<T> type) {
    String contentType = ctx.contentType();
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw refuse(
          ctx,
          new ApiError(
              415,
              "unsupported_media_type",
              "Content-Type: " + contentType + " (expected: application/json)"),
          "unsupported_media_type",
          caller(ctx).id());
    }
    long length = ctx.contentLength();
    if (length > config.maxBodyBytes()) {
      throw tooLarge(ctx, length);
    }
    return Bodies.read(ctx.bodyAsBytes(), type);
  }

  private ApiError tooLarge(Context ctx, long length) {
    long moduleLimit = applications.maxModuleBytes();
    return refuse(
        ctx,
        new ApiError(
            413,
            "payload_too_large",
            "request body: "
                + (length < 0 ? "over the limit" : Sizes.describe(length))
                + " (expected: at most "
                + Sizes.human(config.maxBodyBytes())
                + "; a module may be at most "
                + Sizes.human(moduleLimit)
                + ", about "
                + Sizes.human(base64Length(moduleLimit))
                + " as base64 in the JSON request)"),
        "body_too_large",
        callerId(ctx));
  }

  private static long base64Length(long bytes) {
    return (bytes + 2) / 3 * 4;
  }

  // ---- handlers ----

  private void metrics(Context ctx) {
    PrometheusMeterRegistry prometheus =
        prometheus(meters)
            .orElseThrow(
                () ->
                    new ApiError(
                        501, "not_supported", "metrics: no Prometheus registry is configured"));
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return Optional.of(prometheus);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      return composite.getRegistries().stream()
          .map(ApiServer::prometheus)
          .flatMap(Optional::stream)
          .findFirst();
    }
    return Optional.empty();
  }

  private void listDevices(Context ctx) {
    ctx.json(store.list(Kind.DEVICE, selector(ctx)));
  }

  private void getDevice(Context ctx) {
    String name = ctx.pathParam("name");
    ctx.json(store.get(Kind.DEVICE, name).orElseThrow(() -> missing(Kind.DEVICE, name)));
  }

  private void registerDevice(Context ctx) {
    Bodies.RegisterBody body = body(ctx, Bodies.RegisterBody.class);
    var enrollment =
        devices.register(body.name(), body.csrBytes(), body.checkedLabels(), body.deviceType());
    ctx.status(201).json(Views.enrollment(enrollment));
  }

  private void deleteDevice(Context ctx) {
    String name = ctx.pathParam("name");
    if (!devices.delete(name)) {
      throw missing(Kind.DEVICE, name);
    }
    ctx.json(Map.of("deleted", name));
  }

  private void revokeDevice(Context ctx) {
    Device device = devices.revoke(ctx.pathParam("name"));
    ctx.json(device);
  }

  private void listApplications(Context ctx) {
    ctx.json(Views.applications(store.list(Kind.APPLICATION, selector(ctx))));
  }

  private void getApplication(Context ctx) {
    ctx.json(Views.application(application(ctx.pathParam("name"))));
  }

  private void deploy(Context ctx) {
    Bodies.DeployBody body = body(ctx, Bodies.DeployBody.class);
    Application created = applications.deploy(body.toRequest());
    ctx.status(201).json(Views.application(created));
  }

  private void deleteApplication(Context ctx) {
    ctx.status(202).json(Views.application(applications.delete(ctx.pathParam("name"))));
  }

  private void stopApplication(Context ctx) {
    ctx.json(Views.application(applications.stop(ctx.pathParam("name"))));
  }

  private void startApplication(Context ctx) {
    ctx.json(Views.application(applications.start(ctx.pathParam("name"))));
  }

  private void output(Context ctx) {
    String name = application(ctx.pathParam("name")).name();
    ctx.json(logs.recent(name));
  }

  private void listKeys(Context ctx) {
    ctx.json(keys.list().stream().map(Views::key).toList());
  }

  private void createKey(Context ctx) {
    Bodies.KeyBody body = body(ctx, Bodies.KeyBody.class);
    if (body.role() == null) {
      throw ApiError.badRequest("role: missing (expected: admin, operator or viewer)");
    }
    ApiKeys.CreatedKey created = keys.create(body.name(), Role.parse(body.role()), body.validFor());
    ObjectNode node = Views.key(created.key());
    node.put("key", created.plaintext());
    ctx.status(201).json(node);
  }

  private void revokeKey(Context ctx) {
    String id = ctx.pathParam("id");
    boolean found;
    try {
      found = keys.revoke(id);
    } catch (ControlPlaneException.Conflict e) {
      throw refuse(ctx, new ApiError(409, "conflict", e.getMessage()), "last_admin_key", id);
    }
    if (!found) {
      throw ApiError.notFound("API key '" + id + "' not found");
    }
    ctx.json(Views.key(keys.get(id).orElseThrow()));
  }

  private Application application(String name) {
    return store.get(Kind.APPLICATION, name).orElseThrow(() -> missing(Kind.APPLICATION, name));
  }

  private static LabelSelector selector(Context ctx) {
    String selector = ctx.queryParam("selector");
    try {
      return LabelSelector.parse(selector);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("selector: " + e.getMessage());
    }
  }

  private static ApiError missing(Kind<?> kind, String name) {
    return ApiError.notFound(kind.kind() + " '" + name + "' not found");
  }

  // ---- errors ----

  private void onHttpResponseException(HttpResponseException e, Context ctx) {
    if (e.getStatus() == 413) {
      ApiError error = tooLarge(ctx, ctx.contentLength());
      writeError(ctx, error.status(), error.code(), error.getMessage());
      return;
    }
    writeError(ctx, e.getStatus(), code(e.getStatus()), e.getMessage());
  }

  private void onException(Exception e, Context ctx) {
    if (e instanceof ApiError error) {
      error.headers().forEach(ctx::header);
      writeError(ctx, error.status(), error.code(), error.getMessage());
    } else if (e instanceof ControlPlaneException.Invalid) {
      writeError(ctx, 400, "bad_request", e.getMessage());
    } else if (e instanceof ControlPlaneException.ModuleRefused refused) {
      refuse(ctx, new ApiError(400, "bad_request", e.getMessage()), refused.kind(), callerId(ctx));
      writeError(ctx, 400, "bad_request", e.getMessage());
    } else if (e instanceof ControlPlaneException.TooLarge) {
      refuse(
          ctx,
          new ApiError(413, "payload_too_large", e.getMessage()),
          "module_too_large",
          callerId(ctx));
      writeError(ctx, 413, "payload_too_large", e.getMessage());
    } else if (e instanceof ControlPlaneException.Conflict) {
      writeError(ctx, 409, "conflict", e.getMessage());
    } else if (e instanceof StoreException.NotFound) {
      writeError(ctx, 404, "not_found", e.getMessage());
    } else if (e instanceof StoreException.AlreadyExists) {
      writeError(ctx, 409, "already_exists", e.getMessage());
    } else if (e instanceof StoreException.Conflict) {
      writeError(ctx, 409, "conflict", e.getMessage() + "; retry the request");
    } else if (e instanceof StoreException.Invalid || e instanceof IllegalArgumentException) {
      writeError(ctx, 400, "bad_request", e.getMessage());
    } else {
      log.warn("API request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
      log.trace("API request failure", e);
      writeError(ctx, 500, "internal", "internal error; see the control-plane log");
    }
  }

  private static void unmatched(Context ctx, int status, String code) {
    if (ctx.attribute(ERROR_WRITTEN) == null) {
      writeError(ctx, status, code, "no route for " + ctx.method() + " " + ctx.path());
    }
  }

  private static void writeError(Context ctx, int status, String code, String message) {
    ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
    ctx.status(status).json(Views.error(code, message == null ? code : message));
  }

  private static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      case 429 -> "rate_limited";
      default -> status >= 500 ? "internal" : "error";
    };
  }
}

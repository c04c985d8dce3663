package io.wasmbed.controlplane;

import io.micrometer.core.instrument.MeterRegistry;
import io.wasmbed.controlplane.api.ApiServer;
import io.wasmbed.controlplane.apps.AppLogs;
import io.wasmbed.controlplane.apps.ApplicationService;
import io.wasmbed.controlplane.auth.ApiKey;
import io.wasmbed.controlplane.auth.ApiKeys;
import io.wasmbed.controlplane.auth.Role;
import io.wasmbed.controlplane.controller.ApplicationController;
import io.wasmbed.controlplane.devices.DeviceRegistry;
import io.wasmbed.pki.Pki;
import io.wasmbed.store.ResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in one object: API keys (in {@code api-keys.db}), the application controller,
 * the device registry, the application service and the HTTP API. The store, PKI, clock and meter
 * registry belong to the caller and are not closed here.
 *
 * <p>On first start (no usable admin key in the key file) it creates an admin key, writes it to
 * {@code admin.key} (rw-------) in the data directory and returns it once from {@link
 * #initialAdminKey()}. Later starts keep the existing key.
 */
public final class ControlPlane implements AutoCloseable {

  public static final String ADMIN_KEY_FILE = "admin.key";
  public static final String API_KEYS_FILE = "api-keys.db";

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final ApiKeys apiKeys;
  private final ApplicationController controller;
  private final ApplicationService applications;
  private final DeviceRegistry devices;
  private final ApiServer api;
  private final String initialAdminKey;

  private ControlPlane(
      ApiKeys apiKeys,
      ApplicationController controller,
      ApplicationService applications,
      DeviceRegistry devices,
      ApiServer api,
      String initialAdminKey) {
    this.apiKeys = apiKeys;
    this.controller = controller;
    this.applications = applications;
    this.devices = devices;
    this.api = api;
    this.initialAdminKey = initialAdminKey;
  }

  /** Starts with the default API settings on {@code apiPort} and no application output source. */
  public static ControlPlane start(
      Path dataDir, ResourceStore store, Pki pki, Clock clock, MeterRegistry meters, int apiPort) {
    return start(
        dataDir, store, pki, clock, meters, ApiServer.Config.DEFAULTS.withPort(apiPort), null);
  }

  /**
   * Opens the key file, makes sure an admin key exists, and starts controller and API.
   *
   * @param logs where {@code GET /api/v1/applications/{name}/output} reads from; null for none
   */
  public static ControlPlane start(
      Path dataDir,
      ResourceStore store,
      Pki pki,
      Clock clock,
      MeterRegistry meters,
      ApiServer.Config apiConfig,
      AppLogs logs) {
    Objects.requireNonNull(dataDir, "dataDir");
    createDirectories(dataDir);
    ApiKeys apiKeys = ApiKeys.open(dataDir.resolve(API_KEYS_FILE), clock);
    ApplicationController controller = null;
    ApiServer api = null;
    try {
      String adminKey = ensureAdminKey(apiKeys, dataDir.resolve(ADMIN_KEY_FILE), clock);
      ApplicationService applications = new ApplicationService(store, clock);
      DeviceRegistry devices = new DeviceRegistry(store, pki, clock);
      controller = new ApplicationController(store, clock);
      controller.start();
      api = new ApiServer(apiConfig, apiKeys, store, applications, devices, logs, meters).start();
      log.info("Control plane started; data in {}", dataDir);
      return new ControlPlane(apiKeys, controller, applications, devices, api, adminKey);
    } catch (RuntimeException e) {
      if (api != null) {
        api.close();
      }
      if (controller != null) {
        controller.close();
      }
      apiKeys.close();
      throw e;
    }
  }

  /** The admin key created by this start, present only on the very first start. */
  public Optional<String> initialAdminKey() {
    return Optional.ofNullable(initialAdminKey);
  }

  public int apiPort() {
    return api.port();
  }

  public ApiKeys apiKeys() {
    return apiKeys;
  }

  public ApplicationService applications() {
    return applications;
  }

  public DeviceRegistry devices() {
    return devices;
  }

  public ApplicationController controller() {
    return controller;
  }

  @Override
  public void close() {
    api.close();
    controller.close();
    apiKeys.close();
    log.info("Control plane stopped");
  }

  /**
   * Creates an admin key unless a usable one exists: an expired or revoked one would leave no way
   * to manage keys.
   */
  private static String ensureAdminKey(ApiKeys apiKeys, Path keyFile, Clock clock) {
    Instant now = clock.instant();
    boolean haveAdmin =
        apiKeys.list().stream()
            .anyMatch(k -> k.role() == Role.admin && !k.revoked() && !k.expired(now));
    if (haveAdmin) {
      if (Files.notExists(keyFile)) {
        log.info("Admin key file {} is absent; keeping the existing admin key", keyFile);
      }
      return null;
    }
    ApiKeys.CreatedKey created = apiKeys.create("admin", Role.admin, null);
    writeOwnerOnly(keyFile, created.plaintext() + "\n");
    ApiKey key = created.key();
    log.info("Admin API key {} created and written to {}", key.id(), keyFile);
    return created.plaintext();
  }

  /** Replaces the file with one created rw------- from the start. */
  private static void writeOwnerOnly(Path file, String content) {
    try {
      Files.deleteIfExists(file);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
      Files.writeString(
          file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("admin key file " + file + " could not be written", e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("data directory " + dir + " could not be created", e);
    }
  }
}

package io.wasmbed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wasmbed.store.ResourceStoreContract.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inline module bytes live once in the {@code blobs} table, not in every resource row and event:
 * regression tests for a 5 MB module that grew the store by 26.7 MB of events through status writes
 * alone.
 */
class SqliteModuleBlobsTest {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteModuleBlobsTest.class);
  private static final Clock CLOCK = Clock.fixed(Fixtures.T0, ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;

  private SqliteResourceStore store;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void statusUpdatesDoNotCopyTheInlineModule() throws Exception {
    store = SqliteResourceStore.open(dbFile(), CLOCK);
    store.create(Kind.APPLICATION, application("app", module(MIB, 1)));
    long before = storedBytes();

    writeStatuses("app", 200);
    long after = storedBytes();

    LOG.info("1 MiB module, 200 status updates: store {} -> {} bytes", before, after);
    assertThat(after - before).isLessThan(5L * MIB);
    assertThat(store.get(Kind.APPLICATION, "app").orElseThrow().spec().module().inline())
        .isEqualTo(module(MIB, 1));
  }

  /** Not a tight bound: logs the size of the case the user reported (5 MB, 100 devices). */
  @Test
  void measuresStoreSizeForAFiveMegabyteModuleAndOneHundredStatusUpdates() throws Exception {
    store = SqliteResourceStore.open(dbFile(), CLOCK);
    store.create(Kind.APPLICATION, application("big", module(5_000_000, 2)));
    long before = storedBytes();

    writeStatuses("big", 100);
    long after = storedBytes();

    LOG.info("5 MB module, 100 status updates: store {} -> {} bytes", before, after);
    assertThat(after).isLessThan(8L * MIB);
  }

  @Test
  void getListAndWatchReturnTheModuleBytes() throws Exception {
    store = SqliteResourceStore.open(dbFile(), CLOCK);
    byte[] bytes = module(MIB, 3);
    Recorder<Application> live = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.APPLICATION, 0, live)) {
      store.create(Kind.APPLICATION, application("app", bytes));
      writeStatuses("app", 3);
      Application expected = store.get(Kind.APPLICATION, "app").orElseThrow();

      assertThat(expected.spec().module().inline()).isEqualTo(bytes);
      assertThat(store.list(Kind.APPLICATION, LabelSelector.ALL))
          .extracting(Fixtures::json)
          .containsExactly(Fixtures.json(expected));
      await().atMost(WAIT).until(() -> live.size() == 4);
      assertThat(Fixtures.json(live.events().get(3).resource())).isEqualTo(Fixtures.json(expected));
      assertThat(live.events())
          .allSatisfy(e -> assertThat(e.resource().spec().module().inline()).isEqualTo(bytes));
    }

    store.close();
    store = SqliteResourceStore.open(dbFile(), CLOCK);
    Application expected = store.get(Kind.APPLICATION, "app").orElseThrow();
    Recorder<Application> replay = new Recorder<>();
    Recorder<Application> fromEvents = new Recorder<>();
    try (ResourceStore.Watch r = store.watch(Kind.APPLICATION, 0, replay);
        ResourceStore.Watch e = store.watch(Kind.APPLICATION, 1, fromEvents)) {
      await().atMost(WAIT).until(() -> replay.size() == 1 && fromEvents.size() == 3);
      assertThat(Fixtures.json(replay.events().get(0).resource()))
          .isEqualTo(Fixtures.json(expected));
      assertThat(Fixtures.json(fromEvents.events().get(2).resource()))
          .isEqualTo(Fixtures.json(expected));
    }
    assertThat(storedRowsContaining(base64Prefix(bytes))).isZero();
  }

  @Test
  void blobOfADeletedApplicationIsKeptWhileItsEventsAreRetainedThenRemoved() throws Exception {
    store = SqliteResourceStore.open(dbFile(), CLOCK, 10);
    byte[] shared = module(64 * 1024, 4);
    store.create(Kind.APPLICATION, application("a", shared));
    store.create(Kind.APPLICATION, application("b", shared));
    store.create(Kind.APPLICATION, application("other", module(1024, 5)));
    assertThat(blobCount()).isEqualTo(2);

    store.delete(Kind.APPLICATION, "a");
    long beforeLastDelete = store.currentResourceVersion();
    store.delete(Kind.APPLICATION, "b");
    Recorder<Application> late = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.APPLICATION, beforeLastDelete, late)) {
      await().atMost(WAIT).until(() -> late.size() == 1);
    }
    assertThat(late.get(0).type()).isEqualTo(WatchEvent.Type.DELETED);
    assertThat(late.get(0).resource().spec().module().inline()).isEqualTo(shared);
    assertThat(blobCount()).isEqualTo(2);

    for (int i = 0; i < 30; i++) {
      store.create(Kind.DEVICE, Fixtures.device("d" + i));
    }

    assertThat(store.compactedResourceVersion()).isGreaterThan(store.currentResourceVersion() - 30);
    assertThat(blobCount()).isEqualTo(1);
    assertThat(store.get(Kind.APPLICATION, "other").orElseThrow().spec().module().inline())
        .isEqualTo(module(1024, 5));
  }

  @Test
  void replacedModuleIsRemovedOnceNoRetainedEventNeedsIt() throws Exception {
    store = SqliteResourceStore.open(dbFile(), CLOCK, 10);
    Application app = store.create(Kind.APPLICATION, application("a", module(4096, 6)));
    byte[] next = module(4096, 7);
    store.update(Kind.APPLICATION, app.withSpec(specWith(app.spec(), next)));
    assertThat(blobCount()).isEqualTo(2);

    for (int i = 0; i < 30; i++) {
      store.create(Kind.DEVICE, Fixtures.device("d" + i));
    }

    assertThat(blobCount()).isEqualTo(1);
    assertThat(store.get(Kind.APPLICATION, "a").orElseThrow().spec().module().inline())
        .isEqualTo(next);
  }

  @Test
  void moduleWhoseBytesDoNotMatchItsDigestIsRefused() {
    store = SqliteResourceStore.open(dbFile(), CLOCK);
    byte[] bytes = module(1024, 8);
    Application forged =
        application("forged", bytes)
            .withSpec(
                specWithModule(
                    application("x", bytes).spec(),
                    new Application.Module(Fixtures.digest("other"), bytes, null, null)));

    assertThatThrownBy(() -> store.create(Kind.APPLICATION, forged))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("Application 'forged'")
        .hasMessageContaining("spec.module.inline")
        .hasMessageContaining(Fixtures.digest("other"))
        .satisfies(e -> assertThat(((StoreException) e).name()).isEqualTo("forged"));
    assertThat(store.get(Kind.APPLICATION, "forged")).isEmpty();

    Application stored = store.create(Kind.APPLICATION, application("ok", bytes));
    Application tampered =
        stored.withSpec(
            specWithModule(
                stored.spec(),
                new Application.Module(
                    stored.spec().module().digest(), module(1024, 9), null, null)));
    assertThatThrownBy(() -> store.update(Kind.APPLICATION, tampered))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("Application 'ok'");
  }

  @Test
  void storeWrittenBySchemaVersion1IsMigrated() throws Exception {
    byte[] bytes = module(256 * 1024, 10);
    Application v1 =
        application("legacy", bytes)
            .withMetadata(
                new ObjectMeta("legacy", Map.of("team", "a"), "uid-1", 2, 1, Fixtures.T0, null));
    Application v1Created =
        v1.withMetadata(
            new ObjectMeta("legacy", Map.of("team", "a"), "uid-1", 1, 1, Fixtures.T0, null));
    Device device =
        Fixtures.device("d1")
            .withMetadata(new ObjectMeta("d1", Map.of(), "uid-2", 3, 1, Fixtures.T0, null));
    writeSchemaVersion1(
        List.of(new V1Row("applications", "legacy", v1), new V1Row("devices", "d1", device)),
        List.of(
            new V1Event(1, "applications", "legacy", "ADDED", v1Created),
            new V1Event(2, "applications", "legacy", "MODIFIED", v1),
            new V1Event(3, "devices", "d1", "ADDED", device)));

    store = SqliteResourceStore.open(dbFile(), CLOCK);

    assertThat(Fixtures.json(store.get(Kind.APPLICATION, "legacy").orElseThrow()))
        .isEqualTo(Fixtures.json(v1));
    assertThat(Fixtures.json(store.get(Kind.DEVICE, "d1").orElseThrow()))
        .isEqualTo(Fixtures.json(device));
    Recorder<Application> events = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.APPLICATION, 0, events)) {
      await().atMost(WAIT).until(() -> events.size() == 1);
    }
    Recorder<Application> history = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.APPLICATION, 1, history)) {
      await().atMost(WAIT).until(() -> history.size() == 1);
    }
    assertThat(Fixtures.json(history.get(0).resource())).isEqualTo(Fixtures.json(v1));
    assertThat(storedRowsContaining(base64Prefix(bytes))).isZero();
    assertThat(blobCount()).isEqualTo(1);
    assertThat(meta("schema_version")).isEqualTo(SqliteResourceStore.SCHEMA_VERSION);
    assertThat(SqliteResourceStore.SCHEMA_VERSION).isGreaterThan(1);

    Application written = store.create(Kind.APPLICATION, application("fresh", bytes));
    assertThat(written.metadata().resourceVersion()).isEqualTo(4);
    assertThat(blobCount()).isEqualTo(1);
  }

  // ---- helpers ----

  private Path dbFile() {
    return dir.resolve("store.db");
  }

  private static byte[] module(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    System.arraycopy(Fixtures.EMPTY_MODULE, 0, bytes, 0, Fixtures.EMPTY_MODULE.length);
    return bytes;
  }

  private static Application application(String name, byte[] module) {
    Application app = Fixtures.application(name);
    return app.withSpec(specWith(app.spec(), module));
  }

  private static Application.Spec specWith(Application.Spec spec, byte[] module) {
    return specWithModule(
        spec, new Application.Module(Fixtures.digest(module), module, null, null));
  }

  private static Application.Spec specWithModule(Application.Spec spec, Application.Module module) {
    return new Application.Spec(
        module,
        spec.signature(),
        spec.targets(),
        spec.limits(),
        spec.policy(),
        spec.config(),
        spec.restartPolicy(),
        spec.stopped());
  }

  /** The application controller's pattern: one status write per device state change. */
  private void writeStatuses(String app, int count) {
    for (int i = 1; i <= count; i++) {
      int n = i;
      store.updateStatus(
          Kind.APPLICATION,
          app,
          a ->
              a.withStatus(
                  new Application.Status(
                      Application.Phase.Running,
                      List.of("d" + n),
                      Map.of("d" + n, new Application.DeviceState(Device.AppPhase.Running, "")),
                      n,
                      n,
                      0,
                      0,
                      "Running on " + n + "/" + n + " devices",
                      1)));
    }
  }

  /** Database plus WAL after a checkpoint that folds the WAL into the database file. */
  private long storedBytes() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    Path wal = dbFile().resolveSibling("store.db-wal");
    return Files.size(dbFile()) + (Files.exists(wal) ? Files.size(wal) : 0);
  }

  private long blobCount() throws SQLException {
    return queryLong("SELECT count(*) FROM blobs");
  }

  private long meta(String key) throws SQLException {
    return queryLong("SELECT value FROM meta WHERE key = '" + key + "'");
  }

  private long storedRowsContaining(String text) throws SQLException {
    return queryLong(
        "SELECT (SELECT count(*) FROM resources WHERE instr(json, '"
            + text
            + "') > 0) + (SELECT count(*) FROM events WHERE instr(json, '"
            + text
            + "') > 0)");
  }

  private static String base64Prefix(byte[] bytes) {
    return java.util.Base64.getEncoder().encodeToString(bytes).substring(8, 40);
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dbFile());
  }

  private record V1Row(String plural, String name, Resource<?> resource) {}

  private record V1Event(long version, String plural, String name, String type, Object resource) {}

  /** A store file exactly as schema version 1 wrote it: module bytes inline in every row. */
  private void writeSchemaVersion1(List<V1Row> rows, List<V1Event> events) throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID");
      s.execute(
          "CREATE TABLE resources (kind TEXT NOT NULL, name TEXT NOT NULL,"
              + " uid TEXT NOT NULL, resource_version INTEGER NOT NULL,"
              + " generation INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, name))"
              + " WITHOUT ROWID");
      s.execute(
          "CREATE TABLE events (resource_version INTEGER PRIMARY KEY,"
              + " kind TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL)");
      s.execute("CREATE INDEX events_by_kind ON events (kind, resource_version)");
      s.execute(
          "INSERT INTO meta (key, value) VALUES ('schema_version', 1),"
              + " ('resource_version', "
              + events.size()
              + "), ('compacted_resource_version', 0)");
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?)")) {
        for (V1Row row : rows) {
          ObjectMeta meta = row.resource().metadata();
          insert.setString(1, row.plural());
          insert.setString(2, row.name());
          insert.setString(3, meta.uid());
          insert.setLong(4, meta.resourceVersion());
          insert.setLong(5, meta.generation());
          insert.setString(6, Fixtures.json(row.resource()));
          insert.executeUpdate();
        }
      }
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?)")) {
        for (V1Event event : events) {
          insert.setLong(1, event.version());
          insert.setString(2, event.plural());
          insert.setString(3, event.name());
          insert.setString(4, event.type());
          insert.setString(5, Fixtures.json(event.resource()));
          insert.executeUpdate();
        }
      }
    }
  }
}

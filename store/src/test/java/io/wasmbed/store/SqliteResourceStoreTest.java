package io.wasmbed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class SqliteResourceStoreTest extends ResourceStoreContract {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteResourceStoreTest.class);
  private static final Clock CLOCK = Clock.fixed(Fixtures.T0, ZoneOffset.UTC);

  @TempDir Path dir;

  private SqliteResourceStore current;

  @Override
  protected ResourceStore newStore() {
    current = SqliteResourceStore.open(dbFile(), CLOCK);
    return current;
  }

  @Override
  protected ResourceStore reopen() {
    current.close();
    current = SqliteResourceStore.open(dbFile(), CLOCK);
    return current;
  }

  private Path dbFile() {
    return dir.resolve("data").resolve("store.db");
  }

  @Test
  void creationTimestampComesFromTheClock() {
    Device d = store.create(Kind.DEVICE, Fixtures.device("d1"));

    assertThat(d.metadata().creationTimestamp()).isEqualTo(Fixtures.T0);
  }

  @Test
  void writesThatChangeNothingAreNotStored() {
    Device d = store.create(Kind.DEVICE, Fixtures.device("d1", Map.of("zone", "a")));
    long version = store.currentResourceVersion();

    Device sameUpdate = store.update(Kind.DEVICE, d);
    Device sameStatus = store.replaceStatus(Kind.DEVICE, d);

    assertThat(sameUpdate).isEqualTo(d);
    assertThat(sameStatus).isEqualTo(d);
    assertThat(store.currentResourceVersion()).isEqualTo(version);
  }

  @Test
  void deletionTimestampCannotBeClearedOnceSet() {
    Application app = store.create(Kind.APPLICATION, Fixtures.application("app"));
    Instant when = Fixtures.T0.plusSeconds(5);
    Application deleting =
        store.update(
            Kind.APPLICATION, app.withMetadata(app.metadata().withDeletionTimestamp(when)));

    Application cleared =
        store.update(
            Kind.APPLICATION,
            deleting.withMetadata(deleting.metadata().withDeletionTimestamp(null)));

    assertThat(deleting.metadata().deletionTimestamp()).isEqualTo(when);
    assertThat(cleared.metadata().deletionTimestamp()).isEqualTo(when);
  }

  @Test
  void watchFromBeforeTheRetainedEventsIsExpired() {
    store.close();
    current = SqliteResourceStore.open(dbFile(), CLOCK, 10);
    store = current;
    Device first = store.create(Kind.DEVICE, Fixtures.device("d0"));
    for (int i = 1; i < 30; i++) {
      store.create(Kind.DEVICE, Fixtures.device("d" + i));
    }
    long oldest = current.compactedResourceVersion();

    assertThat(oldest).isGreaterThan(first.metadata().resourceVersion());
    assertThatThrownBy(
            () -> store.watch(Kind.DEVICE, first.metadata().resourceVersion(), new Recorder<>()))
        .isInstanceOf(StoreException.Expired.class)
        .hasMessageContaining("from resourceVersion " + first.metadata().resourceVersion())
        .hasMessageContaining("at least " + oldest);
    Recorder<Device> fromOldest = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, oldest, fromOldest)) {
      await()
          .atMost(WAIT)
          .until(() -> fromOldest.size() == store.currentResourceVersion() - oldest);
    }
  }

  @Test
  @Timeout(30) // a writer blocked by the listener would hang here
  void slowListenerDoesNotBlockWritersAndEndsExpiredWhenLeftBehind() throws Exception {
    store.close();
    current = SqliteResourceStore.open(dbFile(), CLOCK, 10);
    store = current;
    CountDownLatch release = new CountDownLatch(1);
    Recorder<Device> seen = new Recorder<>();
    ResourceStore.WatchListener<Device> slow =
        new ResourceStore.WatchListener<>() {
          @Override
          public void onEvent(WatchEvent<Device> event) {
            seen.onEvent(event);
            awaitQuietly(release);
          }

          @Override
          public void onError(StoreException error) {
            seen.onError(error);
          }
        };

    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, store.currentResourceVersion(), slow)) {
      store.create(Kind.DEVICE, Fixtures.device("first"));
      await().atMost(WAIT).until(() -> seen.size() == 1);
      for (int i = 0; i < 50; i++) {
        store.create(Kind.DEVICE, Fixtures.device("d" + i));
      }
      release.countDown();

      await().atMost(WAIT).until(() -> seen.errors().size() == 1);
      assertThat(seen.errors().get(0)).isInstanceOf(StoreException.Expired.class);
      assertThat(seen.errors().get(0).kind()).isEqualTo("Device");
    }
  }

  @Test
  void throwingListenerKeepsReceivingEvents() {
    Recorder<Device> seen = new Recorder<>();
    ResourceStore.WatchListener<Device> flaky =
        event -> {
          seen.onEvent(event);
          if (event.resource().name().equals("a")) {
            throw new IllegalStateException("listener bug");
          }
        };

    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, 0, flaky)) {
      store.create(Kind.DEVICE, Fixtures.device("a"));
      store.create(Kind.DEVICE, Fixtures.device("b"));

      await().atMost(WAIT).until(() -> seen.size() == 2);
    }
  }

  @Test
  void corruptRowIsSkippedByListAndNamedByGet() throws Exception {
    store.create(Kind.DEVICE, Fixtures.device("a"));
    store.create(Kind.DEVICE, Fixtures.device("b"));
    store.create(Kind.DEVICE, Fixtures.device("c"));
    corrupt("devices", "b", "{\"metadata\": {\"name\": \"b\"}, \"spec\": 42");

    assertThat(store.list(Kind.DEVICE, LabelSelector.ALL))
        .extracting(Device::name)
        .containsExactly("a", "c");
    assertThatThrownBy(() -> store.get(Kind.DEVICE, "b"))
        .isInstanceOf(StoreException.Corrupt.class)
        .hasMessageContaining("Device 'b'")
        .satisfies(e -> assertThat(((StoreException) e).name()).isEqualTo("b"));
    assertThat(store.delete(Kind.DEVICE, "b")).isTrue();
    assertThat(store.get(Kind.DEVICE, "b")).isEmpty();
  }

  @Test
  void rowThatBreaksARecordCheckIsCorrupt() throws Exception {
    Device d = store.create(Kind.DEVICE, Fixtures.device("a"));
    corrupt("devices", "a", Fixtures.json(d).replace("\"name\":\"a\"", "\"name\":\"A!\""));

    assertThatThrownBy(() -> store.get(Kind.DEVICE, "a"))
        .isInstanceOf(StoreException.Corrupt.class)
        .hasMessageContaining("metadata.name");
  }

  @Test
  void secondOpenOfTheSameFileIsRefused() {
    assertThatThrownBy(() -> SqliteResourceStore.open(dbFile(), CLOCK))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("in use");
  }

  @Test
  void storeFileIsOwnerOnly() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dbFile())))
        .isEqualTo("rw-------");
  }

  @Test
  void storeFromANewerSchemaIsRefused() throws Exception {
    store.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
        PreparedStatement s =
            c.prepareStatement("UPDATE meta SET value = 99 WHERE key = 'schema_version'")) {
      s.executeUpdate();
    }

    assertThatThrownBy(() -> SqliteResourceStore.open(dbFile(), CLOCK))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "schema version 99 (expected: at most " + SqliteResourceStore.SCHEMA_VERSION);
  }

  @Test
  void operationsAfterCloseFailClearly() {
    store.close();

    assertThatThrownBy(() -> store.get(Kind.DEVICE, "a"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
  }

  /**
   * Not a timed assertion: logs what 100 heartbeating devices and 100 application status updates
   * cost, so regressions show up in the test log.
   */
  @Test
  void measuresStatusUpdateThroughput() {
    int devices = 100;
    int rounds = Integer.getInteger("store.rounds", 10);
    for (int i = 0; i < devices; i++) {
      store.create(Kind.DEVICE, Fixtures.device("d" + i));
      store.create(Kind.APPLICATION, Fixtures.application("a" + i));
    }
    Recorder<Device> watcher = new Recorder<>();
    try (ResourceStore.Watch w =
        store.watch(Kind.DEVICE, store.currentResourceVersion(), watcher)) {
      long start = System.nanoTime();
      for (int round = 1; round <= rounds; round++) {
        Instant now = Fixtures.T0.plusSeconds(30L * round);
        for (int i = 0; i < devices; i++) {
          store.updateStatus(Kind.DEVICE, "d" + i, d -> d.withStatus(d.status().heartbeat(now)));
          int running = round;
          store.updateStatus(
              Kind.APPLICATION,
              "a" + i,
              a ->
                  a.withStatus(
                      new Application.Status(
                          Application.Phase.Running,
                          java.util.List.of("d" + running),
                          Map.of(),
                          1,
                          1,
                          0,
                          0,
                          "Running on 1/1 devices",
                          running)));
        }
      }
      long elapsed = System.nanoTime() - start;
      int writes = 2 * devices * rounds;
      double perSecond = writes / (elapsed / 1e9);
      LOG.info(
          "updateStatus throughput: {} writes in {} ms = {} writes/s ({} us each)",
          writes,
          TimeUnit.NANOSECONDS.toMillis(elapsed),
          Math.round(perSecond),
          Math.round(elapsed / 1e3 / writes));
      await().atMost(WAIT).until(() -> watcher.size() == devices * rounds);
      assertThat(store.currentResourceVersion()).isEqualTo(2L * devices + writes);
    }
  }

  private void corrupt(String plural, String name, String json) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
        PreparedStatement s =
            c.prepareStatement("UPDATE resources SET json = ? WHERE kind = ? AND name = ?")) {
      s.setString(1, json);
      s.setString(2, plural);
      s.setString(3, name);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

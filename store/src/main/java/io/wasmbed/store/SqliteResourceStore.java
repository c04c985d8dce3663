package io.wasmbed.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link ResourceStore}: one SQLite file in WAL mode, owned by one process.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * meta      (key, value)                    schema_version, resource_version, compacted_resource_version
 * resources (kind, name) -> uid, resource_version, generation, json, blob
 * events    resource_version -> kind, name, type, json, blob  (the resource as of that version)
 * blobs     digest -> size, bytes                          (inline module bytes, once per digest)
 * </pre>
 *
 * <p>An Application's inline module is stored once in {@code blobs} and referred to by digest from
 * its row and events; reads put the bytes back, and status writes never copy them. A blob stays as
 * long as a resource or a retained event refers to it; see {@link ModuleBlobs}. Schema changes are
 * in {@link SqliteSchema}.
 *
 * <p>Every write is one transaction that changes a row in {@code resources}, appends one row to
 * {@code events} and advances {@code meta.resource_version}, so versions are strictly increasing,
 * gap-free and survive restarts. The event log keeps at least the newest {@code eventRetention}
 * events (default {@value #DEFAULT_EVENT_RETENTION}); older ones are pruned in batches and {@code
 * compacted_resource_version} records the newest pruned version.
 *
 * <h2>Writes</h2>
 *
 * One connection, serialised by a lock. {@link #create}, {@link #update} and {@link #delete} are on
 * disk when they return ({@code synchronous=FULL}), so an enrolled device's record survives a power
 * cut; {@link #replaceStatus} skips the fsync ({@code NORMAL}) because status is re-observed after
 * a restart anyway, which makes heartbeats cheap. See {@code Durability}. A write that would change
 * nothing (same labels and spec for {@link #update}, same status for {@link #replaceStatus}) is not
 * stored and emits no event; the stored resource is returned, like Kubernetes' no-op updates.
 * {@link #update} keeps uid, creationTimestamp and a deletionTimestamp once set. {@link #create}
 * keeps the given status.
 *
 * <h2>Watches</h2>
 *
 * Each watch has its own daemon thread that reads the event log from its last delivered version
 * onwards; writers only wake the watch threads and never wait for listeners. The event log is
 * therefore the bounded per-watch buffer: a listener that falls more than {@code eventRetention}
 * events behind is ended with {@link StoreException.Expired} through {@link
 * ResourceStore.WatchListener#onError} and must watch again from 0. A listener that throws is
 * logged at ERROR and keeps receiving events.
 *
 * <h2>Corrupt rows</h2>
 *
 * A row whose JSON cannot be read back (or whose module blob is missing or does not match its
 * digest) makes {@link #get}, {@link #update} and {@link #replaceStatus} of that resource throw
 * {@link StoreException.Corrupt}; {@link #list} and watch replays skip it with an ERROR log naming
 * kind and name, so one bad row does not hide the rest. {@link #delete} still removes it.
 *
 * <p>Label selectors are applied in Java after reading all resources of the kind: fine for the
 * thousands of resources one embedded control plane holds.
 */
public final class SqliteResourceStore implements ResourceStore {

  public static final int DEFAULT_EVENT_RETENTION = 10_000;

  static final int SCHEMA_VERSION = SqliteSchema.VERSION;

  private static final Logger LOG = LoggerFactory.getLogger(SqliteResourceStore.class);
  private static final int READ_CONNECTIONS = 4;
  private static final int MAX_STATUS_ATTEMPTS = 32;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  static final String META_VERSION = "resource_version";
  static final String META_COMPACTED = "compacted_resource_version";

  private final Path dbFile;
  private final Clock clock;
  private final int eventRetention;
  private final int pruneBatch;
  private final FileChannel lockChannel;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Connection writer;
  private final Map<String, PreparedStatement> writerStatements = new HashMap<>();
  private Durability writerDurability = Durability.SYNCED;
  private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READ_CONNECTIONS);
  private final Object progress = new Object();
  private final Set<SqliteWatch<?>> watches = ConcurrentHashMap.newKeySet();
  private final ModuleBlobs blobs = new ModuleBlobs();
  private volatile long resourceVersion;
  private volatile long compactedResourceVersion;
  private volatile boolean closed;

  private SqliteResourceStore(
      Path dbFile, Clock clock, int eventRetention, FileChannel lockChannel, Connection writer)
      throws SQLException {
    this.dbFile = dbFile;
    this.clock = clock;
    this.eventRetention = eventRetention;
    this.pruneBatch = Math.max(1, eventRetention / 100);
    this.lockChannel = lockChannel;
    this.writer = writer;
    SqliteSchema.prepare(writer, dbFile, blobs);
    resourceVersion = readMeta(writer, META_VERSION);
    compactedResourceVersion = readMeta(writer, META_COMPACTED);
    for (int i = 0; i < READ_CONNECTIONS; i++) {
      readers.add(SqliteFiles.connect(dbFile, true));
    }
  }

  /**
   * Opens (creating if needed) the store in {@code dbFile}, keeping the default event retention.
   */
  public static SqliteResourceStore open(Path dbFile, Clock clock) {
    return open(dbFile, clock, DEFAULT_EVENT_RETENTION);
  }

  /**
   * Opens (creating if needed) the store in {@code dbFile}. The file is created owner-only; a
   * sibling {@code <file>.lock} keeps a second process (or a second open in this one) out.
   *
   * @param eventRetention how many of the newest events watches can still resume from
   * @throws StoreException if the file is in use, unreadable, or from a newer schema
   */
  public static SqliteResourceStore open(Path dbFile, Clock clock, int eventRetention) {
    Objects.requireNonNull(dbFile, "dbFile");
    Objects.requireNonNull(clock, "clock");
    if (eventRetention < 1) {
      throw new IllegalArgumentException(
          "eventRetention: " + eventRetention + " (expected: at least 1)");
    }
    Path file = dbFile.toAbsolutePath();
    FileChannel lockChannel = SqliteFiles.lock(file);
    Connection writer = null;
    try {
      SqliteFiles.createOwnerOnly(file);
      writer = SqliteFiles.connect(file, false);
      SqliteResourceStore store =
          new SqliteResourceStore(file, clock, eventRetention, lockChannel, writer);
      LOG.info(
          "Store {} opened at resourceVersion {} (events kept after {})",
          file,
          store.resourceVersion,
          store.compactedResourceVersion);
      return store;
    } catch (SQLException | IOException | RuntimeException e) {
      SqliteFiles.closeQuietly(writer);
      SqliteFiles.closeQuietly(lockChannel);
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreException(null, null, "cannot open store " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public <R extends Resource<R>> Optional<R> get(Kind<R> kind, String name) {
    Objects.requireNonNull(name, "name");
    return read(
        kind,
        name,
        c -> {
          String row = selectJson(c, kind, name);
          return row == null ? Optional.<R>empty() : Optional.of(blobs.parse(c, kind, name, row));
        });
  }

  @Override
  public <R extends Resource<R>> List<R> list(Kind<R> kind, LabelSelector selector) {
    Objects.requireNonNull(selector, "selector");
    List<R> all = read(kind, null, c -> selectAll(c, kind));
    return all.stream().filter(r -> selector.matches(r.metadata().labels())).toList();
  }

  @Override
  public <R extends Resource<R>> R create(Kind<R> kind, R resource) {
    String name = checkResource(kind, resource);
    if (resource.metadata().resourceVersion() != 0) {
      throw new StoreException.Invalid(
          kind.kind(),
          name,
          "metadata.resourceVersion: "
              + resource.metadata().resourceVersion()
              + " (expected: 0 on create; the store assigns it)");
    }
    return write(
        kind,
        Durability.SYNCED,
        name,
        next -> {
          if (selectJson(writer, kind, name) != null) {
            throw new StoreException.AlreadyExists(kind.kind(), name);
          }
          ObjectMeta given = resource.metadata();
          ObjectMeta meta =
              new ObjectMeta(
                  name,
                  given.labels(),
                  UUID.randomUUID().toString(),
                  next,
                  1,
                  clock.instant(),
                  null);
          R stored = resource.withMetadata(meta);
          ObjectNode tree =
              ResourceCodec.tree(kind, name, ModuleBlobs.withoutInlineBytes(kind, stored));
          String blob = blobs.store(writer, kind, stored, tree);
          String text = ResourceCodec.toJson(kind, name, tree);
          PreparedStatement insert =
              statement(
                  "INSERT INTO resources (kind, name, uid, resource_version, generation, json,"
                      + " blob) VALUES (?, ?, ?, ?, ?, ?, ?)");
          insert.setString(1, kind.plural());
          insert.setString(2, name);
          insert.setString(3, meta.uid());
          insert.setLong(4, next);
          insert.setLong(5, 1);
          insert.setString(6, text);
          insert.setString(7, blob);
          insert.executeUpdate();
          return Change.of(stored, WatchEvent.Type.ADDED, text, blob);
        });
  }

  @Override
  public <R extends Resource<R>> R update(Kind<R> kind, R resource) {
    String name = checkResource(kind, resource);
    return write(
        kind,
        Durability.SYNCED,
        name,
        next -> {
          ObjectNode stored = selectForWrite(kind, resource);
          ObjectMeta storedMeta = ResourceCodec.metadataOf(kind, name, stored);
          ObjectNode proposed =
              ResourceCodec.tree(kind, name, ModuleBlobs.withoutInlineBytes(kind, resource));
          blobs.store(writer, kind, resource, proposed);
          boolean specChanged = !Objects.equals(stored.get("spec"), proposed.get("spec"));
          ObjectMeta given = resource.metadata();
          ObjectMeta meta =
              new ObjectMeta(
                  name,
                  given.labels(),
                  storedMeta.uid(),
                  storedMeta.resourceVersion(),
                  storedMeta.generation() + (specChanged ? 1 : 0),
                  storedMeta.creationTimestamp(),
                  storedMeta.deleting()
                      ? storedMeta.deletionTimestamp()
                      : given.deletionTimestamp());
          proposed.set("metadata", ResourceCodec.tree(kind, name, meta));
          proposed.set("status", stored.get("status"));
          if (proposed.equals(stored)) {
            return Change.none(blobs.materialize(writer, kind, name, stored));
          }
          return replaceRow(kind, name, proposed, next, meta.generation());
        });
  }

  @Override
  public <R extends Resource<R>> R replaceStatus(Kind<R> kind, R resource) {
    String name = checkResource(kind, resource);
    return write(
        kind,
        Durability.LAZY,
        name,
        next -> {
          ObjectNode stored = selectForWrite(kind, resource);
          JsonNode status =
              ResourceCodec.tree(kind, name, ModuleBlobs.withoutInlineBytes(kind, resource))
                  .get("status");
          if (Objects.equals(stored.get("status"), status)) {
            return Change.none(blobs.materialize(writer, kind, name, stored));
          }
          stored.set("status", status);
          return replaceRow(
              kind, name, stored, next, ResourceCodec.metadataOf(kind, name, stored).generation());
        });
  }

  @Override
  public <R extends Resource<R>> Optional<R> updateStatus(
      Kind<R> kind, String name, UnaryOperator<R> change) {
    Objects.requireNonNull(change, "change");
    for (int attempt = 1; ; attempt++) {
      Optional<R> current = get(kind, name);
      if (current.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(replaceStatus(kind, change.apply(current.get())));
      } catch (StoreException.NotFound e) {
        return Optional.empty();
      } catch (StoreException.Conflict e) {
        if (attempt >= MAX_STATUS_ATTEMPTS) {
          LOG.warn("Status of {} '{}' still conflicting after {} attempts", kind, name, attempt);
          throw e;
        }
        backOff(attempt);
      }
    }
  }

  @Override
  public <R extends Resource<R>> boolean delete(Kind<R> kind, String name) {
    Objects.requireNonNull(name, "name");
    return write(
        kind,
        Durability.SYNCED,
        name,
        next -> {
          String row = selectJson(writer, kind, name);
          if (row == null) {
            return Change.none(false);
          }
          String blob = selectBlob(kind, name);
          PreparedStatement delete = statement("DELETE FROM resources WHERE kind = ? AND name = ?");
          delete.setString(1, kind.plural());
          delete.setString(2, name);
          delete.executeUpdate();
          return Change.of(
              true,
              WatchEvent.Type.DELETED,
              ResourceCodec.withResourceVersion(kind, name, row, next),
              blob);
        });
  }

  @Override
  public <R extends Resource<R>> Watch watch(
      Kind<R> kind, long fromResourceVersion, WatchListener<R> listener) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    if (fromResourceVersion < 0) {
      throw new IllegalArgumentException(
          "fromResourceVersion: " + fromResourceVersion + " (expected: 0 or more)");
    }
    long oldest = compactedResourceVersion;
    if (fromResourceVersion > 0 && fromResourceVersion < oldest) {
      throw new StoreException.Expired(kind.kind(), fromResourceVersion, oldest);
    }
    SqliteWatch<R> watch = new SqliteWatch<>(this, kind, fromResourceVersion, listener);
    watches.add(watch);
    watch.start();
    return watch;
  }

  @Override
  public long currentResourceVersion() {
    return resourceVersion;
  }

  /** The newest version no longer in the event log; watches must start at or after it. */
  public long compactedResourceVersion() {
    return compactedResourceVersion;
  }

  public Path file() {
    return dbFile;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watches.forEach(SqliteWatch::close);
    writeLock.lock();
    try {
      writerStatements.values().forEach(SqliteFiles::closeQuietly);
      SqliteFiles.closeQuietly(writer);
    } finally {
      writeLock.unlock();
    }
    closeReaders();
    SqliteFiles.closeQuietly(lockChannel);
    LOG.info("Store {} closed at resourceVersion {}", dbFile, resourceVersion);
  }

  // ---- used by SqliteWatch ----

  /** The current resources of a kind and the version they are current at, read consistently. */
  <R extends Resource<R>> Snapshot<R> snapshot(Kind<R> kind) {
    return read(kind, null, c -> new Snapshot<>(selectAll(c, kind), readMeta(c, META_VERSION)));
  }

  /**
   * Up to {@code limit} events of {@code kind} after {@code after}.
   *
   * @throws StoreException.Expired if events after {@code after} were already pruned
   */
  <R extends Resource<R>> EventBatch<R> eventsAfter(Kind<R> kind, long after, int limit) {
    return read(
        kind,
        null,
        c -> {
          long compacted = readMeta(c, META_COMPACTED);
          if (after < compacted) {
            throw new StoreException.Expired(kind.kind(), after, compacted);
          }
          long head = readMeta(c, META_VERSION);
          return selectEvents(c, kind, after, limit, head);
        });
  }

  /** Waits until the store has a version newer than {@code version}, or the watch is closed. */
  void awaitVersionAfter(long version, SqliteWatch<?> watch) throws InterruptedException {
    synchronized (progress) {
      while (resourceVersion <= version && !watch.isClosed() && !closed) {
        progress.wait();
      }
    }
  }

  void wakeWatches() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  void forget(SqliteWatch<?> watch) {
    watches.remove(watch);
  }

  boolean isClosed() {
    return closed;
  }

  record Snapshot<R extends Resource<R>>(List<R> resources, long resourceVersion) {}

  /**
   * @param next the version to continue after: the last event read, or the store's head when the
   *     batch was not full (nothing newer of this kind exists up to the head)
   */
  record EventBatch<R extends Resource<R>>(List<WatchEvent<R>> events, long next) {}

  // ---- transactions ----

  @FunctionalInterface
  private interface ReadStep<T> {
    T apply(Connection connection) throws SQLException;
  }

  @FunctionalInterface
  private interface WriteStep<T> {
    Change<T> apply(long nextVersion) throws SQLException;
  }

  /**
   * What a write step did: its result and, unless nothing changed, the event to append (its stored
   * JSON and the module blob that refers to, or null).
   */
  private record Change<T>(T result, WatchEvent.Type type, String json, String blob) {
    static <T> Change<T> of(T result, WatchEvent.Type type, String json, String blob) {
      return new Change<>(result, type, json, blob);
    }

    static <T> Change<T> none(T result) {
      return new Change<>(result, null, null, null);
    }
  }

  private <T> T read(Kind<?> kind, String name, ReadStep<T> step) {
    ensureOpen();
    Connection connection = borrowReader(kind, name);
    try {
      T result = step.apply(connection);
      connection.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly(connection);
      throw failure(kind, name, "read", e);
    } catch (RuntimeException e) {
      rollbackQuietly(connection);
      throw e;
    } finally {
      readers.add(connection);
    }
  }

  private <T> T write(Kind<?> kind, Durability durability, String name, WriteStep<T> step) {
    Objects.requireNonNull(kind, "kind");
    writeLock.lock();
    try {
      ensureOpen();
      long next = resourceVersion + 1;
      Change<T> change;
      long compacted;
      try {
        useDurability(durability);
        execute("BEGIN IMMEDIATE");
        change = step.apply(next);
        compacted =
            change.type() == null ? compactedResourceVersion : append(kind, name, next, change);
        execute("COMMIT");
      } catch (SQLException e) {
        rollbackWriter();
        throw failure(kind, name, "write", e);
      } catch (RuntimeException e) {
        rollbackWriter();
        throw e;
      }
      if (change.type() != null) {
        compactedResourceVersion = compacted;
        publish(next);
      }
      return change.result();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * How a write reaches the disk. Spec, metadata and deletions are what people and tools asked for
   * and must survive a power cut once acknowledged: the commit waits for fsync ({@code
   * synchronous=FULL}). Status is observation that gateways and controllers re-derive (the next
   * heartbeat, the next reconcile): its commits skip the fsync ({@code NORMAL}) and reach the disk
   * with the next synced commit or WAL checkpoint. Either way the file stays consistent, and a
   * process crash loses nothing.
   */
  private enum Durability {
    SYNCED("FULL"),
    LAZY("NORMAL");

    private final String pragma;

    Durability(String pragma) {
      this.pragma = pragma;
    }
  }

  private void useDurability(Durability durability) throws SQLException {
    if (durability == writerDurability) {
      return;
    }
    execute("PRAGMA synchronous = " + durability.pragma);
    writerDurability = durability;
  }

  /**
   * Runs a statement on the writer. The writer stays in auto-commit mode and opens its transactions
   * itself, because the sync level can only change between transactions.
   */
  private void execute(String sql) throws SQLException {
    try (Statement statement = writer.createStatement()) {
      statement.execute(sql);
    }
  }

  private void rollbackWriter() {
    try {
      execute("ROLLBACK");
    } catch (SQLException e) {
      LOG.debug("Store {} rollback: {}", dbFile, e.getMessage());
    }
  }

  /** Appends the event, advances the version and prunes; returns the new compacted version. */
  private long append(Kind<?> kind, String name, long version, Change<?> change)
      throws SQLException {
    PreparedStatement insert =
        statement(
            "INSERT INTO events (resource_version, kind, name, type, json, blob)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
    insert.setLong(1, version);
    insert.setString(2, kind.plural());
    insert.setString(3, name);
    insert.setString(4, change.type().name());
    insert.setString(5, change.json());
    insert.setString(6, change.blob());
    insert.executeUpdate();
    writeMeta(META_VERSION, version);
    return prune(version);
  }

  private long prune(long version) throws SQLException {
    if (version - compactedResourceVersion < (long) eventRetention + pruneBatch) {
      return compactedResourceVersion;
    }
    long compacted = version - eventRetention;
    PreparedStatement delete = statement("DELETE FROM events WHERE resource_version <= ?");
    delete.setLong(1, compacted);
    int pruned = delete.executeUpdate();
    writeMeta(META_COMPACTED, compacted);
    int swept = blobs.sweep(writer);
    LOG.debug(
        "Store {} pruned {} events up to resourceVersion {} and {} module blobs",
        dbFile,
        pruned,
        compacted,
        swept);
    return compacted;
  }

  private void publish(long version) {
    synchronized (progress) {
      resourceVersion = version;
      progress.notifyAll();
    }
  }

  // ---- rows ----

  private <R extends Resource<R>> ObjectNode selectForWrite(Kind<R> kind, R resource)
      throws SQLException {
    String name = resource.name();
    PreparedStatement select =
        statement("SELECT resource_version, json FROM resources WHERE kind = ? AND name = ?");
    select.setString(1, kind.plural());
    select.setString(2, name);
    long storedVersion;
    String text;
    try (ResultSet rows = select.executeQuery()) {
      if (!rows.next()) {
        throw new StoreException.NotFound(kind.kind(), name);
      }
      storedVersion = rows.getLong(1);
      text = rows.getString(2);
    }
    long given = resource.metadata().resourceVersion();
    if (given != storedVersion) {
      throw new StoreException.Conflict(kind.kind(), name, storedVersion, given);
    }
    return ResourceCodec.parseTree(kind, name, text);
  }

  private <R extends Resource<R>> Change<R> replaceRow(
      Kind<R> kind, String name, ObjectNode tree, long version, long generation)
      throws SQLException {
    ((ObjectNode) tree.get("metadata")).put("resourceVersion", version);
    String text = ResourceCodec.toJson(kind, name, tree);
    String blob = ModuleBlobs.reference(tree);
    R result = blobs.materialize(writer, kind, name, tree.deepCopy());
    PreparedStatement update =
        statement(
            "UPDATE resources SET resource_version = ?, generation = ?, json = ?, blob = ?"
                + " WHERE kind = ? AND name = ?");
    update.setLong(1, version);
    update.setLong(2, generation);
    update.setString(3, text);
    update.setString(4, blob);
    update.setString(5, kind.plural());
    update.setString(6, name);
    update.executeUpdate();
    return Change.of(result, WatchEvent.Type.MODIFIED, text, blob);
  }

  private String selectBlob(Kind<?> kind, String name) throws SQLException {
    PreparedStatement select = statement("SELECT blob FROM resources WHERE kind = ? AND name = ?");
    select.setString(1, kind.plural());
    select.setString(2, name);
    try (ResultSet rows = select.executeQuery()) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private static String selectJson(Connection c, Kind<?> kind, String name) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT json FROM resources WHERE kind = ? AND name = ?")) {
      select.setString(1, kind.plural());
      select.setString(2, name);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private <R extends Resource<R>> List<R> selectAll(Connection c, Kind<R> kind)
      throws SQLException {
    List<R> resources = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement("SELECT name, json FROM resources WHERE kind = ? ORDER BY name")) {
      select.setString(1, kind.plural());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          parseOrSkip(c, kind, rows.getString(1), rows.getString(2)).ifPresent(resources::add);
        }
      }
    }
    return resources;
  }

  private <R extends Resource<R>> EventBatch<R> selectEvents(
      Connection c, Kind<R> kind, long after, int limit, long head) throws SQLException {
    List<WatchEvent<R>> events = new ArrayList<>();
    long last = after;
    int count = 0;
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT resource_version, name, type, json FROM events"
                + " WHERE kind = ? AND resource_version > ? ORDER BY resource_version LIMIT ?")) {
      select.setString(1, kind.plural());
      select.setLong(2, after);
      select.setInt(3, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          count++;
          last = rows.getLong(1);
          WatchEvent.Type type = WatchEvent.Type.valueOf(rows.getString(3));
          parseOrSkip(c, kind, rows.getString(2), rows.getString(4))
              .ifPresent(r -> events.add(new WatchEvent<>(type, r)));
        }
      }
    }
    return new EventBatch<>(events, count == limit ? last : Math.max(last, head));
  }

  private <R extends Resource<R>> Optional<R> parseOrSkip(
      Connection c, Kind<R> kind, String name, String text) throws SQLException {
    try {
      return Optional.of(blobs.parse(c, kind, name, text));
    } catch (StoreException.Corrupt e) {
      LOG.error("{}; skipping it", e.getMessage());
      return Optional.empty();
    }
  }

  // ---- checks ----

  private static <R extends Resource<R>> String checkResource(Kind<R> kind, R resource) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(resource, "resource");
    String name = resource.name();
    if (!kind.type().isInstance(resource)) {
      throw new StoreException.Invalid(
          kind.kind(),
          name,
          "type " + resource.getClass().getSimpleName() + " (expected: " + kind.type() + ")");
    }
    try {
      Labels.check(resource.metadata().labels());
    } catch (IllegalArgumentException e) {
      throw new StoreException.Invalid(kind.kind(), name, "metadata.labels: " + e.getMessage());
    }
    return name;
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreException(null, null, "store " + dbFile + " is closed", null);
    }
  }

  private static void backOff(int attempt) {
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1, attempt * 50_000L));
  }

  private static StoreException failure(Kind<?> kind, String name, String what, SQLException e) {
    String subject = kind + (name == null ? "" : " '" + name + "'");
    return new StoreException(
        kind == null ? null : kind.kind(),
        name,
        "SQLite " + what + " of " + subject + " failed: " + e.getMessage(),
        e);
  }

  // ---- connections and schema ----

  static long readMeta(Connection c, String key) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      select.setString(1, key);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("meta." + key + " missing");
        }
        return rows.getLong(1);
      }
    }
  }

  private void writeMeta(String key, long value) throws SQLException {
    PreparedStatement update = statement("UPDATE meta SET value = ? WHERE key = ?");
    update.setLong(1, value);
    update.setString(2, key);
    update.executeUpdate();
  }

  /** A prepared statement on the writer connection, kept for reuse; call under the write lock. */
  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement statement = writerStatements.get(sql);
    if (statement == null) {
      statement = writer.prepareStatement(sql);
      writerStatements.put(sql, statement);
    }
    return statement;
  }

  private Connection borrowReader(Kind<?> kind, String name) {
    try {
      while (true) {
        Connection connection = readers.poll(100, TimeUnit.MILLISECONDS);
        if (connection != null) {
          return connection;
        }
        ensureOpen(); // closed meanwhile: the pool is being drained and will stay empty
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          kind == null ? null : kind.kind(), name, "interrupted waiting for a connection", e);
    }
  }

  private void closeReaders() {
    for (int i = 0; i < READ_CONNECTIONS; i++) {
      try {
        Connection reader = readers.poll(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (reader == null) {
          LOG.warn("Store {} closed with a read connection still in use", dbFile);
          return;
        }
        SqliteFiles.closeQuietly(reader);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("Rollback failed: {}", e.getMessage());
    }
  }
}

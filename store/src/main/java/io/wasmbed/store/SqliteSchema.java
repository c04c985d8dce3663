package io.wasmbed.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the store's tables and migrates files written by older versions, in one transaction on
 * open. A new file is created at version 1 and migrated like an old one, so both end with the same
 * schema.
 *
 * <ul>
 *   <li>1: {@code meta}, {@code resources}, {@code events}; module bytes inline in the JSON.
 *   <li>2: {@code blobs (digest, size, bytes)} and a {@code blob} column in {@code resources} and
 *       {@code events}; inline module bytes of existing rows move to {@code blobs} (see {@link
 *       ModuleBlobs}), then the file is vacuumed to give the space back.
 * </ul>
 */
final class SqliteSchema {

  static final int VERSION = 2;

  private static final Logger LOG = LoggerFactory.getLogger(SqliteSchema.class);
  private static final String META_SCHEMA = "schema_version";
  private static final int BATCH = 16;

  private SqliteSchema() {}

  /**
   * @throws StoreException if the file was written by a newer schema
   */
  static void prepare(Connection writer, Path dbFile, ModuleBlobs blobs) throws SQLException {
    Migration moved = new Migration();
    execute(writer, "BEGIN IMMEDIATE");
    try {
      long version = version(writer);
      if (version > VERSION) {
        throw refuseNewerSchema(dbFile, version);
      }
      if (version == 0) {
        createVersion1(writer);
      }
      if (version < 2) {
        migrateTo2(writer, blobs, moved);
      }
      execute(writer, "COMMIT");
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(writer);
      throw e;
    }
    if (moved.rows > 0) {
      execute(writer, "VACUUM");
      LOG.info(
          "Store {} migrated from schema {} to {}: moved {} bytes of inline modules out of {} rows",
          dbFile,
          1,
          VERSION,
          moved.bytes,
          moved.rows);
    }
  }

  private static long version(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) {
      if (!rows.next()) {
        return 0;
      }
    }
    return SqliteResourceStore.readMeta(c, META_SCHEMA);
  }

  private static StoreException refuseNewerSchema(Path dbFile, long version) {
    return new StoreException(
        null,
        null,
        "store "
            + dbFile
            + ": schema version "
            + version
            + " (expected: at most "
            + VERSION
            + "; written by a newer Wasmbed)",
        null);
  }

  private static void createVersion1(Connection c) throws SQLException {
    execute(c, "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID");
    execute(
        c,
        "CREATE TABLE resources (kind TEXT NOT NULL, name TEXT NOT NULL,"
            + " uid TEXT NOT NULL, resource_version INTEGER NOT NULL,"
            + " generation INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, name))"
            + " WITHOUT ROWID");
    execute(
        c,
        "CREATE TABLE events (resource_version INTEGER PRIMARY KEY,"
            + " kind TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL)");
    execute(c, "CREATE INDEX events_by_kind ON events (kind, resource_version)");
    execute(
        c,
        "INSERT INTO meta (key, value) VALUES ('"
            + META_SCHEMA
            + "', 1), ('"
            + SqliteResourceStore.META_VERSION
            + "', 0), ('"
            + SqliteResourceStore.META_COMPACTED
            + "', 0)");
  }

  private static void migrateTo2(Connection c, ModuleBlobs blobs, Migration moved)
      throws SQLException {
    execute(
        c,
        "CREATE TABLE blobs (digest TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL,"
            + " bytes BLOB NOT NULL)");
    execute(c, "ALTER TABLE resources ADD COLUMN blob TEXT");
    execute(c, "ALTER TABLE events ADD COLUMN blob TEXT");
    execute(c, "CREATE INDEX resources_by_blob ON resources (blob) WHERE blob IS NOT NULL");
    execute(c, "CREATE INDEX events_by_blob ON events (blob) WHERE blob IS NOT NULL");
    moveResourceModules(c, blobs, moved);
    moveEventModules(c, blobs, moved);
    execute(c, "UPDATE meta SET value = 2 WHERE key = '" + META_SCHEMA + "'");
  }

  private static void moveResourceModules(Connection c, ModuleBlobs blobs, Migration moved)
      throws SQLException {
    String after = "";
    while (true) {
      int seen = 0;
      try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT name, json FROM resources WHERE kind = ? AND name > ?"
                      + " ORDER BY name LIMIT "
                      + BATCH);
          PreparedStatement update =
              c.prepareStatement(
                  "UPDATE resources SET json = ?, blob = ? WHERE kind = ? AND name = ?")) {
        select.setString(1, Kind.APPLICATION.plural());
        select.setString(2, after);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            seen++;
            after = rows.getString(1);
            ModuleBlobs.Migrated m = blobs.migrate(c, after, rows.getString(2));
            if (m != null) {
              update.setString(1, m.json());
              update.setString(2, m.digest());
              update.setString(3, Kind.APPLICATION.plural());
              update.setString(4, after);
              update.addBatch();
              moved.add(m);
            }
          }
        }
        update.executeBatch();
      }
      if (seen < BATCH) {
        return;
      }
    }
  }

  private static void moveEventModules(Connection c, ModuleBlobs blobs, Migration moved)
      throws SQLException {
    long after = 0;
    while (true) {
      int seen = 0;
      try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT resource_version, name, json FROM events WHERE kind = ?"
                      + " AND resource_version > ? ORDER BY resource_version LIMIT "
                      + BATCH);
          PreparedStatement update =
              c.prepareStatement(
                  "UPDATE events SET json = ?, blob = ? WHERE resource_version = ?")) {
        select.setString(1, Kind.APPLICATION.plural());
        select.setLong(2, after);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            seen++;
            after = rows.getLong(1);
            ModuleBlobs.Migrated m = blobs.migrate(c, rows.getString(2), rows.getString(3));
            if (m != null) {
              update.setString(1, m.json());
              update.setString(2, m.digest());
              update.setLong(3, after);
              update.addBatch();
              moved.add(m);
            }
          }
        }
        update.executeBatch();
      }
      if (seen < BATCH) {
        return;
      }
    }
  }

  /** What a migration moved, for its log line. */
  private static final class Migration {
    private long rows;
    private long bytes;

    void add(ModuleBlobs.Migrated m) {
      rows++;
      bytes += m.moduleBytes();
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      execute(c, "ROLLBACK");
    } catch (SQLException e) {
      LOG.debug("Schema rollback failed: {}", e.getMessage());
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }
}

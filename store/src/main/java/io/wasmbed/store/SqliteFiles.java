package io.wasmbed.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/** Opening the SQLite file: the process lock, owner-only creation and connection settings. */
final class SqliteFiles {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteFiles.class);
  private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);

  private SqliteFiles() {}

  /**
   * Takes the store's process lock, {@code <file>.lock}, held until the returned channel is closed.
   *
   * @throws StoreException if another process (or another open store in this one) holds it
   */
  static FileChannel lock(Path file) {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      createOwnerOnly(lockFile);
      channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        throw refuseLockedStore(file, lockFile, null);
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw refuseLockedStore(file, lockFile, e);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException(null, null, "cannot lock store " + lockFile + ": " + e, e);
    }
  }

  private static StoreException refuseLockedStore(Path file, Path lockFile, Throwable cause) {
    return new StoreException(
        null,
        null,
        "store " + file + " is in use (" + lockFile + " is locked; one process owns a store)",
        cause);
  }

  static void createOwnerOnly(Path file) throws IOException {
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      // opened before: keep it as it is
    }
  }

  static Connection connect(Path file, boolean readOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
    Connection connection = config.createConnection("jdbc:sqlite:" + file);
    if (readOnly) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA query_only = ON");
      }
      // readers group their queries into one read transaction (one consistent snapshot)
      connection.setAutoCommit(false);
    }
    return connection;
  }

  static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("Closing {} failed: {}", closeable, e.getMessage());
    }
  }
}

package io.wasmbed.controlplane.auth;

import io.wasmbed.controlplane.ControlPlaneException;
import io.wasmbed.controlplane.auth.AuthenticationException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys, persisted in an owner-only SQLite file. Keys look like {@code wb_} followed by 32
 * random bytes in base64url (43 characters); the first 8 of those, with the prefix, are the key's
 * visible id. Only the SHA-256 of a key is stored: the keys are 256-bit random values, so a fast
 * hash is enough and a slow password hash would only cost time on every request.
 */
public final class ApiKeys implements AutoCloseable {

  public static final String PREFIX = "wb_";

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final int SECRET_BYTES = 32;
  private static final int ID_CHARS = 8;
  private static final Pattern KEY_SHAPE = Pattern.compile("wb_[A-Za-z0-9_-]{43}");
  private static final Pattern NAME_SHAPE = Pattern.compile("[A-Za-z0-9._-]{1,63}");
  private static final String NAME_EXPECTED = "letters, digits, '-', '_' or '.', 1-63 characters";
  private static final int ECHO_CHARS = 64;
  private static final Duration LAST_USED_RESOLUTION = Duration.ofSeconds(1);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final Connection db;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Stored> keys = new ConcurrentHashMap<>();

  private record Stored(ApiKey key, byte[] hash) {}

  /** A key as created: its record and the plaintext, which is not kept anywhere. */
  public record CreatedKey(ApiKey key, String plaintext) {
    @Override
    public String toString() {
      return "CreatedKey[" + key + ", plaintext=<hidden>]";
    }
  }

  private ApiKeys(Connection db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Opens (creating owner-only if needed) the key file. */
  public static ApiKeys open(Path file, Clock clock) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(clock, "clock");
    createOwnerOnly(file);
    try {
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement statement = db.createStatement()) {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS api_keys ("
                + "id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
                + "hash BLOB NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER, "
                + "last_used_at INTEGER, revoked_at INTEGER)");
      }
      ApiKeys apiKeys = new ApiKeys(db, clock);
      apiKeys.load();
      return apiKeys;
    } catch (SQLException e) {
      throw new IllegalStateException("API key file " + file + " could not be opened", e);
    }
  }

  /**
   * Creates a key. The plaintext is returned once and never stored.
   *
   * @param validFor null for a key that does not expire
   */
  public synchronized CreatedKey create(String name, Role role, Duration validFor) {
    requireName(name);
    Objects.requireNonNull(role, "role");
    if (validFor != null && (validFor.isNegative() || validFor.isZero())) {
      throw new IllegalArgumentException("validFor: " + validFor + " (expected: positive)");
    }
    Instant now = clock.instant();
    Optional<ApiKey> sameName =
        keys.values().stream()
            .map(Stored::key)
            .filter(k -> k.name().equals(name) && active(k, now))
            .findFirst();
    if (sameName.isPresent()) {
      log.info(
          "API key creation for {} refused: active key {} has that name",
          name,
          sameName.get().id());
      throw new ControlPlaneException.Conflict(
          "name: '"
              + name
              + "' is already used by active API key '"
              + sameName.get().id()
              + "' (expected: a name no active key has, or revoke that key first)");
    }
    Instant expiresAt = validFor == null ? null : now.plus(validFor);
    String plaintext;
    String id;
    do {
      byte[] secret = new byte[SECRET_BYTES];
      random.nextBytes(secret);
      plaintext = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      id = idOf(plaintext);
    } while (keys.containsKey(id));

    ApiKey key = new ApiKey(id, name, role, now, expiresAt, null, null);
    byte[] hash = sha256(plaintext);
    insert(key, hash);
    keys.put(id, new Stored(key, hash));
    log.info(
        "API key {} created for {} with role {}, expires {}",
        id,
        name,
        role,
        expiresAt == null ? "never" : expiresAt);
    return new CreatedKey(key, plaintext);
  }

  /**
   * Checks a presented key and records its use.
   *
   * @throws AuthenticationException with the reason the key is refused
   */
  public ApiKey verify(String presented) {
    if (presented == null || presented.isEmpty()) {
      throw new AuthenticationException(Reason.missing_key, "", "no API key presented");
    }
    if (!KEY_SHAPE.matcher(presented).matches()) {
      throw new AuthenticationException(
          Reason.malformed_key, "", "API key is not of the form wb_ followed by 43 characters");
    }
    String id = idOf(presented);
    Stored stored = keys.get(id);
    byte[] hash = sha256(presented);
    if (stored == null) {
      throw new AuthenticationException(Reason.unknown_key, id, "API key " + id + " is unknown");
    }
    if (!MessageDigest.isEqual(stored.hash(), hash)) {
      throw new AuthenticationException(Reason.wrong_secret, id, "API key " + id + " is unknown");
    }
    Instant now = clock.instant();
    if (stored.key().revoked()) {
      throw new AuthenticationException(Reason.revoked_key, id, "API key " + id + " is revoked");
    }
    if (stored.key().expired(now)) {
      throw new AuthenticationException(
          Reason.expired_key, id, "API key " + id + " expired at " + stored.key().expiresAt());
    }
    return recordUse(stored, now);
  }

  /** All keys, newest first, without secrets. */
  public List<ApiKey> list() {
    List<ApiKey> all = new ArrayList<>();
    keys.values().forEach(s -> all.add(s.key()));
    all.sort(Comparator.comparing(ApiKey::createdAt).reversed().thenComparing(ApiKey::id));
    return all;
  }

  public Optional<ApiKey> get(String id) {
    return Optional.ofNullable(keys.get(id)).map(Stored::key);
  }

  /**
   * Revokes a key; later requests with it are refused. The last active admin key cannot be revoked,
   * so that someone can always manage keys.
   *
   * @return false if there is no such key
   * @throws ControlPlaneException.Conflict if {@code id} is the last active admin key
   */
  public synchronized boolean revoke(String id) {
    Stored stored = keys.get(id);
    if (stored == null) {
      return false;
    }
    if (stored.key().revoked()) {
      return true;
    }
    Instant now = clock.instant();
    ApiKey key = stored.key();
    if (key.role() == Role.admin
        && active(key, now)
        && keys.values().stream()
            .map(Stored::key)
            .noneMatch(k -> !k.id().equals(id) && k.role() == Role.admin && active(k, now))) {
      log.info(
          "API key {} ({}) revocation refused: it is the last active admin key", id, key.name());
      throw new ControlPlaneException.Conflict(
          "API key '"
              + id
              + "' is the last active admin key (expected: create another admin key first)");
    }
    update("UPDATE api_keys SET revoked_at = ? WHERE id = ?", now, id);
    keys.computeIfPresent(
        id, (k, current) -> new Stored(current.key().withRevokedAt(now), current.hash()));
    log.info("API key {} ({}) revoked", id, stored.key().name());
    return true;
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.debug("API key file close failed: {}", e.toString());
    }
  }

  /** Whether a key can be used at {@code now}: neither revoked nor expired. */
  private static boolean active(ApiKey key, Instant now) {
    return !key.revoked() && !key.expired(now);
  }

  /** Refuses names that are missing, too long, or hold anything but the allowed characters. */
  private static void requireName(String name) {
    if (name == null) {
      throw new ControlPlaneException.Invalid("name", "missing", NAME_EXPECTED);
    }
    if (!NAME_SHAPE.matcher(name).matches()) {
      throw new ControlPlaneException.Invalid("name", echo(name), NAME_EXPECTED);
    }
  }

  /** A refused value quoted for a message: control characters escaped, long values shortened. */
  private static String echo(String value) {
    StringBuilder out = new StringBuilder("'");
    int shown = Math.min(value.length(), ECHO_CHARS);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('\'');
    if (value.length() > ECHO_CHARS) {
      out.append("... (").append(value.length()).append(" characters)");
    }
    return out.toString();
  }

  /** The visible id of a key: the prefix and the first characters of its secret part. */
  public static String idOf(String key) {
    return key.substring(0, Math.min(key.length(), PREFIX.length() + ID_CHARS));
  }

  private ApiKey recordUse(Stored stored, Instant now) {
    ApiKey key = stored.key();
    Instant last = key.lastUsedAt();
    if (last != null && Duration.between(last, now).compareTo(LAST_USED_RESOLUTION) < 0) {
      return key;
    }
    ApiKey used = key.withLastUsedAt(now);
    keys.computeIfPresent(
        key.id(), (id, current) -> new Stored(current.key().withLastUsedAt(now), current.hash()));
    synchronized (this) {
      update("UPDATE api_keys SET last_used_at = ? WHERE id = ?", now, key.id());
    }
    return used;
  }

  private synchronized void insert(ApiKey key, byte[] hash) {
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO api_keys (id, name, role, hash, created_at, expires_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, key.id());
      insert.setString(2, key.name());
      insert.setString(3, key.role().name());
      insert.setBytes(4, hash);
      insert.setLong(5, key.createdAt().toEpochMilli());
      setInstant(insert, 6, key.expiresAt());
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("API key " + key.id() + " could not be stored", e);
    }
  }

  private void update(String sql, Instant when, String id) {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      setInstant(statement, 1, when);
      statement.setString(2, id);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("API key " + id + " could not be updated", e);
    }
  }

  private synchronized void load() throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT id, name, role, hash, created_at, expires_at, last_used_at, revoked_at "
                    + "FROM api_keys")) {
      while (rows.next()) {
        ApiKey key =
            new ApiKey(
                rows.getString(1),
                rows.getString(2),
                Role.parse(rows.getString(3)),
                Instant.ofEpochMilli(rows.getLong(5)),
                instant(rows, 6),
                instant(rows, 7),
                instant(rows, 8));
        keys.put(key.id(), new Stored(key, rows.getBytes(4)));
      }
    }
  }

  private static Instant instant(ResultSet rows, int column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static void setInstant(PreparedStatement statement, int index, Instant value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setLong(index, value.toEpochMilli());
    }
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Creates the file rw------- before SQLite opens it, so it is never readable by others. */
  private static void createOwnerOnly(Path file) {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (Files.notExists(file)) {
        if (posix) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createFile(file);
        }
      } else if (posix && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        log.warn("API key file {} was readable by others; restricting it to its owner", file);
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("API key file " + file + " could not be created", e);
    }
  }
}

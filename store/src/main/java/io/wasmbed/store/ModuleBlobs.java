package io.wasmbed.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inline module bytes of Applications, kept once per content digest in the {@code blobs} table
 * instead of in every resource row and event: the application controller rewrites an Application's
 * status on every device state change, and each of those writes used to store the whole module
 * again.
 *
 * <h2>Stored form</h2>
 *
 * In a stored row or event the module object has no {@code inline} field but {@code "inlineBlob":
 * "sha256:<hex>"}, the key of its bytes in {@code blobs (digest, size, bytes)}; the row's {@code
 * blob} column repeats that key so references can be found by index. Reading puts the bytes back,
 * so callers always see {@code spec.module.inline}. Bytes are verified against their digest when
 * stored and when loaded, and loaded blobs are cached by size ({@value #CACHE_BYTES} bytes), so
 * many watch deliveries of one Application read the module from disk once.
 *
 * <h2>Garbage</h2>
 *
 * A blob is removed by {@link #sweep} once neither a resource nor a retained event refers to it.
 * The store sweeps when it prunes events, so a watch replaying any retained event (a DELETED one
 * included) always finds the bytes: a deleted or replaced module leaves the file after its last
 * event falls out of the event log.
 */
final class ModuleBlobs {

  static final String REFERENCE = "inlineBlob";

  private static final Logger LOG = LoggerFactory.getLogger(ModuleBlobs.class);
  private static final long CACHE_BYTES = 64L * 1024 * 1024;
  private static final String INLINE = "inline";
  private static final byte[] NO_BYTES = new byte[0];

  private final Cache<String, byte[]> cache =
      Caffeine.newBuilder()
          .maximumWeight(CACHE_BYTES)
          .weigher((String digest, byte[] bytes) -> bytes.length)
          .build();

  /**
   * The resource with its inline module bytes left out (an empty array in their place), so that
   * serialising it for the stored form or for its status does not encode megabytes of base64.
   */
  static <R extends Resource<R>> R withoutInlineBytes(Kind<R> kind, R resource) {
    if (!(resource instanceof Application app) || app.spec().module().inline() == null) {
      return resource;
    }
    Application.Spec s = app.spec();
    Application.Module module = new Application.Module(s.module().digest(), NO_BYTES, null, null);
    return kind.type()
        .cast(
            app.withSpec(
                new Application.Spec(
                    module,
                    s.signature(),
                    s.targets(),
                    s.limits(),
                    s.policy(),
                    s.config(),
                    s.restartPolicy(),
                    s.stopped())));
  }

  /**
   * Turns {@code tree}, the stored form of {@code resource} serialised {@link #withoutInlineBytes
   * without its bytes}, into a reference to the module's blob, storing the blob if it is new.
   *
   * @return the referenced digest, or null if the resource has no inline module
   * @throws StoreException.Invalid if the inline bytes do not hash to {@code spec.module.digest}
   */
  <R extends Resource<R>> String store(Connection c, Kind<R> kind, R resource, ObjectNode tree)
      throws SQLException {
    if (!(resource instanceof Application app) || app.spec().module().inline() == null) {
      return null;
    }
    Application.Module module = app.spec().module();
    byte[] bytes = module.inline();
    String actual = digest(bytes);
    if (!actual.equals(module.digest())) {
      throw rejectDigestMismatch(kind, resource.name(), bytes.length, actual, module.digest());
    }
    insertIfMissing(c, actual, bytes.clone());
    referTo((ObjectNode) tree.get("spec").get("module"), actual);
    return actual;
  }

  /** The digest a stored tree refers to, or null. */
  static String reference(ObjectNode tree) {
    JsonNode ref = tree.path("spec").path("module").get(REFERENCE);
    return ref == null || !ref.isTextual() ? null : ref.asText();
  }

  /** Reads a stored row or event, putting the module bytes back. */
  <R extends Resource<R>> R parse(Connection c, Kind<R> kind, String name, String text)
      throws SQLException {
    if (kind.type() != Application.class || !text.contains("\"" + REFERENCE + "\"")) {
      return ResourceCodec.parse(kind, name, text);
    }
    return materialize(c, kind, name, ResourceCodec.parseTree(kind, name, text));
  }

  /** The resource of a stored tree with the module bytes put back; {@code tree} is changed. */
  <R extends Resource<R>> R materialize(Connection c, Kind<R> kind, String name, ObjectNode tree)
      throws SQLException {
    String digest = reference(tree);
    if (digest != null) {
      ObjectNode module = (ObjectNode) tree.get("spec").get("module");
      module.remove(REFERENCE);
      module.set(INLINE, BinaryNode.valueOf(load(c, kind, name, digest)));
    }
    return ResourceCodec.fromTree(kind, name, tree);
  }

  /**
   * Moves the inline bytes of a row written by schema version 1 into {@code blobs}.
   *
   * @return the row's new stored form and the digest it refers to, or null to keep the row as it is
   *     (no inline module, unreadable, or bytes that do not match their digest)
   */
  Migrated migrate(Connection c, String name, String text) throws SQLException {
    ObjectNode tree;
    JsonNode inline;
    try {
      tree = ResourceCodec.parseTree(Kind.APPLICATION, name, text);
      inline = tree.path("spec").path("module").get(INLINE);
    } catch (StoreException.Corrupt e) {
      LOG.warn("{}; leaving it as it is", e.getMessage());
      return null;
    }
    if (inline == null || !inline.isTextual()) {
      return null;
    }
    ObjectNode module = (ObjectNode) tree.get("spec").get("module");
    byte[] bytes;
    try {
      bytes = inline.binaryValue();
    } catch (IOException e) {
      LOG.warn("Application '{}': spec.module.inline is not base64 ({}); leaving it", name, e);
      return null;
    }
    String digest = digest(bytes);
    if (!digest.equals(module.path("digest").asText())) {
      LOG.warn(
          "Application '{}': spec.module.inline hashes to {} (expected: {}); leaving it inline",
          name,
          digest,
          module.path("digest").asText());
      return null;
    }
    insertIfMissing(c, digest, bytes);
    referTo(module, digest);
    return new Migrated(ResourceCodec.toJson(Kind.APPLICATION, name, tree), digest, bytes.length);
  }

  record Migrated(String json, String digest, int moduleBytes) {}

  /**
   * Deletes the blobs no resource and no retained event refers to any more.
   *
   * @return how many were deleted
   */
  int sweep(Connection c) throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement(
            "DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.blob ="
                + " blobs.digest) AND NOT EXISTS (SELECT 1 FROM events e WHERE e.blob ="
                + " blobs.digest)")) {
      return delete.executeUpdate();
    }
  }

  private static void referTo(ObjectNode module, String digest) {
    module.remove(INLINE);
    module.put(REFERENCE, digest);
  }

  private void insertIfMissing(Connection c, String digest, byte[] bytes) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO blobs (digest, size, bytes) SELECT ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE digest = ?)")) {
      insert.setString(1, digest);
      insert.setLong(2, bytes.length);
      insert.setBytes(3, bytes);
      insert.setString(4, digest);
      if (insert.executeUpdate() > 0) {
        LOG.debug("Module blob {} stored ({} bytes)", digest, bytes.length);
      }
    }
    cache.put(digest, bytes);
  }

  private byte[] load(Connection c, Kind<?> kind, String name, String digest) throws SQLException {
    byte[] cached = cache.getIfPresent(digest);
    if (cached != null) {
      return cached;
    }
    byte[] bytes;
    try (PreparedStatement select =
        c.prepareStatement("SELECT bytes FROM blobs WHERE digest = ?")) {
      select.setString(1, digest);
      try (ResultSet rows = select.executeQuery()) {
        bytes = rows.next() ? rows.getBytes(1) : null;
      }
    }
    if (bytes == null) {
      throw corrupt(kind, name, "spec.module." + REFERENCE + ": " + digest + " (expected: a blob)");
    }
    String actual = digest(bytes);
    if (!actual.equals(digest)) {
      throw corrupt(kind, name, "blob " + digest + " hashes to " + actual);
    }
    cache.put(digest, bytes);
    return bytes;
  }

  private static StoreException.Corrupt corrupt(Kind<?> kind, String name, String problem) {
    return new StoreException.Corrupt(kind.kind(), name, new IllegalStateException(problem));
  }

  private static StoreException.Invalid rejectDigestMismatch(
      Kind<?> kind, String name, int size, String actual, String expected) {
    LOG.info("{} '{}' refused: inline module hashes to {}, not {}", kind, name, actual, expected);
    return new StoreException.Invalid(
        kind.kind(),
        name,
        "spec.module.inline: "
            + size
            + " bytes hashing to "
            + actual
            + " (expected: spec.module.digest "
            + expected
            + ")");
  }

  static String digest(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}

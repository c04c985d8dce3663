package io.wasmbed.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts resources to and from their stored JSON with {@link Json#mapper()}. A stored form that
 * cannot be read back is reported as {@link StoreException.Corrupt} naming kind and name.
 */
final class ResourceCodec {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceCodec.class);
  private static final ObjectMapper JSON = Json.mapper();

  private ResourceCodec() {}

  static <R extends Resource<R>> R parse(Kind<R> kind, String name, String text) {
    try {
      return JSON.readValue(text, kind.type());
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StoreException.Corrupt(kind.kind(), name, e);
    }
  }

  static ObjectNode parseTree(Kind<?> kind, String name, String text) {
    try {
      JsonNode tree = JSON.readTree(text);
      if (tree instanceof ObjectNode object && object.get("metadata") instanceof ObjectNode) {
        return object;
      }
      throw new IllegalArgumentException("not an object with metadata");
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StoreException.Corrupt(kind.kind(), name, e);
    }
  }

  static ObjectMeta metadataOf(Kind<?> kind, String name, ObjectNode tree) {
    try {
      return JSON.treeToValue(tree.get("metadata"), ObjectMeta.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StoreException.Corrupt(kind.kind(), name, e);
    }
  }

  static <R extends Resource<R>> R fromTree(Kind<R> kind, String name, ObjectNode tree) {
    try {
      return JSON.treeToValue(tree, kind.type());
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StoreException.Corrupt(kind.kind(), name, e);
    }
  }

  /**
   * The object as a tree parsed from its JSON text, so that it compares equal to a tree read from a
   * stored row (numbers and byte arrays get the same node types either way).
   */
  static ObjectNode tree(Kind<?> kind, String name, Object value) {
    return parseTreeOf(kind, name, toJson(kind, name, value));
  }

  private static ObjectNode parseTreeOf(Kind<?> kind, String name, String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new StoreException(kind.kind(), name, "cannot read back own JSON", e);
    }
  }

  static String toJson(Kind<?> kind, String name, Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StoreException(
          kind.kind(), name, "cannot write " + kind + " '" + name + "' as JSON", e);
    }
  }

  /** The stored row stamped with another resourceVersion; the row unchanged if it is corrupt. */
  static String withResourceVersion(Kind<?> kind, String name, String row, long version) {
    try {
      ObjectNode tree = (ObjectNode) JSON.readTree(row);
      ((ObjectNode) tree.get("metadata")).put("resourceVersion", version);
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.warn("{} '{}' is stored corrupt, passing it on as is: {}", kind, name, e.getMessage());
      return row;
    }
  }
}

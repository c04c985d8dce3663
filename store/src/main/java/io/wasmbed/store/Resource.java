package io.wasmbed.store;

/**
 * A stored object: metadata, the desired state ({@code spec}) written by people and tools, and the
 * observed state ({@code status}) written by controllers and gateways.
 */
public interface Resource<R extends Resource<R>> {
  ObjectMeta metadata();

  R withMetadata(ObjectMeta metadata);

  default String name() {
    return metadata().name();
  }
}

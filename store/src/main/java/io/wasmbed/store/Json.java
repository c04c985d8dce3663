package io.wasmbed.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON configuration of Wasmbed, shared by the store, the HTTP API and the CLI.
 *
 * <ul>
 *   <li>records through their canonical constructors, so the compact-constructor checks run on
 *       every read;
 *   <li>{@code java.time} values as ISO-8601 strings ({@code 2026-01-02T03:04:05Z}, {@code PT30S});
 *   <li>enums by name only (a number is rejected);
 *   <li>{@code byte[]} as base64;
 *   <li>null fields omitted; map entries sorted by key, so equal objects give equal text;
 *   <li><b>unknown properties are rejected.</b> Input comes from people (API, CLI, manifests): a
 *       misspelt {@code "stoped": true} must fail loudly rather than be dropped. The store only
 *       reads rows this mapper wrote, so strictness costs nothing there; reading a database written
 *       by a newer Wasmbed is not supported (the store checks its schema version on open).
 * </ul>
 *
 * <p>The returned mapper is shared and thread-safe; do not reconfigure it. Call {@code
 * mapper().copy()} for a variant.
 */
public final class Json {

  /**
   * Longest string value accepted when reading. Above Jackson's 20 M default so that an inline
   * module of a full 16 MiB frame (about 22.4 M base64 characters) still fits.
   */
  public static final int MAX_STRING_LENGTH = 32 * 1024 * 1024;

  private static final ObjectMapper MAPPER = build();

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper build() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build())
            .build();
    return JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .build();
  }
}

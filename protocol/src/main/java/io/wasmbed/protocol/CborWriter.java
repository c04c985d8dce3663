package io.wasmbed.protocol;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes the schema's item kinds through Jackson's {@link CBORGenerator}, always with definite
 * lengths.
 *
 * <p>Jackson writes text longer than 3996 chars as an indefinite-length chunked string when given a
 * {@code String}; text therefore goes through {@link CBORGenerator#writeRawUTF8String} (values) or
 * a pre-encoded {@link SerializedString} (map keys), which always write a definite length.
 */
final class CborWriter {

  /** Core deterministic key order (RFC 8949, 4.2.1): shorter encodings first, then bytewise. */
  private static final Comparator<byte[]> KEY_ORDER =
      Comparator.<byte[]>comparingInt(key -> key.length).thenComparing(Arrays::compareUnsigned);

  private final CBORGenerator generator;

  CborWriter(CBORGenerator generator) {
    this.generator = generator;
  }

  void startArray(int size) throws IOException {
    generator.writeStartArray(null, size);
  }

  void endArray() throws IOException {
    generator.writeEndArray();
  }

  void integer(long value) throws IOException {
    generator.writeNumber(value);
  }

  void bool(boolean value) throws IOException {
    generator.writeBoolean(value);
  }

  void bytes(byte[] value) throws IOException {
    generator.writeBinary(value);
  }

  void text(String field, String value) throws IOException {
    byte[] utf8 = utf8(field, value);
    generator.writeRawUTF8String(utf8, 0, utf8.length);
  }

  void textList(String field, List<String> values) throws IOException {
    startArray(values.size());
    for (String value : values) {
      text(field, value);
    }
    endArray();
  }

  void bytesList(List<byte[]> values) throws IOException {
    startArray(values.size());
    for (byte[] value : values) {
      bytes(value);
    }
    endArray();
  }

  /** A map of text to text, keys in deterministic order so equal maps encode to equal bytes. */
  void textMap(String field, Map<String, String> map) throws IOException {
    List<byte[]> keys = new ArrayList<>(map.size());
    for (String key : map.keySet()) {
      keys.add(utf8(field, key));
    }
    keys.sort(KEY_ORDER);

    generator.writeStartObject(null, map.size());
    for (byte[] key : keys) {
      String name = new String(key, StandardCharsets.UTF_8);
      generator.writeFieldName(new SerializedString(name));
      text(field, map.get(name));
    }
    generator.writeEndObject();
  }

  /** UTF-8 of {@code value}; a lone surrogate cannot be sent and is refused, not replaced. */
  private static byte[] utf8(String field, String value) {
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      ByteBuffer buffer = encoder.encode(CharBuffer.wrap(value));
      return Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          field + ": text with an unpaired surrogate (expected: valid Unicode)", e);
    }
  }
}

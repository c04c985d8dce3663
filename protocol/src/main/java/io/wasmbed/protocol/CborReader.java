package io.wasmbed.protocol;

import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.CBORReadContext;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the schema's item kinds from Jackson's {@link CBORParser} and refuses anything else with a
 * {@link ProtocolException} that names the field, what arrived and what was expected.
 *
 * <p>Jackson decodes the CBOR; this class only checks what it reports. Two facts Jackson does not
 * expose as token types are taken from the item's <em>initial byte</em>, found at the parser's
 * token location (Jackson records it before reading the item, and items here never carry tags, so
 * it is the item's first byte): the major type, which tells an integer from a simple value and
 * names what arrived, and additional information 31, which marks an indefinite-length (chunked)
 * text or byte string — Jackson joins the chunks silently and offers no hook for them. Arrays and
 * maps use Jackson's own hook instead: {@link CBORReadContext#hasExpectedLength()} is false for an
 * indefinite-length container. No other byte is inspected; this is not a second CBOR parser.
 *
 * <p>Jackson is also lenient about UTF-8 (it accepts CESU-8 surrogates and overlong forms), so each
 * text string is re-encoded strictly and its length compared with the bytes the parser consumed for
 * it, less the head whose size the initial byte gives.
 */
final class CborReader {

  private static final int UNSIGNED = 0;
  private static final int NEGATIVE = 1;
  private static final int BYTES = 2;
  private static final int TEXT = 3;
  private static final int ARRAY = 4;
  private static final int MAP = 5;
  private static final int TAG = 6;

  private static final int INDEFINITE = 31;
  private static final int FALSE = 0xf4;
  private static final int TRUE = 0xf5;

  private final CBORParser parser;
  private final byte[] input;

  CborReader(CBORParser parser, byte[] input) {
    this.parser = parser;
    this.input = input;
  }

  /** Opens a definite-length array and returns its declared item count. */
  int startArray(String field) throws IOException {
    advance(field, "array");
    expectMajor(field, ARRAY, "array");
    CBORReadContext context = parser.getParsingContext();
    if (!context.hasExpectedLength()) {
      throw rejectIndefinite(field, "array");
    }
    return context.getExpectedLength();
  }

  /** Opens a definite-length array that must hold exactly {@code size} items. */
  void startArray(String field, int size) throws IOException {
    int actual = startArray(field);
    if (actual != size) {
      throw new ProtocolException(
          field + ": array of " + actual + " items (expected: " + size + " items)");
    }
  }

  /** Closes an array whose declared items have all been read. */
  void endArray(String field) throws IOException {
    JsonToken token = parser.nextToken();
    if (token != JsonToken.END_ARRAY) {
      throw new ProtocolException(field + ": array has more items than read");
    }
  }

  /** A non-negative integer that fits in a Java {@code long}. */
  long unsigned(String field) throws IOException {
    long value = readLong(field, "0 to " + Long.MAX_VALUE);
    if (value < 0) {
      throw new ProtocolException(
          field + ": " + value + " (expected: 0 to " + Long.MAX_VALUE + ")");
    }
    return value;
  }

  /** A signed integer that fits in a Java {@code long}. */
  long integer(String field) throws IOException {
    return readLong(field, Long.MIN_VALUE + " to " + Long.MAX_VALUE);
  }

  private long readLong(String field, String range) throws IOException {
    advance(field, "integer");
    int initial = initialByte(field);
    int major = initial >>> 5;
    if (major != UNSIGNED && major != NEGATIVE) {
      throw new ProtocolException(field + ": " + describe(initial) + " (expected: integer)");
    }
    if (parser.getNumberType() == NumberType.BIG_INTEGER) {
      throw new ProtocolException(
          field + ": " + parser.getBigIntegerValue() + " (expected: " + range + ")");
    }
    return parser.getLongValue();
  }

  int int32(String field) throws IOException {
    long value = integer(field);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new ProtocolException(
          field
              + ": "
              + value
              + " (expected: "
              + Integer.MIN_VALUE
              + " to "
              + Integer.MAX_VALUE
              + ")");
    }
    return (int) value;
  }

  boolean bool(String field) throws IOException {
    advance(field, "boolean");
    int initial = initialByte(field);
    if (initial != FALSE && initial != TRUE) {
      throw new ProtocolException(field + ": " + describe(initial) + " (expected: boolean)");
    }
    return initial == TRUE;
  }

  String text(String field) throws IOException {
    advance(field, "text string");
    return currentText(field);
  }

  byte[] bytes(String field) throws IOException {
    advance(field, "byte string");
    return currentBytes(field);
  }

  List<String> textList(String field) throws IOException {
    startArray(field);
    List<String> values = new ArrayList<>();
    while (advance(field, "text string") != JsonToken.END_ARRAY) {
      values.add(currentText(field + "[" + values.size() + "]"));
    }
    return values;
  }

  List<byte[]> bytesList(String field) throws IOException {
    startArray(field);
    List<byte[]> values = new ArrayList<>();
    while (advance(field, "byte string") != JsonToken.END_ARRAY) {
      values.add(currentBytes(field + "[" + values.size() + "]"));
    }
    return values;
  }

  /** A definite-length map from text to text; a key may appear once. */
  Map<String, String> textMap(String field) throws IOException {
    advance(field, "map");
    expectMajor(field, MAP, "map");
    if (!parser.getParsingContext().hasExpectedLength()) {
      throw rejectIndefinite(field, "map");
    }
    Map<String, String> map = new LinkedHashMap<>();
    while (advance(field, "text string key") != JsonToken.END_OBJECT) {
      String key = currentText(field + " key");
      String value = text(field + "[" + quote(key) + "]");
      if (map.put(key, value) != null) {
        throw new ProtocolException(
            field + ": duplicate key " + quote(key) + " (expected: unique keys)");
      }
    }
    return map;
  }

  /** Byte offset just past what has been read. */
  long consumed() {
    return parser.currentLocation().getByteOffset();
  }

  private String currentText(String field) throws IOException {
    int initial = expectMajor(field, TEXT, "text string");
    if ((initial & 0x1f) == INDEFINITE) {
      throw rejectIndefinite(field, "text string");
    }
    long start = parser.currentTokenLocation().getByteOffset();
    String text = parser.getText();
    long utf8Length = parser.currentLocation().getByteOffset() - start - headerLength(initial);
    if (!isWellFormed(text, utf8Length)) {
      throw new ProtocolException(
          field + ": text string that is not well-formed UTF-8 (expected: UTF-8, RFC 3629)");
    }
    return text;
  }

  /**
   * Jackson decodes surrogate code points (CESU-8) and overlong forms without complaint. Such bytes
   * decode to a string with an unpaired surrogate, or to one whose UTF-8 form is shorter than what
   * arrived; both are refused here.
   */
  private static boolean isWellFormed(String text, long utf8Length) {
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return encoder.encode(CharBuffer.wrap(text)).remaining() == utf8Length;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Bytes of an item's head: the initial byte plus 0, 1, 2, 4 or 8 bytes of length. */
  private static int headerLength(int initial) {
    int info = initial & 0x1f;
    return info < 24 ? 1 : 1 + (1 << (info - 24));
  }

  private byte[] currentBytes(String field) throws IOException {
    int initial = expectMajor(field, BYTES, "byte string");
    if ((initial & 0x1f) == INDEFINITE) {
      throw rejectIndefinite(field, "byte string");
    }
    return parser.getBinaryValue();
  }

  private JsonToken advance(String field, String expected) throws IOException {
    JsonToken token;
    try {
      token = parser.nextToken();
    } catch (JsonEOFException e) {
      token = null;
    }
    if (token == null) {
      throw new ProtocolException(field + ": end of input (expected: " + expected + ")");
    }
    return token;
  }

  private int expectMajor(String field, int major, String expected) {
    int initial = initialByte(field);
    if (initial >>> 5 != major) {
      throw new ProtocolException(
          field + ": " + describe(initial) + " (expected: " + expected + ")");
    }
    return initial;
  }

  private int initialByte(String field) {
    long offset = parser.currentTokenLocation().getByteOffset();
    if (offset < 0 || offset >= input.length) {
      throw new ProtocolException(field + ": end of input");
    }
    return input[(int) offset] & 0xff;
  }

  /** A key for an error message, cut to 64 code points so a reply stays small. */
  private static String quote(String key) {
    int codePoints = key.codePointCount(0, key.length());
    return codePoints <= 64
        ? "\"" + key + "\""
        : "\"" + key.substring(0, key.offsetByCodePoints(0, 64)) + "\"...";
  }

  private static ProtocolException rejectIndefinite(String field, String kind) {
    return new ProtocolException(
        field + ": indefinite-length " + kind + " (expected: definite length)");
  }

  /** Names the kind of item an initial byte starts, for error messages. */
  static String describe(int initial) {
    return switch (initial >>> 5) {
      case UNSIGNED -> "unsigned integer";
      case NEGATIVE -> "negative integer";
      case BYTES -> "byte string";
      case TEXT -> "text string";
      case ARRAY -> "array";
      case MAP -> "map";
      case TAG -> "tagged item";
      default -> describeSimple(initial);
    };
  }

  private static String describeSimple(int initial) {
    return switch (initial) {
      case FALSE -> "false";
      case TRUE -> "true";
      case 0xf6 -> "null";
      case 0xf7 -> "undefined";
      case 0xf9, 0xfa, 0xfb -> "floating-point number";
      case 0xff -> "break";
      default -> "simple value";
    };
  }
}

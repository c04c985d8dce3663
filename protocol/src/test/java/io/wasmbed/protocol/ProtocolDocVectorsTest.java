package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The hex vectors of {@code docs/protocol.md} are what the codec writes and reads. */
class ProtocolDocVectorsTest {

  private static final Path DOC = Path.of("..", "docs", "protocol.md");
  private static final Pattern HEX_BLOCK =
      Pattern.compile("^```hex ([a-z-]+)\\n(.*?)^```$", Pattern.MULTILINE | Pattern.DOTALL);

  private static Map<String, byte[]> docVectors;

  @BeforeAll
  static void readDoc() throws IOException {
    docVectors = parseHexBlocks(Files.readString(DOC));
  }

  static Stream<String> vectorNames() {
    return Vectors.BY_NAME.keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("vectorNames")
  void encodesToTheDocumentedBytes(String name) {
    assertThat(docVectors).containsKey(name);
    byte[] encoded = MessageCodec.encode(Vectors.BY_NAME.get(name));

    assertThat(Vectors.hex(encoded)).isEqualTo(Vectors.hex(docVectors.get(name)));
  }

  @ParameterizedTest
  @MethodSource("vectorNames")
  void decodesTheDocumentedBytes(String name) {
    Envelope decoded = MessageCodec.decode(docVectors.get(name));

    assertThat(decoded).usingRecursiveComparison().isEqualTo(Vectors.BY_NAME.get(name));
  }

  @Test
  void documentsAVectorForEveryMessageTag() {
    Set<MessageTag> documented =
        docVectors.keySet().stream()
            .map(name -> MessageTag.of(Vectors.BY_NAME.get(name).message()))
            .collect(Collectors.toSet());

    assertThat(documented).containsExactlyInAnyOrder(MessageTag.values());
    assertThat(docVectors.keySet()).containsExactlyInAnyOrderElementsOf(Vectors.BY_NAME.keySet());
  }

  @Test
  void heartbeatWithIdZeroIsTheFiveBytesOfTheDesign() {
    assertThat(docVectors.get("heartbeat")).containsExactly(0x83, 0x00, 0x00, 0x81, 0x00);
  }

  /** Fenced blocks {@code ```hex name}: hex pairs, whitespace and {@code #} comments. */
  private static Map<String, byte[]> parseHexBlocks(String markdown) {
    Map<String, byte[]> blocks = new LinkedHashMap<>();
    Matcher matcher = HEX_BLOCK.matcher(markdown);
    while (matcher.find()) {
      String hex = matcher.group(2).replaceAll("#[^\\n]*", "");
      assertThat(blocks.put(matcher.group(1), Vectors.hex(hex)))
          .as("vector %s appears once", matcher.group(1))
          .isNull();
    }
    return blocks;
  }
}

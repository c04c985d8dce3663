package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link MessageCodec#decode}: whatever the bytes, it returns an
 * envelope that re-encodes to an equal one, or throws {@link ProtocolException}; any other
 * exception fails the test. A plain test run replays the seeds in {@code
 * MessageCodecFuzzTestInputs/} (the documented vectors and some damaged ones); {@code
 * JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class MessageCodecFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void decodeFailsOnlyWithProtocolException(byte[] input) {
    Envelope envelope;
    try {
      envelope = MessageCodec.decode(input);
    } catch (ProtocolException expected) {
      return;
    }
    assertThat(MessageCodec.decode(MessageCodec.encode(envelope)))
        .usingRecursiveComparison()
        .isEqualTo(envelope);
  }
}

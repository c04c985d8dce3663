package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.protocol.Message.EnrollmentRequest;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.protocol.Message.HeartbeatAck;
import io.wasmbed.protocol.Message.Stop;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  @Test
  void heartbeatWithIdZeroEncodesToFiveBytes() {
    assertThat(MessageCodec.encode(Envelope.of(0, new Heartbeat())))
        .containsExactly(0x83, 0x00, 0x00, 0x81, 0x00);
  }

  @Test
  void messageTagsMatchTheirRecords() {
    for (MessageTag tag : MessageTag.values()) {
      assertThat(tag.code()).isEqualTo(tag.ordinal());
      assertThat(tag.fieldCount()).isEqualTo(tag.type().getRecordComponents().length);
      assertThat(MessageTag.fromCode(tag.code())).isSameAs(tag);
    }
    assertThat(MessageTag.values()).hasSize(Message.class.getPermittedSubclasses().length);
  }

  @Test
  void nestedRecordArraysHaveOneItemPerComponent() {
    assertThat(ModuleLimits.class.getRecordComponents()).hasSize(MessageCodec.LIMITS_FIELDS);
    assertThat(ModulePolicy.class.getRecordComponents()).hasSize(MessageCodec.POLICY_FIELDS);
  }

  @Test
  void roundTripsAPolicyWithAllowedModules() {
    ModulePolicy policy =
        new ModulePolicy(
            List.of("wasmbed.log"),
            List.of("tick"),
            false,
            true,
            "compiled",
            List.of("t@sha256:00"));
    Envelope envelope =
        Envelope.of(
            9,
            new Message.Deploy(
                "t",
                "sha256:00",
                new byte[] {0},
                new byte[] {1},
                ModuleLimits.DEFAULTS,
                policy,
                Map.of()));

    Message.Deploy decoded =
        (Message.Deploy) MessageCodec.decode(MessageCodec.encode(envelope)).message();

    assertThat(decoded.policy()).isEqualTo(policy);
  }

  @Test
  void writesLongTextWithADefiniteLength() {
    String app = "a".repeat(5000);

    byte[] encoded = MessageCodec.encode(Envelope.of(1, new Stop(app)));

    // 83 00 01 82 09, then text string with a 2-byte length: 79 13 88
    assertThat(Arrays.copyOfRange(encoded, 5, 8)).containsExactly(0x79, 0x13, 0x88);
    assertThat(encoded).hasSize(8 + 5000);
    assertThat(MessageCodec.decode(encoded).message()).isEqualTo(new Stop(app));
  }

  @Test
  void writesLongByteStringsWithADefiniteLength() {
    byte[] csr = new byte[70_000];

    byte[] encoded = MessageCodec.encode(Envelope.of(1, new EnrollmentRequest(csr, "h", "")));

    // 83 00 01 84 03, then byte string with a 4-byte length: 5a 00 01 11 70
    assertThat(Arrays.copyOfRange(encoded, 5, 10)).containsExactly(0x5a, 0x00, 0x01, 0x11, 0x70);
  }

  @Test
  void writesIntegersInShortestForm() {
    byte[] encoded = MessageCodec.encode(Envelope.of(24, new HeartbeatAck(3_000_000_000L)));

    assertThat(Vectors.hex(encoded)).isEqualTo("83 00 18 18 82 01 1a b2 d0 5e 00");
  }

  @Test
  void writesNegativeIntegersAsMajorTypeOne() {
    byte[] encoded = MessageCodec.encode(Envelope.of(0, new HeartbeatAck(-1)));

    assertThat(Vectors.hex(encoded)).isEqualTo("83 00 00 82 01 20");
    assertThat(MessageCodec.decode(encoded).message()).isEqualTo(new HeartbeatAck(-1));
  }

  @Test
  void encodesEqualMapsToEqualBytesWhateverTheirOrder() {
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    List<String> keys = List.of("b", "a", "ccc", "é", "bb", "z");
    keys.forEach(key -> forward.put(key, key));
    for (int i = keys.size() - 1; i >= 0; i--) {
      backward.put(keys.get(i), keys.get(i));
    }

    byte[] one = MessageCodec.encode(Envelope.of(1, info(forward)));
    byte[] other = MessageCodec.encode(Envelope.of(1, info(backward)));

    assertThat(one).isEqualTo(other);
    assertThat(Vectors.hex(one)).contains("a6 61 61 61 61 61 62 61 62 61 7a 61 7a 62 62 62");
  }

  @Test
  void roundTripsTheLargestMessageId() {
    Envelope envelope = Envelope.of(Long.MAX_VALUE, new Heartbeat());

    byte[] encoded = MessageCodec.encode(envelope);

    assertThat(Vectors.hex(encoded)).isEqualTo("83 00 1b 7f ff ff ff ff ff ff ff 81 00");
    assertThat(MessageCodec.decode(encoded)).isEqualTo(envelope);
  }

  @Test
  void refusesToEncodeTextWithAnUnpairedSurrogate() {
    Envelope envelope = Envelope.of(1, new Stop("bad\ud800"));

    assertThatThrownBy(() -> MessageCodec.encode(envelope))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("app: text with an unpaired surrogate (expected: valid Unicode)");
  }

  @Test
  void roundTripsTextOutsideTheBasicPlane() {
    Envelope envelope = Envelope.of(1, new Stop("sensor-\uD83C\uDF21"));

    assertThat(MessageCodec.decode(MessageCodec.encode(envelope))).isEqualTo(envelope);
  }

  private static DeviceInfo info(Map<String, String> apps) {
    return new DeviceInfo("sim", "1", List.of(), 0, apps);
  }
}

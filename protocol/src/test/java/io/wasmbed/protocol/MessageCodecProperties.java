package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.protocol.Message.AppOutput;
import io.wasmbed.protocol.Message.AppPhase;
import io.wasmbed.protocol.Message.AppStatus;
import io.wasmbed.protocol.Message.Deploy;
import io.wasmbed.protocol.Message.DeployAck;
import io.wasmbed.protocol.Message.DeviceInfo;
import io.wasmbed.protocol.Message.EnrollmentAccepted;
import io.wasmbed.protocol.Message.EnrollmentComplete;
import io.wasmbed.protocol.Message.EnrollmentRejected;
import io.wasmbed.protocol.Message.EnrollmentRequest;
import io.wasmbed.protocol.Message.Heartbeat;
import io.wasmbed.protocol.Message.HeartbeatAck;
import io.wasmbed.protocol.Message.OutputKind;
import io.wasmbed.protocol.Message.ProtocolError;
import io.wasmbed.protocol.Message.Stop;
import io.wasmbed.protocol.Message.StopAck;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips of generated envelopes, and decoding of damaged and random bytes. */
class MessageCodecProperties {

  @Property
  void decodingAnEncodedEnvelopeGivesItBack(@ForAll("envelopes") Envelope envelope) {
    byte[] encoded = MessageCodec.encode(envelope);

    Envelope decoded = MessageCodec.decode(encoded);

    assertThat(decoded).usingRecursiveComparison().isEqualTo(envelope);
    assertThat(MessageCodec.encode(decoded)).isEqualTo(encoded);
  }

  @Property
  void everyProperPrefixIsRefused(@ForAll("envelopes") Envelope envelope) {
    byte[] encoded = MessageCodec.encode(envelope);

    for (int length = 0; length < encoded.length; length++) {
      byte[] prefix = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> MessageCodec.decode(prefix))
          .isExactlyInstanceOf(ProtocolException.class);
    }
  }

  @Property
  void appendedBytesAreRefused(
      @ForAll("envelopes") Envelope envelope, @ForAll @Size(min = 1, max = 8) byte[] extra) {
    byte[] encoded = MessageCodec.encode(envelope);
    byte[] longer = Arrays.copyOf(encoded, encoded.length + extra.length);
    System.arraycopy(extra, 0, longer, encoded.length, extra.length);

    assertThatThrownBy(() -> MessageCodec.decode(longer))
        .isExactlyInstanceOf(ProtocolException.class);
  }

  @Property(tries = 2000)
  void damagedEnvelopesOnlyEverFailWithProtocolException(
      @ForAll("envelopes") Envelope envelope,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte replacement) {
    byte[] damaged = MessageCodec.encode(envelope);
    damaged[position % damaged.length] = replacement;

    decodesOrFailsWithProtocolException(damaged);
  }

  @Property(tries = 2000)
  void randomBytesOnlyEverFailWithProtocolException(@ForAll @Size(max = 64) byte[] bytes) {
    decodesOrFailsWithProtocolException(bytes);
  }

  private static void decodesOrFailsWithProtocolException(byte[] bytes) {
    try {
      Envelope envelope = MessageCodec.decode(bytes);
      assertThat(MessageCodec.decode(MessageCodec.encode(envelope)))
          .usingRecursiveComparison()
          .isEqualTo(envelope);
    } catch (ProtocolException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Envelope> envelopes() {
    return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), messages()).as(Envelope::of);
  }

  private static Arbitrary<Message> messages() {
    return Arbitraries.oneOf(
        List.of(
            Arbitraries.just(new Heartbeat()),
            Arbitraries.longs().map(HeartbeatAck::new),
            Combinators.combine(text(), text(), texts(), Arbitraries.longs(), textMap())
                .as(DeviceInfo::new),
            Combinators.combine(bytes(), text(), text()).as(EnrollmentRequest::new),
            Combinators.combine(text(), bytes().list().ofMaxSize(3)).as(EnrollmentAccepted::new),
            text().map(EnrollmentRejected::new),
            text().map(EnrollmentComplete::new),
            deploys(),
            Combinators.combine(text(), Arbitraries.of(true, false), text()).as(DeployAck::new),
            text().map(Stop::new),
            Combinators.combine(text(), Arbitraries.of(true, false), text()).as(StopAck::new),
            Combinators.combine(text(), Arbitraries.of(AppPhase.class), text()).as(AppStatus::new),
            Combinators.combine(
                    text(), Arbitraries.of(OutputKind.class), text(), Arbitraries.longs())
                .as(AppOutput::new),
            text().map(ProtocolError::new)));
  }

  private static Arbitrary<Message> deploys() {
    Arbitrary<ModuleLimits> limits =
        Combinators.combine(
                List.of(
                    Arbitraries.integers().between(0, 65_536).map(Long::valueOf),
                    Arbitraries.longs().between(0, Integer.MAX_VALUE),
                    Arbitraries.longs().greaterOrEqual(0),
                    Arbitraries.longs().greaterOrEqual(0),
                    Arbitraries.longs().between(0, Integer.MAX_VALUE),
                    Arbitraries.longs().between(0, Integer.MAX_VALUE),
                    Arbitraries.longs().greaterOrEqual(0)))
            .as(
                v ->
                    new ModuleLimits(
                        v.get(0).intValue(),
                        v.get(1).intValue(),
                        v.get(2),
                        v.get(3),
                        v.get(4).intValue(),
                        v.get(5).intValue(),
                        v.get(6)));
    Arbitrary<ModulePolicy> policies =
        Combinators.combine(
                texts(),
                texts(),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false),
                Arbitraries.of("interpreter", "compiled", "auto"),
                texts())
            .as(ModulePolicy::new);
    Arbitrary<Map<String, String>> config = textMap();
    return Combinators.combine(text(), text(), bytes(), bytes(), limits, policies, config)
        .as(Deploy::new);
  }

  /** Valid Unicode text, including characters outside the Basic Multilingual Plane. */
  private static Arbitrary<String> text() {
    return Arbitraries.integers()
        .between(0, Character.MAX_CODE_POINT)
        .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
        .list()
        .ofMaxSize(12)
        .map(
            codePoints ->
                codePoints.stream()
                    .collect(
                        StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString());
  }

  private static Arbitrary<List<String>> texts() {
    return text().list().ofMaxSize(4);
  }

  private static Arbitrary<Map<String, String>> textMap() {
    return Arbitraries.maps(text(), text()).ofMaxSize(4);
  }

  private static Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
  }
}

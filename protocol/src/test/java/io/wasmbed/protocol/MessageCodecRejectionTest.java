package io.wasmbed.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Every way a body can be wrong is a {@link ProtocolException} that says what and where. */
class MessageCodecRejectionTest {

  private static final String DEPLOY =
      Vectors.hex(MessageCodec.encode(Vectors.BY_NAME.get("deploy")));

  @Test
  void rejectsEmptyInput() {
    rejects(new byte[0]).hasMessage("envelope: empty input (expected: a CBOR array)");
    assertThatThrownBy(() -> MessageCodec.decode(null)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void rejectsUnsupportedVersion() {
    rejects("83 01 00 81 00").hasMessage("version: unsupported version 1 (expected: 0)");
    rejects("83 1b 7f ff ff ff ff ff ff ff 00 81 00")
        .hasMessage("version: unsupported version 9223372036854775807 (expected: 0)");
  }

  @Test
  void rejectsUnknownTag() {
    rejects("83 00 00 81 18 63").hasMessage("tag: unknown tag 99 (expected: 0 to 13)");
    rejects("83 00 00 81 0e").hasMessage("tag: unknown tag 14 (expected: 0 to 13)");
  }

  @Test
  void rejectsWrongArityForTheTag() {
    rejects("83 00 00 82 00 00").hasMessage("Heartbeat: 1 fields (expected: 0 fields)");
    rejects("83 00 06 81 09").hasMessage("Stop: 0 fields (expected: 1 fields)");
    rejects("83 00 05 83 08 61 74 f5").hasMessage("DeployAck: 2 fields (expected: 3 fields)");
    rejects("83 00 00 80").hasMessage("message: empty array (expected: [tag, fields...])");
  }

  @Test
  void rejectsEnvelopeOfTheWrongShape() {
    rejects("82 00 00").hasMessage("envelope: array of 2 items (expected: 3 items)");
    rejects("84 00 00 81 00 00").hasMessage("envelope: array of 4 items (expected: 3 items)");
    rejects("a0").hasMessage("envelope: map (expected: array)");
    rejects("00").hasMessage("envelope: unsigned integer (expected: array)");
  }

  @Test
  void rejectsWrongItemTypeNamingTheField() {
    rejects("83 00 06 82 09 01").hasMessage("Stop.app: unsigned integer (expected: text string)");
    rejects("83 00 05 84 08 61 74 01 60")
        .hasMessage("DeployAck.accepted: unsigned integer (expected: boolean)");
    rejects("83 00 01 84 03 62 30 00 60 60")
        .hasMessage("EnrollmentRequest.csr: text string (expected: byte string)");
    rejects("83 00 00 82 01 61 31")
        .hasMessage("HeartbeatAck.gatewayTimeMillis: text string (expected: integer)");
    rejects("83 61 30 00 81 00").hasMessage("version: text string (expected: integer)");
    rejects("83 00 01 83 04 61 64 81 60")
        .hasMessage("EnrollmentAccepted.certificateChain[0]: text string (expected: byte string)");
  }

  @Test
  void rejectsSimpleValuesFloatsNullAndTags() {
    rejects("83 00 e5 81 00").hasMessage("messageId: simple value (expected: integer)");
    rejects("83 00 f9 3c 00 81 00")
        .hasMessage("messageId: floating-point number (expected: integer)");
    rejects("83 00 06 82 09 f6").hasMessage("Stop.app: null (expected: text string)");
    rejects("83 00 06 82 09 f7").hasMessage("Stop.app: undefined (expected: text string)");
    rejects("83 00 06 82 09 c0 61 74").hasMessage("Stop.app: tagged item (expected: text string)");
    rejects("83 00 c2 41 01 81 00").hasMessage("messageId: tagged item (expected: integer)");
    rejects("c0 83 00 00 81 00").hasMessage("envelope: tagged item (expected: array)");
  }

  @Test
  void rejectsNestingDeeperThanTheSchema() {
    rejects("83 00 06 82 09 81 81 81 61 74").hasMessage("Stop.app: array (expected: text string)");
    rejects("83 00 01 86 02 61 73 61 31 81 81 60 00 a0")
        .hasMessage("DeviceInfo.capabilities[0]: array (expected: text string)");

    byte[] deep = new byte[100_000];
    deep[0] = (byte) 0x83;
    deep[1] = 0x00;
    java.util.Arrays.fill(deep, 2, deep.length, (byte) 0x81);
    rejects(deep).hasMessage("messageId: array (expected: integer)");
  }

  @Test
  void rejectsIndefiniteLengthArraysAnywhere() {
    rejects("9f 00 00 81 00 ff")
        .hasMessage("envelope: indefinite-length array (expected: definite length)");
    rejects("83 00 00 9f 00 ff")
        .hasMessage("message: indefinite-length array (expected: definite length)");
    rejects("83 00 01 86 02 61 73 61 31 9f ff 00 a0")
        .hasMessage("DeviceInfo.capabilities: indefinite-length array (expected: definite length)");
    rejects(DEPLOY.replace("87 10 19", "9f 10 19").replace("03 e8 86", "03 e8 ff 86"))
        .hasMessage("Deploy.limits: indefinite-length array (expected: definite length)");
  }

  @Test
  void rejectsIndefiniteLengthMapsAnywhere() {
    rejects("83 00 01 86 02 61 73 61 31 80 00 bf ff")
        .hasMessage("DeviceInfo.apps: indefinite-length map (expected: definite length)");
  }

  @Test
  void rejectsIndefiniteLengthStringsAnywhere() {
    rejects("83 00 06 82 09 7f 61 74 ff")
        .hasMessage("Stop.app: indefinite-length text string (expected: definite length)");
    rejects("83 00 01 84 03 5f 42 30 00 ff 60 60")
        .hasMessage(
            "EnrollmentRequest.csr: indefinite-length byte string (expected: definite length)");
    rejects("83 00 01 86 02 61 73 61 31 80 00 a1 7f 61 6b ff 61 76")
        .hasMessage(
            "DeviceInfo.apps key: indefinite-length text string (expected: definite length)");
    rejects("83 00 01 86 02 61 73 61 31 80 00 a1 61 6b 7f 61 76 ff")
        .hasMessage(
            "DeviceInfo.apps[\"k\"]: indefinite-length text string (expected: definite length)");
  }

  @Test
  void rejectsTrailingBytes() {
    rejects("83 00 00 81 00 00")
        .hasMessage("envelope: 1 trailing bytes after the envelope (expected: none)");
    rejects("83 00 00 81 00 83 00 00 81 00")
        .hasMessage("envelope: 5 trailing bytes after the envelope (expected: none)");
  }

  @Test
  void rejectsNegativeMessageIds() {
    rejects("83 00 20 81 00").hasMessage("messageId: -1 (expected: 0 to 9223372036854775807)");
  }

  @Test
  void rejectsMessageIdsOverTwoToTheSixtyThreeMinusOne() {
    rejects("83 00 1b 80 00 00 00 00 00 00 00 81 00")
        .hasMessage("messageId: 9223372036854775808 (expected: 0 to 9223372036854775807)");
    rejects("83 00 1b ff ff ff ff ff ff ff ff 81 00")
        .hasMessage("messageId: 18446744073709551615 (expected: 0 to 9223372036854775807)");
    rejects("83 00 3b ff ff ff ff ff ff ff ff 81 00")
        .hasMessage("messageId: -18446744073709551616 (expected: 0 to 9223372036854775807)");
  }

  @Test
  void rejectsIntegersOutsideTheFieldsJavaType() {
    rejects(DEPLOY.replace("87 10 19", "87 1a 80 00 00 00 19"))
        .hasMessage(
            "Deploy.limits.maxMemoryPages: 2147483648 (expected: -2147483648 to 2147483647)");
    rejects("83 00 00 82 01 1b 80 00 00 00 00 00 00 00")
        .hasMessage(
            "HeartbeatAck.gatewayTimeMillis: 9223372036854775808"
                + " (expected: -9223372036854775808 to 9223372036854775807)");
  }

  @Test
  void rejectsValuesTheRecordsRefuse() {
    rejects(DEPLOY.replace("87 10 19", "87 1a 00 01 11 70 19"))
        .hasMessage("Deploy.limits.maxMemoryPages: 70000 (expected: at most 65536)");
    rejects(DEPLOY.replace("19 03 e8 86", "20 86"))
        .hasMessage("Deploy.limits.tickMillis: -1 (expected: zero or more)");
    rejects(DEPLOY.replace("64 61 75 74 6f", "64 66 61 73 74"))
        .hasMessage("Deploy.policy.executionMode: fast (expected: interpreter, compiled or auto)");
  }

  @Test
  void rejectsWrongArityOfNestedRecords() {
    rejects(DEPLOY.replace("87 10 19", "86 19"))
        .hasMessage("Deploy.limits: array of 6 items (expected: 7 items)");
    rejects(DEPLOY.replace("86 81 69", "85 81 69").replace("f4 f4 64", "f4 64"))
        .hasMessage("Deploy.policy: array of 5 items (expected: 6 items)");
  }

  @Test
  void rejectsUnknownEnumNumbers() {
    rejects("83 00 03 84 0b 61 74 04 60")
        .hasMessage("AppStatus.phase: 4 (expected: 0 STARTING, 1 RUNNING, 2 STOPPED or 3 FAILED)");
    rejects("83 00 04 85 0c 61 74 02 60 00")
        .hasMessage("AppOutput.kind: 2 (expected: 0 LOG or 1 READING)");
  }

  @Test
  void rejectsDuplicateAndNonTextMapKeys() {
    rejects("83 00 01 86 02 61 73 61 31 80 00 a2 61 6b 61 76 61 6b 61 77")
        .hasMessage("DeviceInfo.apps: duplicate key \"k\" (expected: unique keys)");
    String longKey = "78 64" + " 6b".repeat(100) + " 60";
    rejects("83 00 01 86 02 61 73 61 31 80 00 a2" + longKey + longKey)
        .hasMessage(
            "DeviceInfo.apps: duplicate key \"" + "k".repeat(64) + "\"... (expected: unique keys)");
    rejects("83 00 01 86 02 61 73 61 31 80 00 a1 01 61 76")
        .hasMessage("DeviceInfo.apps key: unsigned integer (expected: text string)");
  }

  @Test
  void rejectsTruncatedInput() {
    rejects("83 00").hasMessage("messageId: end of input (expected: integer)");
    rejects("83 00 00 81").hasMessage("tag: end of input (expected: integer)");
    rejects("83 00 06 82 09 62 74")
        .hasMessageStartingWith("malformed CBOR")
        .hasMessageContaining("end-of-input");
    String deploy = DEPLOY.replace(" ", "");
    for (int length = 1; length < deploy.length() / 2; length++) {
      rejects(deploy.substring(0, 2 * length));
    }
  }

  @Test
  void rejectsInvalidUtf8() {
    String notUtf8 =
        "Stop.app: text string that is not well-formed UTF-8 (expected: UTF-8, RFC 3629)";
    rejects("83 00 06 82 09 62 c3 28").hasMessageStartingWith("malformed CBOR");
    // U+D800 as CESU-8, which Jackson would decode to a lone surrogate
    rejects("83 00 06 82 09 63 ed a0 80").hasMessage(notUtf8);
    // "/" in the overlong two-byte form
    rejects("83 00 06 82 09 62 c0 af").hasMessage(notUtf8);
    // a code point above U+10FFFF
    rejects("83 00 06 82 09 64 f4 90 80 80").hasMessage(notUtf8);
    rejects("83 00 01 86 02 61 73 61 31 80 00 a1 63 ed a0 80 61 76")
        .hasMessage(
            "DeviceInfo.apps key: text string that is not well-formed UTF-8"
                + " (expected: UTF-8, RFC 3629)");
  }

  @Test
  void rejectsDeclaredLengthsBeyondTheInput() {
    rejects("83 00 06 82 09 7a ff ff ff ff 61").hasMessageStartingWith("malformed CBOR");
    rejects("83 00 01 84 03 5b 7f ff ff ff ff ff ff ff 00 60 60")
        .hasMessageStartingWith("malformed CBOR");
    rejects("83 00 01 86 02 61 73 61 31 9b 7f ff ff ff ff ff ff ff 60")
        .hasMessageStartingWith("malformed CBOR");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String hex) {
    return rejects(Vectors.hex(hex));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(byte[] bytes) {
    return assertThatThrownBy(() -> MessageCodec.decode(bytes))
        .isExactlyInstanceOf(ProtocolException.class);
  }
}

package io.wasmbed.protocol;

import java.util.Objects;

/**
 * The numeric tag that opens every message on the wire ({@code [tag, fields...]}), with the number
 * of fields that follow it. Tags are part of the protocol: never renumber one, only add new ones.
 */
public enum MessageTag {
  HEARTBEAT(0, Message.Heartbeat.class, 0),
  HEARTBEAT_ACK(1, Message.HeartbeatAck.class, 1),
  DEVICE_INFO(2, Message.DeviceInfo.class, 5),
  ENROLLMENT_REQUEST(3, Message.EnrollmentRequest.class, 3),
  ENROLLMENT_ACCEPTED(4, Message.EnrollmentAccepted.class, 2),
  ENROLLMENT_REJECTED(5, Message.EnrollmentRejected.class, 1),
  ENROLLMENT_COMPLETE(6, Message.EnrollmentComplete.class, 1),
  DEPLOY(7, Message.Deploy.class, 7),
  DEPLOY_ACK(8, Message.DeployAck.class, 3),
  STOP(9, Message.Stop.class, 1),
  STOP_ACK(10, Message.StopAck.class, 3),
  APP_STATUS(11, Message.AppStatus.class, 3),
  APP_OUTPUT(12, Message.AppOutput.class, 4),
  PROTOCOL_ERROR(13, Message.ProtocolError.class, 1);

  private static final MessageTag[] BY_CODE = values();

  private final int code;
  private final Class<? extends Message> type;
  private final int fieldCount;

  MessageTag(int code, Class<? extends Message> type, int fieldCount) {
    this.code = code;
    this.type = type;
    this.fieldCount = fieldCount;
  }

  /** The number written on the wire. */
  public int code() {
    return code;
  }

  /** The message record this tag carries. */
  public Class<? extends Message> type() {
    return type;
  }

  /** How many fields follow the tag in the message array. */
  public int fieldCount() {
    return fieldCount;
  }

  /** The message name as written in {@code docs/protocol.md}, for example {@code DeployAck}. */
  public String messageName() {
    return type.getSimpleName();
  }

  /**
   * The tag for a wire code.
   *
   * @throws ProtocolException if no message has that tag
   */
  public static MessageTag fromCode(long code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new ProtocolException(
          "tag: unknown tag " + code + " (expected: 0 to " + (BY_CODE.length - 1) + ")");
    }
    return BY_CODE[(int) code];
  }

  /** The tag of a message. */
  public static MessageTag of(Message message) {
    Objects.requireNonNull(message, "message");
    for (MessageTag tag : BY_CODE) {
      if (tag.type == message.getClass()) {
        return tag;
      }
    }
    throw new IllegalStateException("no tag for " + message.getClass().getName());
  }
}

package io.wasmbed.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Converts an {@link Envelope} to and from its CBOR form (RFC 8949):
 *
 * <pre>
 * envelope = [version: uint, messageId: uint, message]      definite-length array(3)
 * message  = [tag: uint, field1, field2, ...]               definite-length array(1 + fields)
 * </pre>
 *
 * <p>Fields are positional, in record component order. Strings are text strings, {@code byte[]}
 * byte strings, lists definite-length arrays, {@code Map<String, String>} definite-length maps with
 * text keys, {@link ModuleLimits} and {@link ModulePolicy} fixed-length arrays in component order,
 * enums small unsigned integers and booleans CBOR {@code true}/{@code false}. {@code
 * docs/protocol.md} is the normative description, with test vectors.
 *
 * <p>Decoding is strict: anything that does not match the schema exactly is a {@link
 * ProtocolException} naming the field, what arrived and what was expected. {@link #decode} throws
 * nothing else, whatever the input.
 */
public final class MessageCodec {

  private static final CBORFactory FACTORY = CBORFactory.builder().build();

  /** Items of the {@link ModuleLimits} array: one per record component, in order. */
  static final int LIMITS_FIELDS = 7;

  /** Items of the {@link ModulePolicy} array: one per record component, in order. */
  static final int POLICY_FIELDS = 6;

  private MessageCodec() {}

  /**
   * Encodes an envelope with definite lengths and shortest-form integers.
   *
   * @throws IllegalArgumentException if the envelope cannot be sent: a negative version, or text
   *     that is not valid Unicode (an unpaired surrogate)
   */
  public static byte[] encode(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.version() < 0) {
      throw new IllegalArgumentException(
          "version: " + envelope.version() + " (expected: zero or more)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (CBORGenerator generator = FACTORY.createGenerator(out)) {
      CborWriter writer = new CborWriter(generator);
      writer.startArray(3);
      writer.integer(envelope.version());
      writer.integer(envelope.messageId());
      writeMessage(writer, envelope.message());
      writer.endArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing CBOR to memory failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes exactly one envelope that fills {@code bytes}.
   *
   * @throws ProtocolException for any input that is not a valid envelope of the current version;
   *     never any other exception
   */
  public static Envelope decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new ProtocolException("envelope: empty input (expected: a CBOR array)");
    }
    try (CBORParser parser = FACTORY.createParser(bytes)) {
      CborReader reader = new CborReader(parser, bytes);
      Envelope envelope = readEnvelope(reader);
      rejectTrailingBytes(bytes.length - reader.consumed());
      return envelope;
    } catch (ProtocolException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw rejectMalformed(e);
    } catch (IOException | RuntimeException e) {
      // Jackson reports malformed input as IOException; anything else is a gap in the checks
      // above, still the peer's fault and still only a protocol error.
      throw new ProtocolException("malformed CBOR: " + e, e);
    }
  }

  private static ProtocolException rejectMalformed(JsonProcessingException e) {
    String where = e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset();
    return new ProtocolException("malformed CBOR" + where + ": " + e.getOriginalMessage(), e);
  }

  private static void writeMessage(CborWriter writer, Message message) throws IOException {
    MessageTag tag = MessageTag.of(message);
    writer.startArray(1 + tag.fieldCount());
    writer.integer(tag.code());
    writeFields(writer, message);
    writer.endArray();
  }

  private static void writeFields(CborWriter w, Message message) throws IOException {
    if (message instanceof Heartbeat) {
      return;
    } else if (message instanceof HeartbeatAck m) {
      w.integer(m.gatewayTimeMillis());
    } else if (message instanceof DeviceInfo m) {
      w.text("deviceType", m.deviceType());
      w.text("firmware", m.firmware());
      w.textList("capabilities", m.capabilities());
      w.integer(m.freeMemory());
      w.textMap("apps", m.apps());
    } else if (message instanceof EnrollmentRequest m) {
      w.bytes(m.csr());
      w.text("hardwareId", m.hardwareId());
      w.text("token", m.token());
    } else if (message instanceof EnrollmentAccepted m) {
      w.text("deviceId", m.deviceId());
      w.bytesList(m.certificateChain());
    } else if (message instanceof EnrollmentRejected m) {
      w.text("reason", m.reason());
    } else if (message instanceof EnrollmentComplete m) {
      w.text("deviceId", m.deviceId());
    } else if (message instanceof Deploy m) {
      writeDeploy(w, m);
    } else if (message instanceof DeployAck m) {
      w.text("app", m.app());
      w.bool(m.accepted());
      w.text("reason", m.reason());
    } else if (message instanceof Stop m) {
      w.text("app", m.app());
    } else if (message instanceof StopAck m) {
      w.text("app", m.app());
      w.bool(m.stopped());
      w.text("reason", m.reason());
    } else if (message instanceof AppStatus m) {
      w.text("app", m.app());
      w.integer(phaseCode(m.phase()));
      w.text("reason", m.reason());
    } else if (message instanceof AppOutput m) {
      w.text("app", m.app());
      w.integer(kindCode(m.kind()));
      w.text("text", m.text());
      w.integer(m.timeMillis());
    } else if (message instanceof ProtocolError m) {
      w.text("reason", m.reason());
    }
  }

  private static void writeDeploy(CborWriter w, Deploy m) throws IOException {
    w.text("app", m.app());
    w.text("digest", m.digest());
    w.bytes(m.module());
    w.bytes(m.signature());

    ModuleLimits limits = m.limits();
    w.startArray(LIMITS_FIELDS);
    w.integer(limits.maxMemoryPages());
    w.integer(limits.maxTableElements());
    w.integer(limits.instructionBudget());
    w.integer(limits.callTimeoutMillis());
    w.integer(limits.maxCallDepth());
    w.integer(limits.maxOutputBytes());
    w.integer(limits.tickMillis());
    w.endArray();

    ModulePolicy policy = m.policy();
    w.startArray(POLICY_FIELDS);
    w.textList("allowedImports", policy.allowedImports());
    w.textList("allowedExports", policy.allowedExports());
    w.bool(policy.allowFilesystem());
    w.bool(policy.allowNetwork());
    w.text("executionMode", policy.executionMode());
    w.textList("allowedModules", policy.allowedModules());
    w.endArray();

    w.textMap("config", m.config());
  }

  private static Envelope readEnvelope(CborReader r) throws IOException {
    r.startArray("envelope", 3);
    long version = r.unsigned("version");
    if (version != Envelope.CURRENT_VERSION) {
      throw new ProtocolException(
          "version: unsupported version "
              + version
              + " (expected: "
              + Envelope.CURRENT_VERSION
              + ")");
    }
    long messageId = r.unsigned("messageId");
    Message message = readMessage(r);
    r.endArray("envelope");
    return new Envelope((int) version, messageId, message);
  }

  private static Message readMessage(CborReader r) throws IOException {
    int items = r.startArray("message");
    if (items == 0) {
      throw new ProtocolException("message: empty array (expected: [tag, fields...])");
    }
    MessageTag tag = MessageTag.fromCode(r.unsigned("tag"));
    if (items - 1 != tag.fieldCount()) {
      throw new ProtocolException(
          tag.messageName()
              + ": "
              + (items - 1)
              + " fields (expected: "
              + tag.fieldCount()
              + " fields)");
    }
    Message message = readFields(r, tag, tag.messageName() + ".");
    r.endArray("message");
    return message;
  }

  private static Message readFields(CborReader r, MessageTag tag, String f) throws IOException {
    return switch (tag) {
      case HEARTBEAT -> new Heartbeat();
      case HEARTBEAT_ACK -> new HeartbeatAck(r.integer(f + "gatewayTimeMillis"));
      case DEVICE_INFO ->
          new DeviceInfo(
              r.text(f + "deviceType"),
              r.text(f + "firmware"),
              r.textList(f + "capabilities"),
              r.integer(f + "freeMemory"),
              r.textMap(f + "apps"));
      case ENROLLMENT_REQUEST ->
          new EnrollmentRequest(r.bytes(f + "csr"), r.text(f + "hardwareId"), r.text(f + "token"));
      case ENROLLMENT_ACCEPTED ->
          new EnrollmentAccepted(r.text(f + "deviceId"), r.bytesList(f + "certificateChain"));
      case ENROLLMENT_REJECTED -> new EnrollmentRejected(r.text(f + "reason"));
      case ENROLLMENT_COMPLETE -> new EnrollmentComplete(r.text(f + "deviceId"));
      case DEPLOY -> readDeploy(r, f);
      case DEPLOY_ACK ->
          new DeployAck(r.text(f + "app"), r.bool(f + "accepted"), r.text(f + "reason"));
      case STOP -> new Stop(r.text(f + "app"));
      case STOP_ACK -> new StopAck(r.text(f + "app"), r.bool(f + "stopped"), r.text(f + "reason"));
      case APP_STATUS ->
          new AppStatus(
              r.text(f + "app"), phase(r.unsigned(f + "phase"), f + "phase"), r.text(f + "reason"));
      case APP_OUTPUT ->
          new AppOutput(
              r.text(f + "app"),
              kind(r.unsigned(f + "kind"), f + "kind"),
              r.text(f + "text"),
              r.integer(f + "timeMillis"));
      case PROTOCOL_ERROR -> new ProtocolError(r.text(f + "reason"));
    };
  }

  private static Deploy readDeploy(CborReader r, String f) throws IOException {
    String app = r.text(f + "app");
    String digest = r.text(f + "digest");
    byte[] module = r.bytes(f + "module");
    byte[] signature = r.bytes(f + "signature");
    ModuleLimits limits = readLimits(r, f + "limits");
    ModulePolicy policy = readPolicy(r, f + "policy");
    return new Deploy(app, digest, module, signature, limits, policy, r.textMap(f + "config"));
  }

  private static ModuleLimits readLimits(CborReader r, String field) throws IOException {
    String f = field + ".";
    r.startArray(field, LIMITS_FIELDS);
    int maxMemoryPages = r.int32(f + "maxMemoryPages");
    int maxTableElements = r.int32(f + "maxTableElements");
    long instructionBudget = r.integer(f + "instructionBudget");
    long callTimeoutMillis = r.integer(f + "callTimeoutMillis");
    int maxCallDepth = r.int32(f + "maxCallDepth");
    int maxOutputBytes = r.int32(f + "maxOutputBytes");
    long tickMillis = r.integer(f + "tickMillis");
    r.endArray(field);
    try {
      return new ModuleLimits(
          maxMemoryPages,
          maxTableElements,
          instructionBudget,
          callTimeoutMillis,
          maxCallDepth,
          maxOutputBytes,
          tickMillis);
    } catch (IllegalArgumentException e) {
      throw rejectInvalidValue(field, e);
    }
  }

  private static ModulePolicy readPolicy(CborReader r, String field) throws IOException {
    String f = field + ".";
    r.startArray(field, POLICY_FIELDS);
    var allowedImports = r.textList(f + "allowedImports");
    var allowedExports = r.textList(f + "allowedExports");
    boolean allowFilesystem = r.bool(f + "allowFilesystem");
    boolean allowNetwork = r.bool(f + "allowNetwork");
    String executionMode = r.text(f + "executionMode");
    var allowedModules = r.textList(f + "allowedModules");
    r.endArray(field);
    try {
      return new ModulePolicy(
          allowedImports,
          allowedExports,
          allowFilesystem,
          allowNetwork,
          executionMode,
          allowedModules);
    } catch (IllegalArgumentException e) {
      throw rejectInvalidValue(field, e);
    }
  }

  private static ProtocolException rejectInvalidValue(String field, IllegalArgumentException e) {
    return new ProtocolException(field + "." + e.getMessage(), e);
  }

  private static int phaseCode(AppPhase phase) {
    return switch (phase) {
      case STARTING -> 0;
      case RUNNING -> 1;
      case STOPPED -> 2;
      case FAILED -> 3;
    };
  }

  private static AppPhase phase(long code, String field) {
    if (code == 0) {
      return AppPhase.STARTING;
    } else if (code == 1) {
      return AppPhase.RUNNING;
    } else if (code == 2) {
      return AppPhase.STOPPED;
    } else if (code == 3) {
      return AppPhase.FAILED;
    }
    throw new ProtocolException(
        field + ": " + code + " (expected: 0 STARTING, 1 RUNNING, 2 STOPPED or 3 FAILED)");
  }

  private static int kindCode(OutputKind kind) {
    return switch (kind) {
      case LOG -> 0;
      case READING -> 1;
    };
  }

  private static OutputKind kind(long code, String field) {
    if (code == 0) {
      return OutputKind.LOG;
    } else if (code == 1) {
      return OutputKind.READING;
    }
    throw new ProtocolException(field + ": " + code + " (expected: 0 LOG or 1 READING)");
  }

  private static void rejectTrailingBytes(long trailing) {
    if (trailing > 0) {
      throw new ProtocolException(
          "envelope: " + trailing + " trailing bytes after the envelope (expected: none)");
    }
  }
}

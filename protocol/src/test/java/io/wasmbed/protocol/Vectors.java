package io.wasmbed.protocol;

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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The envelopes behind the named hex vectors of {@code docs/protocol.md}. */
final class Vectors {

  static final Map<String, Envelope> BY_NAME = byName();

  private Vectors() {}

  private static Map<String, Envelope> byName() {
    Map<String, Envelope> vectors = new LinkedHashMap<>();
    vectors.put("heartbeat", Envelope.of(0, new Heartbeat()));
    vectors.put("heartbeat-ack", Envelope.of(0, new HeartbeatAck(1_700_000_000_000L)));
    vectors.put(
        "device-info",
        Envelope.of(
            1,
            new DeviceInfo("sim", "0.1.0", List.of("wasm"), 65_536, Map.of("temp", "sha256:ab"))));
    vectors.put(
        "enrollment-request", Envelope.of(1, new EnrollmentRequest(hex("3000"), "hw-1", "")));
    vectors.put(
        "enrollment-accepted",
        Envelope.of(1, new EnrollmentAccepted("dev-1", List.of(hex("3001aa"), hex("3000")))));
    vectors.put("enrollment-rejected", Envelope.of(1, new EnrollmentRejected("window closed")));
    vectors.put("enrollment-complete", Envelope.of(2, new EnrollmentComplete("dev-1")));
    vectors.put(
        "deploy",
        Envelope.of(
            5,
            new Deploy(
                "t",
                "sha256:00",
                hex("0061736d01000000"),
                new byte[0],
                ModuleLimits.DEFAULTS,
                ModulePolicy.DEFAULT,
                Map.of("unit", "C"))));
    vectors.put("deploy-ack", Envelope.of(5, new DeployAck("t", true, "")));
    vectors.put("stop", Envelope.of(6, new Stop("t")));
    vectors.put("stop-ack", Envelope.of(6, new StopAck("t", true, "")));
    vectors.put("app-status", Envelope.of(3, new AppStatus("t", AppPhase.FAILED, "trap")));
    vectors.put(
        "app-output",
        Envelope.of(4, new AppOutput("t", OutputKind.READING, "21.5", 1_700_000_000_000L)));
    vectors.put("protocol-error", Envelope.of(0, new ProtocolError("tag: unknown tag 99")));
    return vectors;
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }

  static String hex(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}

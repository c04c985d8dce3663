package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  private static final AgentConfig DEFAULTS = AgentConfig.of("gw.local", 4423);

  @Test
  void defaultsFollowTheContract() {
    assertThat(DEFAULTS.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(DEFAULTS.reconnectMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(DEFAULTS.reconnectMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(DEFAULTS.maxFrameBytes()).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void rejectsPortOutOfRange() {
    assertThatThrownBy(() -> AgentConfig.of("gw", 0))
        .hasMessage("gatewayPort: 0 (expected: 1 to 65535)");
    assertThatThrownBy(() -> AgentConfig.of("gw", 65_536))
        .hasMessage("gatewayPort: 65536 (expected: 1 to 65535)");
  }

  @Test
  void rejectsNonPositiveHeartbeatInterval() {
    assertThatThrownBy(() -> DEFAULTS.withHeartbeatInterval(Duration.ZERO))
        .hasMessage("heartbeatInterval: PT0S (expected: greater than 0)");
  }

  @Test
  void rejectsReconnectMaxBelowMin() {
    assertThatThrownBy(() -> DEFAULTS.withReconnect(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessage("reconnectMax: PT1S (expected: at least reconnectMin PT5S)");
  }

  @Test
  void rejectsBlankHostAndTinyFrames() {
    assertThatThrownBy(() -> AgentConfig.of(" ", 4423))
        .hasMessage("gatewayHost: \" \" (expected: non-blank)");
    assertThatThrownBy(() -> DEFAULTS.withMaxFrameBytes(8))
        .hasMessage("maxFrameBytes: 8 (expected: at least 64)");
  }
}

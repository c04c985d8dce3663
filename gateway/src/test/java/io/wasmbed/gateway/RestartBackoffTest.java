package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  @Test
  void doublesFromOneSecondUpToFiveMinutes() {
    RestartBackoff backoff = RestartBackoff.DEFAULT;

    assertThat(backoff.delay(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.delay(8)).isEqualTo(Duration.ofSeconds(256));
    assertThat(backoff.delay(9)).isEqualTo(Duration.ofMinutes(5));
    assertThat(backoff.delay(1_000)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void formatsDelaysForStatusReasons() {
    assertThat(RestartBackoff.format(Duration.ofSeconds(4))).isEqualTo("4s");
    assertThat(RestartBackoff.format(Duration.ofSeconds(128))).isEqualTo("2m8s");
    assertThat(RestartBackoff.format(Duration.ofMinutes(5))).isEqualTo("5m");
  }
}

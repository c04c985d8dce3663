package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartCounterTest {
  private static final RestartBackoff BACKOFF = RestartBackoff.DEFAULT;
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void backoffDoublesWhileTheAppKeepsFailingSoon() {
    RestartCounter counter = new RestartCounter();

    assertThat(counter.next(BACKOFF, DIGEST, T0)).isEqualTo(Duration.ofSeconds(1));
    counter.running(T0.plusSeconds(1));
    assertThat(counter.next(BACKOFF, DIGEST, T0.plusSeconds(30))).isEqualTo(Duration.ofSeconds(2));
    assertThat(counter.next(BACKOFF, DIGEST, T0.plusSeconds(40))).isEqualTo(Duration.ofSeconds(4));
    assertThat(counter.waitsToRestart(DIGEST)).isTrue();
  }

  @Test
  void backoffStartsOverAfterTheAppRanForAWhile() {
    RestartCounter counter = new RestartCounter();
    counter.next(BACKOFF, DIGEST, T0);
    counter.next(BACKOFF, DIGEST, T0);
    counter.next(BACKOFF, DIGEST, T0);

    counter.running(T0.plusSeconds(10));

    Instant later = T0.plusSeconds(10).plus(BACKOFF.resetAfter());
    assertThat(counter.next(BACKOFF, DIGEST, later)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void newDigestStartsOver() {
    RestartCounter counter = new RestartCounter();
    counter.next(BACKOFF, DIGEST, T0);
    counter.next(BACKOFF, DIGEST, T0);

    String other = "sha256:" + "b".repeat(64);
    assertThat(counter.next(BACKOFF, other, T0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(counter.waitsToRestart(DIGEST)).isFalse();
  }
}

package io.wasmbed.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration MIN = Duration.ofMillis(500);
  private static final Duration MAX = Duration.ofSeconds(30);

  @Test
  void waitsGrowExponentiallyWithinMinAndMax() {
    Backoff backoff = new Backoff(MIN, MAX, new SplittableRandom(7));

    assertThat(backoff.next()).isBetween(MIN, Duration.ofMillis(1000));
    assertThat(backoff.next()).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
    assertThat(backoff.next()).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.next()).isBetween(MIN, MAX);
    }
    assertThat(backoff.next()).isBetween(MAX.dividedBy(2), MAX);
  }

  @Test
  void jitterSpreadsAFleet() {
    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(seed -> new Backoff(MIN, MAX, new SplittableRandom(seed)).next())
            .distinct()
            .count();

    assertThat(distinct).isGreaterThan(20);
  }

  @Test
  void resetStartsFromTheMinimumAgain() {
    Backoff backoff = new Backoff(MIN, MAX, new SplittableRandom(1));
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }

    backoff.reset();

    assertThat(backoff.next()).isBetween(MIN, Duration.ofMillis(1000));
  }

  @Test
  void equalMinAndMaxWaitExactlyThat() {
    Backoff backoff = new Backoff(MIN, MIN, new SplittableRandom(1));

    assertThat(backoff.next()).isEqualTo(MIN);
    assertThat(backoff.next()).isEqualTo(MIN);
  }
}

package io.wasmbed.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * Consecutive restarts of one app on one device, and the timer of the next one. Used on the
 * gateway's control thread only.
 */
final class RestartCounter {
  private int count;
  private String digest = "";
  private Instant runningSince;
  private boolean pending;
  ScheduledFuture<?> timer;

  /**
   * Counts one more end of {@code endedDigest} at {@code now} and returns the wait before the
   * restart. The count starts over for a new digest or after the app ran for {@code
   * backoff.resetAfter()}.
   */
  Duration next(RestartBackoff backoff, String endedDigest, Instant now) {
    boolean ranLongEnough =
        runningSince != null
            && Duration.between(runningSince, now).compareTo(backoff.resetAfter()) >= 0;
    if (ranLongEnough || !endedDigest.equals(digest)) {
      count = 0;
    }
    Duration delay = backoff.delay(count);
    count++;
    digest = endedDigest;
    runningSince = null;
    pending = true;
    cancelTimer();
    return delay;
  }

  int count() {
    return count;
  }

  /** Whether a restart of {@code appDigest} is waiting for its backoff to pass. */
  boolean waitsToRestart(String appDigest) {
    return pending && digest.equals(appDigest);
  }

  /** The backoff passed; the app may be deployed again. */
  void fired() {
    pending = false;
  }

  void running(Instant since) {
    runningSince = since;
    pending = false;
    cancelTimer();
  }

  void cancel() {
    pending = false;
    cancelTimer();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}

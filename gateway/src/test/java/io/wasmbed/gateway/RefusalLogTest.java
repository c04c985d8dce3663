package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusalLogTest {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
  private final RefusalLog refusals = new RefusalLog();
  private Level levelBefore;

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
    levelBefore = logger.getLevel();
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    logger.setLevel(levelBefore);
  }

  @Test
  void logsTheFirstRefusalPerAddressAndReasonThenOneSummaryPerWindow() {
    for (int port = 5000; port < 5058; port++) {
      refusals.refused(
          new InetSocketAddress("1.2.3.4", port), Refusal.CERTIFICATE_REJECTED, "CN=x, serial 0a");
    }
    refusals.refused(new InetSocketAddress("1.2.3.4", 6000), Refusal.NO_CERTIFICATE, "none");
    refusals.refused(new InetSocketAddress("5.6.7.8", 6000), Refusal.CERTIFICATE_REJECTED, "y");

    assertThat(lines())
        .containsExactly(
            "Refused connection from /1.2.3.4:5000: certificate_rejected (CN=x, serial 0a)",
            "Refused connection from /1.2.3.4:6000: no_certificate (none)",
            "Refused connection from /5.6.7.8:6000: certificate_rejected (y)");

    logs.list.clear();
    refusals.summarize();
    assertThat(lines())
        .containsExactly(
            "... and 57 more refusals from /1.2.3.4 (certificate_rejected) in the last 10s");

    logs.list.clear();
    refusals.summarize(); // a quiet window: nothing to say, and the source is forgotten
    refusals.refused(new InetSocketAddress("1.2.3.4", 7000), Refusal.CERTIFICATE_REJECTED, "z");
    assertThat(lines())
        .containsExactly("Refused connection from /1.2.3.4:7000: certificate_rejected (z)");
  }

  private List<String> lines() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}

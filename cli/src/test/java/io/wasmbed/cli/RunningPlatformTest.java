package io.wasmbed.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that each get a freshly started embedded platform in their own data directory. */
abstract class RunningPlatformTest {

  @TempDir Path dataDir;
  Fixture fixture;

  @BeforeEach
  void startPlatform() {
    fixture = Fixture.start(dataDir);
  }

  @AfterEach
  void stopPlatform() {
    fixture.close();
  }
}

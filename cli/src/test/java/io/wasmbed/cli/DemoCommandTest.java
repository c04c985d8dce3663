package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

  @TempDir Path dataDir;

  @Test
  void demoRunsTheExampleOnEveryDeviceAndExitsZero() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));

    int code =
        commandLine.execute(
            "demo", "--devices", "3", "--data-dir", dataDir.toString(), "--timeout", "60s");

    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("Running on 3/3 devices")
        .contains("device-01")
        .contains("device-03")
        .contains("temperature-monitor")
        .contains("APP OUTPUT");
  }

  @Test
  void demoWithAModuleThatCannotRunFailsWithTheReasonInsteadOfWaiting() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));

    int code =
        commandLine.execute(
            "demo",
            "--devices",
            "1",
            "--app",
            Path.of("src/test/resources/modules/memory-hog.wasm").toString(),
            "--data-dir",
            dataDir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).containsIgnoringCase("memory").doesNotContain("not reached within");
  }

  @Test
  void demoFailsWhenTheAppFailsAfterItStarted() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));

    int code =
        commandLine.execute(
            "demo",
            "--devices",
            "1",
            "--app",
            Path.of("src/test/resources/modules/spin-tick.wasm").toString(),
            "--data-dir",
            dataDir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("demo failed").contains("spin-tick");
  }

  @Test
  void demoRefusesAMissingAppFileWithExitCode2() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err, true));

    int code = commandLine.execute("demo", "--app", dataDir.resolve("nope.wasm").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("nope.wasm").contains("no such file");
  }
}

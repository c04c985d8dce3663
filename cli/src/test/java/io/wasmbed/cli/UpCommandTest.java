package io.wasmbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wasmbed up} refuses bad settings before it creates anything. */
class UpCommandTest {

  @TempDir Path dataDir;

  @Test
  void outOfRangePortIsRefusedBeforeAnythingIsCreated() {
    Result result = up("--port", "99999");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--port: 99999 (expected: 0 to 65535");
    assertThat(dataDir.resolve("pki")).doesNotExist();
  }

  @Test
  void busyDevicePortIsNamedInOneLine() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Result result =
          up(
              "--bind",
              "127.0.0.1",
              "--port",
              String.valueOf(busy.getLocalPort()),
              "--http-port",
              "0",
              "--api-port",
              "0");

      assertThat(result.code()).isEqualTo(1);
      assertThat(result.err().strip().lines().count()).isEqualTo(1);
      assertThat(result.err())
          .contains("127.0.0.1:" + busy.getLocalPort())
          .contains("in use")
          .contains("--port")
          .doesNotContain("Exception");
    }
  }

  private Result up(String... options) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));
    String[] args = new String[options.length + 3];
    args[0] = "up";
    args[1] = "--data-dir";
    args[2] = dataDir.toString();
    System.arraycopy(options, 0, args, 3, options.length);
    int code = commandLine.execute(args);
    return new Result(code, err.toString(), Files.exists(dataDir));
  }

  private record Result(int code, String err, boolean dataDirExists) {}
}

package io.wasmbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wasmbed} command. */
@Command(
    name = "wasmbed",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Deploy WebAssembly applications to fleets of edge devices over mutual TLS.",
    footer = {
      "",
      "First time? `wasmbed demo` runs the whole path on this machine.",
      "`wasmbed up` runs it for real; `wasmbed COMMAND --help` tells more."
    },
    subcommands = {
      UpCommand.class,
      DemoCommand.class,
      AgentCommand.class,
      DeviceCommand.class,
      AppCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code; used by tests too. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(Main.class);
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          if (exception instanceof CliException cli) {
            cmd.getErr().println("error: " + cli.getMessage());
            return cli.exitCode();
          }
          cmd.getErr().println("error: " + exception);
          return 1;
        });
    commandLine.registerConverter(java.time.Duration.class, new DurationConverter());
    return commandLine;
  }
}

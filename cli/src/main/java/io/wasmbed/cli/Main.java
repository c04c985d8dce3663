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
      KeyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private Main() {}

  /** {@code wasmbed} alone prints the help. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

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
          cmd.getErr().println("error: " + describe(exception));
          return exception instanceof CliException cli ? cli.exitCode() : 1;
        });
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine cmd = exception.getCommandLine();
          cmd.getErr().println("error: " + exception.getMessage());
          cmd.getErr()
              .println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
          return 2;
        });
    commandLine.registerConverter(java.time.Duration.class, new DurationConverter());
    return commandLine;
  }

  /**
   * One line for the user: the message of the failure and of its root cause, without Java class
   * names unless there is nothing else to say.
   */
  static String describe(Throwable failure) {
    if (failure instanceof CliException) {
      return failure.getMessage();
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = failure.getMessage();
    String rootMessage = root == failure ? null : root.getMessage();
    if (root instanceof java.net.BindException
        && (message == null || !message.contains("in use"))) {
      return (message != null ? message + ": " : "") + "address already in use";
    }
    if (root instanceof java.nio.file.NoSuchFileException) {
      return root.getMessage() + ": no such file or directory";
    }
    if (root instanceof java.nio.file.AccessDeniedException) {
      return root.getMessage() + ": permission denied";
    }
    if (root instanceof java.nio.file.FileAlreadyExistsException) {
      return root.getMessage() + ": already exists and is not a directory";
    }
    if (message == null || message.isBlank()) {
      message = rootMessage != null ? rootMessage : failure.getClass().getSimpleName();
    } else if (rootMessage != null
        && !message
            .toLowerCase(java.util.Locale.ROOT)
            .contains(rootMessage.toLowerCase(java.util.Locale.ROOT))) {
      message = message + ": " + rootMessage;
    }
    return message;
  }
}

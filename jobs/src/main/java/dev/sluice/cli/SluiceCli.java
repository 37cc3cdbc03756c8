package dev.sluice.cli;

import dev.sluice.cli.report.ReportCommand;
import dev.sluice.schemas.registry.RegistryUnavailableException;
import dev.sluice.schemas.registry.SchemaRegistryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command-line tool (run through {@code bin/sluice}). Subcommands: demo, infra,
 * topics, job, cluster, features, model, bench, simulate, report. Exit codes: 0 success, 1 failure
 * (message on stderr), 2 bad usage, 3 {@code infra status} found a service not ready.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCli.Version.class,
    description =
        "Streaming features, scoring and model monitoring in one exactly-once Flink stream.",
    subcommands = {
      DemoCommand.class,
      InfraCommand.class,
      TopicsCommand.class,
      JobCommand.class,
      ClusterCommand.class,
      FeaturesCommand.class,
      ModelCommand.class,
      RetrainCommand.class,
      BenchCommand.class,
      SimulateCommand.class,
      ReportCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Start here:  bin/sluice demo        (services + job + demo traffic; web UI http://127.0.0.1:8081)",
      "Stop:        bin/sluice infra down",
      "Help on one command: bin/sluice help <command>, e.g. bin/sluice infra up --help"
    })
public final class SluiceCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: choose one of " + spec.subcommands().keySet());
  }

  public static void main(String[] args) {
    int code = execute(args);
    // Inside a Flink client ('flink run'), returning lets the client finish its own work; from
    // bin/sluice,
    // exit so that lingering non-daemon threads (Kafka clients, a MiniCluster) cannot keep the JVM
    // alive.
    if (code != 0 || System.getProperty("sluice.home") != null) {
      System.exit(code);
    }
  }

  /** Runs the CLI and returns the exit code (tests call this). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SluiceCli());
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine command = e.getCommandLine();
          java.io.PrintWriter err = command.getErr();
          err.println("sluice: " + e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
          err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
          return command.getCommandSpec().exitCodeOnInvalidInput();
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(e));
          if (System.getenv("SLUICE_DEBUG") != null) {
            e.printStackTrace(commandLine.getErr());
          } else {
            commandLine.getErr().println("(set SLUICE_DEBUG=1 for the stack trace)");
          }
          return 1;
        });
    return cli;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while ((root instanceof java.util.concurrent.ExecutionException || root.getMessage() == null)
        && root.getCause() != null) {
      root = root.getCause();
    }
    if (root instanceof RegistryUnavailableException
        || root instanceof SchemaRegistryException
        || root instanceof IllegalArgumentException
        || root instanceof IllegalStateException) {
      return root.getMessage();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SluiceCli.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (version == null ? "0.1.0-SNAPSHOT" : version)};
    }
  }
}

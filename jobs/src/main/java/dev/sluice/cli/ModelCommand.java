package dev.sluice.cli;

import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelValidator;
import dev.sluice.state.models.ModelVersions;
import dev.sluice.state.models.RegistryState;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice model list|show|promote|demote|rollback|history}: the model registry (versions and
 * their aliases) on its Kafka topic. A new subcommand extends {@link RegistryCommand}, which brings
 * the connection options and {@link #open}.
 */
@Command(
    name = "model",
    description =
        "The model registry: registered versions and the aliases (champion, challenger) that the"
            + " scoring job follows. Aliases move by compare-and-set on the registry's log, so"
            + " concurrent changes never both apply.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ModelCommand.ListModels.class,
      RegisterCommand.class,
      TrainCommand.class,
      ModelCommand.Show.class,
      ModelCommand.Promote.class,
      ModelCommand.Demote.class,
      ModelCommand.Rollback.class,
      ModelCommand.History.class
    })
final class ModelCommand {
  /** For commands that never register: a version reaching it is a programming error. */
  static final ModelValidator NO_REGISTRATION =
      candidate -> {
        throw new InvalidModelException("this command does not register models");
      };

  private ModelCommand() {}

  /** Kafka, the schema registry and the registry's topic. */
  static final class RegistryOptions {
    @Mixin ConnectionOptions connection;

    @Option(
        names = "--registry-topic",
        defaultValue = ModelRegistryLog.DEFAULT_TOPIC,
        description = "Topic of the model registry's log (default: ${DEFAULT-VALUE}).")
    String topic;

    ModelRegistryLog log() {
      return new ModelRegistryLog(
          connection.bootstrapServers(), connection.registry(), topic, connection.kafka());
    }
  }

  /**
   * Opens the registry the options point at.
   *
   * @param ifMissing {@code CREATE} for commands that register, {@code FAIL} for the others (a
   *     misspelt --registry-topic must not create an empty registry)
   */
  static KafkaModelRegistry open(
      RegistryOptions options, ModelValidator validator, KafkaModelRegistry.IfMissing ifMissing)
      throws IOException {
    return KafkaModelRegistry.open(
        options.log(), validator, ifMissing, ModelRegistryLog.currentActor());
  }

  /** Base of the registry's subcommands: options, output, and opening the registry. */
  abstract static class RegistryCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** The registry opened on an existing topic, for commands that do not register. */
    KafkaModelRegistry openExisting() throws IOException {
      return open(registry, NO_REGISTRATION, KafkaModelRegistry.IfMissing.FAIL);
    }

    /** The registry as of now. */
    RegistryState read() throws IOException {
      try (KafkaModelRegistry models = openExisting()) {
        return models.read();
      }
    }

    /** Makes one alias change on the existing registry and prints it. */
    int change(AliasMove move) throws IOException {
      try (KafkaModelRegistry models = openExisting()) {
        out().println(ModelVersions.describe(move.apply(models)));
      }
      out().flush();
      return 0;
    }
  }

  /** An alias change: promote, demote or rollback. */
  @FunctionalInterface
  interface AliasMove {
    AliasChange apply(KafkaModelRegistry models) throws IOException;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Without NAME: every model with its number of versions and aliases.",
        "With NAME: its versions with aliases, registration, trainer and key metrics."
      })
  static final class ListModels extends RegistryCommand {
    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A model, e.g. fraud.")
    String name;

    @Override
    public Integer call() throws IOException {
      RegistryState state = read();
      if (name == null) {
        if (state.models().isEmpty()) {
          out().println("no models registered");
        } else {
          out().print(ModelVersions.models(state));
        }
      } else {
        out().print(ModelVersions.table(state, ModelRegistryLog.requireName("model name", name)));
      }
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Print one version: digest, size, signature, preprocessing, threshold, lineage, metrics, profile.")
  static final class Show extends RegistryCommand {
    @Parameters(
        paramLabel = "NAME[:VERSION|@ALIAS]",
        description =
            "fraud:3 (a version), fraud@challenger (an alias), fraud (the champion, else the latest).")
    String selector;

    @Override
    public Integer call() throws IOException {
      RegistryState state = read();
      ModelVersion version = ModelVersions.resolve(state, selector);
      out().print(ModelVersions.show(state, version));
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description = "Point an alias (default champion) at a version; rollback undoes it.")
  static final class Promote extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The model, e.g. fraud.")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version number.")
    int version;

    @Option(
        names = "--alias",
        defaultValue = RegistryState.CHAMPION,
        description = "Alias to move (default: ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--reason", defaultValue = "", description = "Why, kept in the history.")
    String reason;

    @Override
    public Integer call() throws IOException {
      return change(models -> models.promote(name, version, alias, reason));
    }
  }

  @Command(
      name = "demote",
      mixinStandardHelpOptions = true,
      description = "Remove an alias; rollback restores it.")
  static final class Demote extends RegistryCommand {
    @Parameters(paramLabel = "NAME", description = "The model, e.g. fraud.")
    String name;

    @Option(names = "--alias", required = true, description = "Alias to remove, e.g. challenger.")
    String alias;

    @Option(names = "--reason", defaultValue = "", description = "Why, kept in the history.")
    String reason;

    @Override
    public Integer call() throws IOException {
      return change(models -> models.demote(name, alias, reason));
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Move an alias (default champion) back to its previous target, undoing the last promote or demote.")
  static final class Rollback extends RegistryCommand {
    @Parameters(paramLabel = "NAME", description = "The model, e.g. fraud.")
    String name;

    @Option(
        names = "--alias",
        defaultValue = RegistryState.CHAMPION,
        description = "Alias to roll back (default: ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--reason", defaultValue = "", description = "Why, kept in the history.")
    String reason;

    @Override
    public Integer call() throws IOException {
      return change(models -> models.rollback(name, alias, reason));
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "Print a model's alias changes, oldest first: who moved what, when and why.")
  static final class History extends RegistryCommand {
    @Parameters(paramLabel = "NAME", description = "The model, e.g. fraud.")
    String name;

    @Override
    public Integer call() throws IOException {
      RegistryState state = read();
      out().print(ModelVersions.history(state, ModelRegistryLog.requireName("model name", name)));
      out().flush();
      return 0;
    }
  }
}

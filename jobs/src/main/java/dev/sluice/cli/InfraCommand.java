package dev.sluice.cli;

import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.infra.LocalService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice infra up|down|status|prepare}: the local, docker-less Kafka, schema registry and
 * Redis.
 */
@Command(
    name = "infra",
    description = {
      "Run Kafka (127.0.0.1:9092), a Confluent-compatible schema registry (127.0.0.1:8085) and Redis",
      "(127.0.0.1:6379) as local processes; data, logs and pids under var/."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      InfraCommand.Up.class,
      InfraCommand.Down.class,
      InfraCommand.Status.class,
      InfraCommand.Prepare.class
    })
final class InfraCommand {

  /** Which services a subcommand acts on. */
  static final class Selection {
    @Parameters(
        arity = "0..*",
        paramLabel = "SERVICE",
        description = "kafka, registry, redis (default: all).")
    List<String> names = List.of();

    @Option(
        names = "--var-dir",
        description = "Folder for data, logs and pids (default: <checkout>/var).")
    Path varDir;

    LocalInfra infra() {
      List<LocalService> all = LocalInfra.allServices();
      if (names.isEmpty()) {
        return new LocalInfra(Project.layout(varDir), Project.console(), all);
      }
      List<LocalService> chosen = new ArrayList<>();
      for (LocalService service : all) {
        if (names.contains(service.name())) {
          chosen.add(service);
        }
      }
      for (String name : names) {
        if (all.stream().noneMatch(s -> s.name().equals(name))) {
          throw new IllegalArgumentException(
              "unknown service '" + name + "': choose from kafka, registry, redis");
        }
      }
      return new LocalInfra(Project.layout(varDir), Project.console(), chosen);
    }
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description =
          "Start the services (idempotent), wait until each answers, and create the platform's topics.")
  static final class Up implements Callable<Integer> {
    @Mixin Selection selection;

    @Option(names = "--no-topics", description = "Do not create the platform's topics.")
    boolean noTopics;

    @Override
    public Integer call() throws Exception {
      selection.infra().up();
      if (!noTopics && (selection.names.isEmpty() || selection.names.contains("kafka"))) {
        TopicsCommand.createAll(dev.sluice.cli.infra.KafkaService.BOOTSTRAP, Project.console());
      }
      return 0;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = "Stop the services started by 'up' (data is kept).")
  static final class Down implements Callable<Integer> {
    @Mixin Selection selection;

    @Override
    public Integer call() throws Exception {
      stopDemo(Project.layout(selection.varDir));
      stopCluster(Project.layout(selection.varDir));
      selection.infra().down();
      return 0;
    }

    /**
     * A running {@code sluice cluster} runs jobs that use the services: stop it too (its jobs stop
     * without a savepoint; 'sluice cluster stop' first keeps their state).
     */
    private static void stopCluster(dev.sluice.cli.infra.Layout layout) throws Exception {
      new dev.sluice.cli.infra.FlinkCluster(
              layout, dev.sluice.cli.infra.FlinkCluster.recorded(layout), Project.console())
          .down();
    }

    /**
     * A running {@code sluice demo} uses the services: stop it first (it cancels its job on
     * SIGTERM).
     */
    private static void stopDemo(dev.sluice.cli.infra.Layout layout) throws Exception {
      LocalInfra.stopTracked(
          layout,
          Project.console(),
          DemoCommand.PID_NAME,
          "SluiceCli demo",
          java.time.Duration.ofSeconds(60));
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show each service's state, pid, address and log.")
  static final class Status implements Callable<Integer> {
    @Mixin Selection selection;

    @Override
    public Integer call() {
      List<LocalInfra.Status> statuses = selection.infra().status();
      System.out.printf("%-9s %-10s %-8s %-50s %s%n", "SERVICE", "STATE", "PID", "ADDRESS", "LOG");
      for (LocalInfra.Status s : statuses) {
        System.out.printf(
            "%-9s %-10s %-8s %-50s %s%n",
            s.name(), s.state(), s.pid() == null ? "-" : s.pid(), s.address(), s.log());
      }
      // Exit 3 when something is not ready, so scripts can test it.
      return statuses.stream().allMatch(s -> s.state().equals("ready")) ? 0 : 3;
    }
  }

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      description =
          "Fetch, build or install what the services need, without starting them (CI does this first).")
  static final class Prepare implements Callable<Integer> {
    @Mixin Selection selection;

    @Override
    public Integer call() throws Exception {
      selection.infra().prepare();
      return 0;
    }
  }
}

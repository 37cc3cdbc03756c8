package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice produce demo}: placeholder traffic until the simulator lands. */
@Command(
    name = "produce",
    description = "Produce events to Kafka in the Confluent wire format.",
    mixinStandardHelpOptions = true,
    subcommands = {ProduceCommand.Demo.class})
final class ProduceCommand {

  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description =
          "Random transactions at a steady rate with wall-clock event time (not the fraud simulator).")
  static final class Demo implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Option(
        names = "--topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
        names = "--rate",
        defaultValue = "20",
        description = "Events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--count",
        defaultValue = "0",
        description = "Events to send, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
        names = "--malformed-every",
        defaultValue = "0",
        description =
            "Send a non-wire-format record every N events, to exercise the dead-letter topic (0: never).")
    long malformedEvery;

    @Override
    public Integer call() {
      DemoTraffic traffic =
          new DemoTraffic(
              connection.bootstrapServers(),
              connection.registry(),
              topic,
              rate,
              count,
              malformedEvery);
      Runtime.getRuntime().addShutdownHook(new Thread(traffic::stop));
      traffic.run();
      System.out.printf("sent %d event(s) to %s%n", traffic.sent(), topic);
      return 0;
    }
  }
}

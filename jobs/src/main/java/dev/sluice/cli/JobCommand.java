package dev.sluice.cli;

import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.IngestJob;
import dev.sluice.jobs.IngestRules;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice job <name>}: run one of the platform's Flink jobs. */
@Command(
    name = "job",
    description =
        "Run a Flink job, in this JVM with the web UI (LOCAL) or through 'flink run' (SUBMIT).",
    mixinStandardHelpOptions = true,
    subcommands = {JobCommand.Ingest.class, JobCommand.EventCount.class})
final class JobCommand {

  @Command(
      name = "event-count",
      mixinStandardHelpOptions = true,
      description = {
        "Spine job: read transactions through the registry, dead-letter undecodable records,",
        "count transactions per tumbling event-time window into the event-counts topic."
      })
  static final class EventCount implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;

    @Option(
        names = "--input-topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(
        names = "--output-topic",
        defaultValue = "event-counts",
        description = "Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-event-count",
        description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--window",
        converter = DurationConverter.class,
        defaultValue = "1m",
        description = "Tumbling event-time window (default: ${DEFAULT-VALUE}).")
    Duration window;

    EventCountJob.Config config() {
      return new EventCountJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          inputTopic,
          outputTopic,
          source.deadLetterTopic,
          groupId,
          source.startFrom,
          window,
          source.outOfOrderness,
          source.idleTimeout,
          job.checkpoints());
    }

    @Override
    public Integer call() throws Exception {
      EventCountJob.Config config = config();
      return job.launch(
          EventCountJob.JOB_NAME,
          config.checkpoints(),
          env -> EventCountJob.start(env, config),
          "counts:       bin/sluice topics tail " + outputTopic);
    }
  }

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "The front door: decode transactions and labels through the registry, validate them (declared",
        "rules, lateness, clock sanity, duplicates) into valid-transactions / valid-labels; every rejected",
        "record goes to the dead-letter topic with its original bytes and the reason."
      })
  static final class Ingest implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;

    @Option(
        names = "--transactions-topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String transactionsTopic;

    @Option(
        names = "--labels-topic",
        defaultValue = "labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Option(
        names = "--valid-transactions-topic",
        defaultValue = "valid-transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String validTransactionsTopic;

    @Option(
        names = "--valid-labels-topic",
        defaultValue = "valid-labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String validLabelsTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-ingest",
        description =
            "Kafka consumer group and prefix of the sinks' transactional ids; one per instance (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--allowed-lateness",
        converter = DurationConverter.class,
        defaultValue = "1h",
        description =
            "Records further behind the watermark are dead-lettered as 'late' (default: ${DEFAULT-VALUE}).")
    Duration allowedLateness;

    @Option(
        names = "--max-jump",
        converter = DurationConverter.class,
        defaultValue = "1d",
        description =
            "A record this far ahead of its partition's event time does not move the watermark (default: ${DEFAULT-VALUE}).")
    Duration maxJump;

    @Option(
        names = "--dedup-horizon",
        converter = DurationConverter.class,
        defaultValue = "1d",
        description =
            "How long (event time) a transaction id is remembered to refuse duplicates (default: ${DEFAULT-VALUE}).")
    Duration dedupHorizon;

    @Option(
        names = "--max-amount",
        defaultValue = "1000000.00",
        description = "Largest accepted amount (default: ${DEFAULT-VALUE}).")
    java.math.BigDecimal maxAmount;

    @Option(
        names = "--id-pattern",
        defaultValue = "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
        description =
            "Regex every transaction, customer and terminal id must match (default: ${DEFAULT-VALUE}).")
    String idPattern;

    @Option(
        names = "--max-clock-skew",
        converter = DurationConverter.class,
        defaultValue = "1h",
        description =
            "How far in the wall-clock future an event time may lie (default: ${DEFAULT-VALUE}).")
    Duration maxClockSkew;

    IngestJob.Config config() {
      try {
        java.util.regex.Pattern.compile(idPattern);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "--id-pattern '" + idPattern + "' is not a valid regex: " + e.getDescription());
      }
      if (maxAmount.signum() <= 0) {
        throw new IllegalArgumentException("--max-amount must be > 0, got " + maxAmount);
      }
      return new IngestJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          transactionsTopic,
          labelsTopic,
          validTransactionsTopic,
          validLabelsTopic,
          source.deadLetterTopic,
          groupId,
          source.startFrom,
          new IngestJob.Timing(
              source.outOfOrderness, source.idleTimeout, allowedLateness, maxJump, dedupHorizon),
          new IngestRules.Settings(
              idPattern,
              maxAmount,
              IngestRules.Settings.DEFAULTS.earliest(),
              maxClockSkew,
              IngestRules.Settings.DEFAULTS.maxScenario()),
          job.checkpoints());
    }

    @Override
    public Integer call() throws Exception {
      IngestJob.Config config = config();
      return job.launch(
          IngestJob.JOB_NAME,
          config.checkpoints(),
          env -> IngestJob.start(env, config),
          "accepted:     bin/sluice topics tail " + validTransactionsTopic,
          "rejected:     bin/sluice topics tail " + source.deadLetterTopic);
    }
  }
}

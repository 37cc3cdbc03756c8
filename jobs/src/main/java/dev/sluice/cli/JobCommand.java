package dev.sluice.cli;

import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.IngestJob;
import dev.sluice.jobs.IngestRules;
import dev.sluice.jobs.KafkaConnectors;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
        names = "--dead-letter-topic",
        defaultValue = "dead-letters",
        description = "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-event-count",
        description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--start-from",
        defaultValue = "EARLIEST",
        description =
            "Where to start without committed offsets: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    KafkaConnectors.StartFrom startFrom;

    @Option(
        names = "--window",
        converter = DurationConverter.class,
        defaultValue = "1m",
        description = "Tumbling event-time window (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(
        names = "--out-of-orderness",
        converter = DurationConverter.class,
        defaultValue = "5s",
        description =
            "How late an event may arrive and still be counted (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @Option(
        names = "--idle-timeout",
        converter = DurationConverter.class,
        defaultValue = "30s",
        description =
            "A partition without events stops holding back event time after this (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    EventCountJob.Config config() {
      return new EventCountJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          inputTopic,
          outputTopic,
          deadLetterTopic,
          groupId,
          startFrom,
          window,
          outOfOrderness,
          idleTimeout,
          job.checkpoints());
    }

    @Override
    public Integer call() throws Exception {
      EventCountJob.Config config = config();
      StreamExecutionEnvironment env =
          FlinkEnvironments.create(job.mode(), config.checkpoints(), job.webUiPort);
      JobClient client = EventCountJob.start(env, config);
      System.out.printf("job %s submitted as %s%n", EventCountJob.JOB_NAME, client.getJobID());
      if (job.mode() == FlinkEnvironments.Mode.LOCAL) {
        System.out.printf(
            "Flink web UI: http://127.0.0.1:%d  (Ctrl-C stops the job)%n", job.webUiPort);
        System.out.printf("counts:       bin/sluice topics tail %s%n", outputTopic);
        Jobs.cancelOnShutdown(client);
        client.getJobExecutionResult().get();
      }
      return 0;
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
        names = "--dead-letter-topic",
        defaultValue = "dead-letters",
        description = "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-ingest",
        description =
            "Kafka consumer group and prefix of the sinks' transactional ids; one per instance (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--start-from",
        defaultValue = "EARLIEST",
        description =
            "Where to start without committed offsets: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    KafkaConnectors.StartFrom startFrom;

    @Option(
        names = "--out-of-orderness",
        converter = DurationConverter.class,
        defaultValue = "5s",
        description =
            "How far the watermark trails the largest event time (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @Option(
        names = "--idle-timeout",
        converter = DurationConverter.class,
        defaultValue = "30s",
        description =
            "When an idle partition stops holding back event time (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

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
          deadLetterTopic,
          groupId,
          startFrom,
          new IngestJob.Timing(outOfOrderness, idleTimeout, allowedLateness, maxJump, dedupHorizon),
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
      StreamExecutionEnvironment env =
          FlinkEnvironments.create(job.mode(), config.checkpoints(), job.webUiPort);
      JobClient client = IngestJob.start(env, config);
      System.out.printf("job %s submitted as %s%n", IngestJob.JOB_NAME, client.getJobID());
      if (job.mode() == FlinkEnvironments.Mode.LOCAL) {
        System.out.printf(
            "Flink web UI: http://127.0.0.1:%d  (Ctrl-C stops the job)%n", job.webUiPort);
        Jobs.cancelOnShutdown(client);
        client.getJobExecutionResult().get();
      }
      return 0;
    }
  }
}

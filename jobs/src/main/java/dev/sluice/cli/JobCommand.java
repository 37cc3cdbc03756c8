package dev.sluice.cli;

import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.FlinkEnvironments;
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
    subcommands = {JobCommand.EventCount.class})
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
}

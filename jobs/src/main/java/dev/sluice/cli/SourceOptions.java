package dev.sluice.cli;

import dev.sluice.jobs.KafkaConnectors;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options of every job that reads registry-encoded Kafka topics: where to start, event time, dead
 * letters.
 */
public final class SourceOptions {
  @Option(
      names = "--dead-letter-topic",
      defaultValue = "dead-letters",
      description = "Default: ${DEFAULT-VALUE}.")
  String deadLetterTopic;

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
          "How far the watermark trails the largest event time seen (default: ${DEFAULT-VALUE}).")
  Duration outOfOrderness;

  @Option(
      names = "--idle-timeout",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description =
          "When an idle partition stops holding back event time (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;
}

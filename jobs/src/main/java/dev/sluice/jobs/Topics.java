package dev.sluice.jobs;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The platform's Kafka topics, created explicitly (never by broker auto-creation) with these
 * partition counts and retention. Names are defaults; every job takes its topics as options.
 */
public final class Topics {
  /**
   * One topic's layout. {@code retention} null means compacted (latest value per key kept forever).
   */
  public record Spec(String name, int partitions, Duration retention, String description) {
    public boolean compacted() {
      return retention == null;
    }

    /**
     * Broker configuration of the topic. Timestamps are the broker's append time: event time
     * travels in the payload, and producers' clocks (or historical replays, e.g. the simulator's
     * 2018) must neither make time-based retention delete fresh data nor get records refused as too
     * far in the future.
     */
    public Map<String, String> configs() {
      Map<String, String> configs = new HashMap<>();
      configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
      if (compacted()) {
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      } else {
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
      }
      return configs;
    }
  }

  public static final Spec TRANSACTIONS =
      new Spec(
          "transactions",
          4,
          Duration.ofDays(7),
          "card transactions (Avro Transaction, Confluent wire format)");
  public static final Spec LABELS =
      new Spec("labels", 4, Duration.ofDays(30), "delayed ground truth (Avro Label)");
  public static final Spec DEAD_LETTERS =
      new Spec(
          "dead-letters",
          1,
          Duration.ofDays(30),
          "records that failed decoding or validation (Avro DeadLetter)");
  public static final Spec VALID_TRANSACTIONS =
      new Spec(
          "valid-transactions",
          4,
          Duration.ofDays(7),
          "transactions that passed ingest validation (Avro Transaction)");
  public static final Spec VALID_LABELS =
      new Spec(
          "valid-labels",
          4,
          Duration.ofDays(30),
          "labels that passed ingest validation (Avro Label)");
  public static final Spec FEATURE_ROWS =
      new Spec(
          "feature-rows",
          4,
          Duration.ofDays(7),
          "one row of model inputs per transaction, as of that transaction (Avro FeatureRow)");
  public static final Spec PREDICTIONS =
      new Spec(
          "predictions",
          4,
          Duration.ofDays(30),
          "one decision per scored transaction plus shadow scores, keyed by transaction id (Avro"
              + " Prediction)");
  public static final Spec EVENT_COUNTS =
      new Spec(
          "event-counts", 1, Duration.ofDays(7), "events per event-time window (Avro EventCount)");

  /** Everything `sluice topics create` and `sluice infra up` create. */
  public static final List<Spec> ALL =
      List.of(
          TRANSACTIONS,
          LABELS,
          VALID_TRANSACTIONS,
          VALID_LABELS,
          FEATURE_ROWS,
          PREDICTIONS,
          DEAD_LETTERS,
          EVENT_COUNTS);

  private Topics() {}
}

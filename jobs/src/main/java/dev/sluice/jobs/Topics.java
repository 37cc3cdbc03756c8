package dev.sluice.jobs;

import dev.sluice.state.models.ModelRegistryLog;
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
   * One topic's layout.
   *
   * @param retention how long records are kept before deletion by age; null sets none (for
   *     compacted topics), {@link #FOREVER} sets {@code retention.ms=-1}
   * @param compacted whether the broker compacts the topic (keeps the latest value per key)
   * @param extraConfigs further broker configuration of the topic, e.g. {@code max.message.bytes}
   */
  public record Spec(
      String name,
      int partitions,
      Duration retention,
      String description,
      boolean compacted,
      Map<String, String> extraConfigs) {
    /** Retention that never deletes by age (Kafka's {@code retention.ms=-1}). */
    public static final Duration FOREVER = Duration.ofMillis(-1);

    public Spec {
      extraConfigs = Map.copyOf(extraConfigs);
    }

    /**
     * A topic deleted by age ({@code retention} non-null) or compacted ({@code retention} null).
     */
    public Spec(String name, int partitions, Duration retention, String description) {
      this(name, partitions, retention, description, retention == null, Map.of());
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
      configs.put(
          TopicConfig.CLEANUP_POLICY_CONFIG,
          compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
      if (retention != null) {
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
      }
      configs.putAll(extraConfigs);
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

  /**
   * The model registry's log: one partition (its order decides races between writers), compacted
   * with unique keys and never deleted by age, records up to 64 MiB (ONNX models); see {@link
   * ModelRegistryLog}.
   */
  public static final Spec MODEL_REGISTRY =
      new Spec(
          ModelRegistryLog.DEFAULT_TOPIC,
          1,
          Spec.FOREVER,
          "model versions and alias changes (Avro RegistryEvent)",
          true,
          ModelRegistryLog.topicConfigs());

  public static final Spec MODEL_METRICS =
      new Spec(
          "model-metrics",
          1,
          Duration.ofDays(90),
          "online evaluation per model version and event-time window, provisional then final (Avro"
              + " ModelMetrics)");
  public static final Spec DRIFT =
      new Spec(
          "drift",
          1,
          Duration.ofDays(90),
          "drift statistics per variable and event-time window against the reference profile (Avro"
              + " DriftResult)");
  public static final Spec ALERTS =
      new Spec(
          "alerts",
          1,
          Duration.ofDays(90),
          "alarms, firing and resolved, with their evidence (Avro Alert)");
  public static final Spec RETRAINING =
      new Spec(
          "retraining",
          1,
          Duration.ofDays(365),
          "the closed loop's steps: retraining requests, runs, promotion-gate decisions (Avro"
              + " RetrainingEvent)");
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
          MODEL_REGISTRY,
          MODEL_METRICS,
          DRIFT,
          ALERTS,
          RETRAINING,
          DEAD_LETTERS,
          EVENT_COUNTS);

  private Topics() {}
}

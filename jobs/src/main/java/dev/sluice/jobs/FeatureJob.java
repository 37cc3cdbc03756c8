package dev.sluice.jobs;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FeatureWorkflow;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.DeadLetterRouter;
import dev.sluice.operators.DecodedWatermarks;
import dev.sluice.operators.features.FeaturePipeline;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreSinks;
import dev.sluice.state.online.OnlineStoreSink;
import dev.sluice.state.online.RedisSettings;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The streaming feature job: reads what ingest accepted ({@code valid-transactions}, {@code
 * valid-labels}), computes the feature set ({@link FraudFeatures}) in event time with RocksDB
 * state, and writes, exactly once:
 *
 * <ul>
 *   <li>{@code feature-rows}: one {@link FeatureRow} per transaction, as of that transaction (what
 *       scoring consumes), keyed by transaction id;
 *   <li>the online store (Redis): the latest values of each entity's views, guarded by event time,
 *       flushed on every checkpoint;
 *   <li>the offline store (Parquet): every view row, and the raw transactions and labels, in files
 *       finished on checkpoints;
 *   <li>{@code dead-letters}: records a view dropped as later than the allowed lateness.
 * </ul>
 *
 * <p>Topology: {@code valid-transactions-source} / {@code valid-labels-source} -> decode routers ->
 * {@link dev.sluice.operators.features.FeaturePipeline} (per view: observe -> keyBy(entity) ->
 * {@code features-<view>}; {@code features-transaction}; keyBy(transaction id) -> {@code
 * features-assembler}) -> sinks. State and timers are described on {@link
 * dev.sluice.operators.features.FeatureViewFunction} and {@link
 * dev.sluice.operators.features.RowAssembler}.
 */
public final class FeatureJob {
  public static final String JOB_NAME = "sluice features";

  private FeatureJob() {}

  /**
   * Everything the job needs, parsed once (see {@code sluice job features --help}).
   *
   * @param redis the online store, or null to leave it out
   * @param offlineStore base URI of the offline store, or null to leave it out
   * @param archive whether to archive the raw transactions and labels in the offline store
   * @param bounded read the topics up to their end offsets at start, then finish
   */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String transactionsTopic,
      String labelsTopic,
      String featureRowsTopic,
      String deadLetterTopic,
      String groupId,
      KafkaConnectors.StartFrom startFrom,
      Timing timing,
      FraudFeatures.TerminalRisk terminalRisk,
      RedisSettings redis,
      String offlineStore,
      boolean archive,
      boolean bounded,
      CheckpointSettings checkpoints,
      KafkaClientSettings kafka) {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(timing, "timing");
      Objects.requireNonNull(terminalRisk, "terminalRisk");
      if (archive && offlineStore == null) {
        throw new IllegalArgumentException("archiving raw records needs an offline store path");
      }
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        String bootstrapServers,
        RegistryConfig registry,
        String transactionsTopic,
        String labelsTopic,
        String featureRowsTopic,
        String deadLetterTopic,
        String groupId,
        KafkaConnectors.StartFrom startFrom,
        Timing timing,
        FraudFeatures.TerminalRisk terminalRisk,
        RedisSettings redis,
        String offlineStore,
        boolean archive,
        boolean bounded,
        CheckpointSettings checkpoints) {
      this(
          bootstrapServers,
          registry,
          transactionsTopic,
          labelsTopic,
          featureRowsTopic,
          deadLetterTopic,
          groupId,
          startFrom,
          timing,
          terminalRisk,
          redis,
          offlineStore,
          archive,
          bounded,
          checkpoints,
          null);
    }

    public FeatureSet<Transaction> featureSet() {
      return FraudFeatures.featureSet(terminalRisk);
    }

    KafkaInput input() {
      return new KafkaInput(bootstrapServers, registry, groupId, startFrom, timing, bounded, kafka);
    }
  }

  /**
   * How input topics are read (the streaming job's, and the backfill's bounded Kafka read).
   *
   * @param bounded stop at the end offsets found at start
   */
  public record KafkaInput(
      String bootstrapServers,
      RegistryConfig registry,
      String groupId,
      KafkaConnectors.StartFrom startFrom,
      Timing timing,
      boolean bounded,
      KafkaClientSettings kafka)
      implements Serializable {
    public KafkaInput {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public KafkaInput(
        String bootstrapServers,
        RegistryConfig registry,
        String groupId,
        KafkaConnectors.StartFrom startFrom,
        Timing timing,
        boolean bounded) {
      this(bootstrapServers, registry, groupId, startFrom, timing, bounded, null);
    }
  }

  /**
   * Event-time settings.
   *
   * @param outOfOrderness how far the watermark trails the largest event time seen (rows are
   *     emitted this long after their transaction)
   * @param idleTimeout when an idle partition stops holding the watermark back
   * @param allowedLateness how far behind the watermark a record still updates the features
   * @param maxJump a record this far ahead of its partition does not move the watermark
   * @param maxClockSkew a record this far in the wall-clock future does not move the watermark
   */
  public record Timing(
      Duration outOfOrderness,
      Duration idleTimeout,
      Duration allowedLateness,
      Duration maxJump,
      Duration maxClockSkew)
      implements Serializable {
    public static final Timing DEFAULTS =
        new Timing(
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofDays(1),
            Duration.ofHours(1));
  }

  /** Defines the job on {@code env} and starts it without blocking. */
  public static JobClient start(StreamExecutionEnvironment env, Config c) throws Exception {
    attach(env, c);
    return env.executeAsync(JOB_NAME);
  }

  /**
   * As {@link #start(StreamExecutionEnvironment, Config)}, and scores every feature row in the same
   * job ({@link ScoringWorkflow}).
   */
  public static JobClient start(
      StreamExecutionEnvironment env,
      Config c,
      ScoringWorkflow.Config scoring,
      ScorerFactory scorers)
      throws Exception {
    ScoringWorkflow.attach(attach(env, c).featureRows(), scoring, scorers);
    return env.executeAsync(JOB_NAME);
  }

  /**
   * What {@link #attach} defined, for the stages that follow in the same job.
   *
   * @param features the pipeline's streams, e.g. the feature rows for scoring
   * @param labels the decoded labels, timestamped by the time they became known
   */
  public record Attached(FeaturePipeline.Output features, DataStream<Label> labels) {
    public DataStream<FeatureRow> featureRows() {
      return features.featureRows();
    }
  }

  /** Defines the job on {@code env}, reading what ingest wrote to the valid topics. */
  public static Attached attach(StreamExecutionEnvironment env, Config c) {
    Decoded<Transaction> transactions =
        decode(env, c.input(), c.transactionsTopic(), Transaction.class, Transaction::getEventTime);
    Decoded<Label> labels =
        decode(env, c.input(), c.labelsTopic(), Label.class, Label::getEventTime);
    return attach(
        c,
        transactions.records(),
        labels.records(),
        transactions.deadLetters().union(labels.deadLetters()));
  }

  /**
   * Defines the features over streams another stage of the same job hands over (the platform job:
   * ingest's validated records, timestamped by ingest's sources), instead of reading the topics.
   * {@code c}'s topics to read are not used.
   *
   * @param upstreamDeadLetters records to dead-letter with the features' (e.g. undecodable ones),
   *     or null
   */
  public static Attached attach(
      Config c,
      DataStream<Transaction> transactions,
      DataStream<Label> labels,
      DataStream<DeadLetter> upstreamDeadLetters) {
    FeatureSet<Transaction> featureSet = c.featureSet();
    OfflineStoreLayout offline =
        c.offlineStore() == null ? null : new OfflineStoreLayout(c.offlineStore());
    FeaturePipeline.Output features =
        FeatureWorkflow.define(
            transactions,
            labels,
            featureSet,
            c.timing().allowedLateness(),
            new FeatureWorkflow.Sinks(
                KafkaConnectors.<FeatureRow>registrySink(
                    c.kafka(),
                    c.registry(),
                    c.featureRowsTopic(),
                    c.groupId() + "-feature-rows",
                    FeatureRow::getEventId,
                    null,
                    FeatureRow.class),
                c.redis() == null
                    ? null
                    : new OnlineStoreSink(c.redis(), featureSet.onlineSchemas()),
                offline == null ? null : schema -> OfflineStoreSinks.viewRows(offline, schema),
                offline == null || !c.archive()
                    ? null
                    : OfflineStoreSinks.raw(
                        offline,
                        OfflineStoreLayout.TRANSACTIONS,
                        Transaction.class,
                        Transaction::getEventTime),
                offline == null || !c.archive()
                    ? null
                    : OfflineStoreSinks.raw(
                        offline, OfflineStoreLayout.LABELS, Label.class, Label::getEventTime),
                // Undecodable records on the valid-* topics (someone else wrote there) and late
                // records go to the dead-letter topic like ingest's.
                KafkaConnectors.deadLetterSink(
                    c.kafka(), c.registry(), c.deadLetterTopic(), c.groupId() + "-dead-letters")),
            upstreamDeadLetters);
    return new Attached(features, labels);
  }

  record Decoded<T>(DataStream<T> records, DataStream<DeadLetter> deadLetters) {}

  static <T extends SpecificRecordBase> Decoded<T> decode(
      StreamExecutionEnvironment env,
      KafkaInput c,
      String topic,
      Class<T> type,
      SerializableFunction<T, Instant> eventTime) {
    String name = topic + "-source";
    DataStream<Either<DeadLetter, Tuple2<SourceRecord, T>>> source =
        env.fromSource(
                KafkaConnectors.registrySource(
                    c.kafka(), c.registry(), topic, c.groupId(), c.startFrom(), type, c.bounded()),
                DecodedWatermarks.strategy(
                    eventTime,
                    c.timing().outOfOrderness(),
                    c.timing().idleTimeout(),
                    c.timing().maxJump(),
                    c.timing().maxClockSkew()),
                name)
            .uid("features-" + name);
    SingleOutputStreamOperator<Tuple2<SourceRecord, T>> decoded =
        KafkaConnectors.routeDeadLetters(source, type, "features-" + topic + "-decode-router");
    DataStream<T> records =
        decoded
            // The type is given up front: extracting it from the lambda fails on the type variable.
            .map(sourced -> sourced.f1, new AvroTypeInfo<>(type))
            .uid("features-" + topic + "-records")
            .name("features-" + topic + "-records");
    return new Decoded<>(records, decoded.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
  }
}

package dev.sluice.jobs.scoring;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.operators.DeadLetterRouter;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.operators.scoring.ScoringOperator;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.models.ModelRegistryLog;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * Scoring inside a job: feature rows and the model registry's log into {@link ScoringOperator},
 * predictions into the prediction topic (exactly once, keyed by event id, Confluent wire format),
 * rows that cannot be scored and undecodable registry records into the dead-letter topic.
 *
 * <p>The registry's log is read from its beginning on every fresh start (never from committed
 * offsets: a new job must learn every version and alias) by one source task and broadcast to every
 * scoring task; after a restore, the source resumes from its checkpointed offsets and the scoring
 * tasks from their checkpointed copy of the log, so nothing is applied twice.
 */
public final class ScoringWorkflow {
  private ScoringWorkflow() {}

  /**
   * Where scoring reads the registry and writes its results.
   *
   * @param registryTopic the model registry's log
   * @param predictionsTopic decisions and shadow scores
   * @param deadLetterTopic rows that could not be scored
   * @param transactionalIdPrefix prefix of the sinks' Kafka transactional ids (unique per job)
   * @param settings the model and how it is served
   */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String registryTopic,
      String predictionsTopic,
      String deadLetterTopic,
      String transactionalIdPrefix,
      ScoringSettings settings,
      KafkaClientSettings kafka)
      implements Serializable {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(registryTopic, "registryTopic");
      Objects.requireNonNull(predictionsTopic, "predictionsTopic");
      Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
      Objects.requireNonNull(settings, "settings");
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        String bootstrapServers,
        RegistryConfig registry,
        String registryTopic,
        String predictionsTopic,
        String deadLetterTopic,
        String transactionalIdPrefix,
        ScoringSettings settings) {
      this(
          bootstrapServers,
          registry,
          registryTopic,
          predictionsTopic,
          deadLetterTopic,
          transactionalIdPrefix,
          settings,
          null);
    }
  }

  /**
   * What scoring added to the job.
   *
   * @param predictions decisions and shadow scores, already wired to the prediction topic
   * @param registryEvents the registry's log, for later stages that follow the models too
   */
  public record Scored(
      DataStream<Prediction> predictions, DataStream<RegistryEvent> registryEvents) {}

  /** How the job reads the registry's log. */
  public enum RegistryReading {
    /** Follow the log: promotions and new versions reach the running job (production). */
    FOLLOW,
    /**
     * Read the log as it is when the job starts, then end that input, so that a job over bounded
     * history (a benchmark, a replay) can finish; later changes are not seen.
     */
    AS_OF_START
  }

  /** Adds scoring of {@code rows} to the job, following the registry. */
  public static Scored attach(DataStream<FeatureRow> rows, Config c, ScorerFactory scorers) {
    return attach(rows, c, scorers, RegistryReading.FOLLOW);
  }

  /** Adds scoring of {@code rows} to the job. */
  public static Scored attach(
      DataStream<FeatureRow> rows, Config c, ScorerFactory scorers, RegistryReading reading) {
    StreamExecutionEnvironment env = rows.getExecutionEnvironment();
    ScoringSettings settings = c.settings().withSchemaId(predictionSchemaId(c));
    RegistryLog registryLog = registryLog(env, c, reading);
    SingleOutputStreamOperator<Prediction> predictions =
        rows.connect(registryLog.events().broadcast())
            .transform(
                "scoring-" + settings.modelName(),
                new AvroTypeInfo<>(Prediction.class),
                new ScoringOperator(settings, scorers))
            .uid("scoring")
            .name("scoring-" + settings.modelName());
    predictions
        .sinkTo(
            KafkaConnectors.<Prediction>registrySink(
                c.kafka(),
                c.registry(),
                c.predictionsTopic(),
                c.transactionalIdPrefix() + "-predictions",
                Prediction::getEventId,
                null,
                Prediction.class))
        .uid("predictions-sink")
        .name("predictions-sink");
    predictions
        .getSideOutput(ScoringOperator.DEAD_LETTERS)
        .union(registryLog.deadLetters())
        .sinkTo(
            KafkaConnectors.deadLetterSink(
                c.kafka(),
                c.registry(),
                c.deadLetterTopic(),
                c.transactionalIdPrefix() + "-scoring-dead-letters"))
        .uid("scoring-dead-letter-sink")
        .name("scoring-dead-letter-sink");
    return new Scored(predictions, registryLog.events());
  }

  /** The registry's events, and records of its topic that did not decode. */
  record RegistryLog(DataStream<RegistryEvent> events, DataStream<DeadLetter> deadLetters) {}

  /** The registry's log as one stream of events, read by a single task from the beginning. */
  static RegistryLog registryLog(
      StreamExecutionEnvironment env, Config c, RegistryReading reading) {
    // From the beginning on every fresh start, never from committed offsets: a new job must learn
    // every version and alias.
    var builder =
        KafkaConnectors.registrySourceBuilder(
                c.kafka(),
                c.registry(),
                c.registryTopic(),
                c.transactionalIdPrefix() + "-registry",
                OffsetsInitializer.earliest(),
                RegistryEvent.class)
            .setProperty("commit.offsets.on.checkpoint", "false")
            .setProperty(
                "max.partition.fetch.bytes", Integer.toString(ModelRegistryLog.MAX_MESSAGE_BYTES))
            .setProperty("fetch.max.bytes", Integer.toString(ModelRegistryLog.MAX_MESSAGE_BYTES));
    if (reading == RegistryReading.AS_OF_START) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    KafkaSource<Either<DeadLetter, Tuple2<SourceRecord, RegistryEvent>>> source = builder.build();
    var decoded =
        KafkaConnectors.routeDeadLetters(
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "model-registry-source")
                .uid("model-registry-source")
                .setParallelism(1),
            RegistryEvent.class,
            "model-registry-decode-router");
    decoded.setParallelism(1);
    DataStream<RegistryEvent> events =
        decoded
            .map(sourced -> sourced.f1, new AvroTypeInfo<>(RegistryEvent.class))
            .setParallelism(1)
            .uid("model-registry-events")
            .name("model-registry-events");
    return new RegistryLog(events, decoded.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
  }

  /** Registers the Prediction schema under the topic's subject and returns its id. */
  static int predictionSchemaId(Config c) {
    try (SchemaRegistryClient client = SchemaRegistryClients.create(c.registry())) {
      return client.register(c.predictionsTopic() + "-value", Prediction.getClassSchema());
    }
  }
}

package dev.sluice.jobs;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.EventCount;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.operators.DeadLetterRouter;
import dev.sluice.operators.DecodedWatermarks;
import dev.sluice.operators.EventCounter;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.KafkaClientSettings;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.types.Either;

/**
 * The spine job: reads transactions through the schema registry, sends undecodable records to the
 * dead-letter topic, and counts valid transactions per tumbling event-time window into the
 * event-counts topic. It exists to prove the path Kafka -> registry -> Flink -> Kafka end to end;
 * later jobs replace it.
 *
 * <p>Topology: {@code transactions-source -> dead-letter-router -> (side) dead-letter-sink; main ->
 * count-per-window -> event-count-sink}. Event time comes from {@code Transaction.eventTime} (dead
 * letters keep the Kafka timestamp), with bounded out-of-orderness; idle partitions stop holding
 * the watermark back after {@link Config#idleTimeout()}. State: one long per open window
 * (non-keyed, parallelism 1), dropped when the window fires. Output is exactly-once: counts and
 * dead letters become visible to {@code read_committed} consumers at each completed checkpoint. The
 * sinks' transactional ids derive from the consumer group id, so two instances of the job must use
 * different group ids (as they must anyway to read independently): instances sharing ids fence each
 * other and lose output.
 */
public final class EventCountJob {
  public static final String JOB_NAME = "sluice event-count";

  private EventCountJob() {}

  /**
   * Everything the job needs, parsed once (see {@code sluice job event-count --help} for the
   * options).
   */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String inputTopic,
      String outputTopic,
      String deadLetterTopic,
      String groupId,
      KafkaConnectors.StartFrom startFrom,
      Duration window,
      Duration outOfOrderness,
      Duration idleTimeout,
      CheckpointSettings checkpoints,
      KafkaClientSettings kafka) {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      if (window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("window must be > 0, got " + window);
      }
      if (outOfOrderness.isNegative()) {
        throw new IllegalArgumentException("out-of-orderness must be >= 0, got " + outOfOrderness);
      }
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        String bootstrapServers,
        RegistryConfig registry,
        String inputTopic,
        String outputTopic,
        String deadLetterTopic,
        String groupId,
        KafkaConnectors.StartFrom startFrom,
        Duration window,
        Duration outOfOrderness,
        Duration idleTimeout,
        CheckpointSettings checkpoints) {
      this(
          bootstrapServers,
          registry,
          inputTopic,
          outputTopic,
          deadLetterTopic,
          groupId,
          startFrom,
          window,
          outOfOrderness,
          idleTimeout,
          checkpoints,
          null);
    }
  }

  /**
   * Builds the Kafka connectors from {@code config}, defines the workflow and starts it without
   * blocking.
   */
  public static JobClient start(StreamExecutionEnvironment env, Config config) throws Exception {
    DataStream<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> input =
        env.fromSource(
                KafkaConnectors.registrySource(
                    config.kafka(),
                    config.registry(),
                    config.inputTopic(),
                    config.groupId(),
                    config.startFrom(),
                    Transaction.class),
                watermarks(config.outOfOrderness(), config.idleTimeout()),
                "transactions-source")
            .uid("transactions-source");
    defineWorkflow(
        input,
        KafkaConnectors.registrySink(
            config.kafka(),
            config.registry(),
            config.outputTopic(),
            config.groupId() + "-counts",
            null,
            null,
            EventCount.class),
        KafkaConnectors.deadLetterSink(
            config.kafka(),
            config.registry(),
            config.deadLetterTopic(),
            config.groupId() + "-dead-letters"),
        config.inputTopic(),
        config.window());
    return env.executeAsync(JOB_NAME);
  }

  /**
   * Dead letters and clock-broken records do not move the watermark (see {@link
   * DecodedWatermarks}).
   */
  public static WatermarkStrategy<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> watermarks(
      Duration outOfOrderness, Duration idleTimeout) {
    return DecodedWatermarks.strategy(
        Transaction::getEventTime,
        outOfOrderness,
        idleTimeout,
        Duration.ofDays(1),
        Duration.ofHours(1));
  }

  /**
   * The job's dataflow from a timestamped input, with sinks passed in so that tests can run it on
   * bounded input and collect the output.
   */
  public static void defineWorkflow(
      DataStream<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> input,
      Sink<EventCount> counts,
      Sink<DeadLetter> deadLetters,
      String sourceName,
      Duration window) {
    SingleOutputStreamOperator<Tuple2<SourceRecord, Transaction>> decoded =
        KafkaConnectors.routeDeadLetters(input, Transaction.class, "dead-letter-router");

    decoded
        .getSideOutput(DeadLetterRouter.DEAD_LETTERS)
        .sinkTo(deadLetters)
        .uid("dead-letter-sink")
        .name("dead-letter-sink");

    decoded
        .map(sourced -> sourced.f1)
        .returns(new AvroTypeInfo<>(Transaction.class))
        .name("drop-source")
        .windowAll(TumblingEventTimeWindows.of(window))
        .aggregate(new EventCounter.Count<Transaction>(), new EventCounter.Emit(sourceName))
        .returns(new AvroTypeInfo<>(EventCount.class))
        .uid("count-per-window")
        .name("count-per-window")
        .sinkTo(counts)
        .uid("event-count-sink")
        .name("event-count-sink");
  }
}

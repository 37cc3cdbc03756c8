package dev.sluice.jobs;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Label;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.operators.DeadLetterRouter;
import dev.sluice.operators.DecodedWatermarks;
import dev.sluice.operators.validation.RuleSet;
import dev.sluice.operators.validation.ValidatingFunction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The platform's front door: reads transactions and labels as other teams' producers write them,
 * and lets through only what decodes and passes validation; everything else goes, byte for byte and
 * with the reason, to the dead-letter topic. Nothing is dropped and no record can fail the job.
 *
 * <p>Topology, for each of transactions and labels: {@code <input>-source} (registry decoding;
 * undecodable records become dead letters) -> {@code <input>-decode-router} -> keyBy(transaction
 * id) -> {@code <input>-validator} ({@link IngestRules}, lateness, clock sanity, duplicates) ->
 * {@code valid-<input>-sink}; the dead letters of all four stages -> {@code dead-letter-sink}.
 *
 * <p>Event time: from the record ({@code Transaction.eventTime}, {@code Label.eventTime}, the time
 * the label became known) with bounded out-of-orderness; dead letters and records with broken
 * clocks do not move the watermark. Late records (more than the allowed lateness behind the
 * watermark) are counted and dead-lettered as {@code late}; a partition jumping ahead does not move
 * the watermark. State: per transaction id, where it was first accepted, for the de-duplication
 * horizon (event-time timer). Output is exactly-once: visible to {@code read_committed} consumers
 * at each checkpoint. Transactional ids derive from the group id: one group id per instance.
 */
public final class IngestJob {
  public static final String JOB_NAME = "sluice ingest";

  private IngestJob() {}

  /** Everything the job needs, parsed once (see {@code sluice job ingest --help}). */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String transactionsTopic,
      String labelsTopic,
      String validTransactionsTopic,
      String validLabelsTopic,
      String deadLetterTopic,
      String groupId,
      KafkaConnectors.StartFrom startFrom,
      Timing timing,
      IngestRules.Settings rules,
      CheckpointSettings checkpoints,
      KafkaClientSettings kafka) {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(timing, "timing");
      Objects.requireNonNull(rules, "rules");
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        String bootstrapServers,
        RegistryConfig registry,
        String transactionsTopic,
        String labelsTopic,
        String validTransactionsTopic,
        String validLabelsTopic,
        String deadLetterTopic,
        String groupId,
        KafkaConnectors.StartFrom startFrom,
        Timing timing,
        IngestRules.Settings rules,
        CheckpointSettings checkpoints) {
      this(
          bootstrapServers,
          registry,
          transactionsTopic,
          labelsTopic,
          validTransactionsTopic,
          validLabelsTopic,
          deadLetterTopic,
          groupId,
          startFrom,
          timing,
          rules,
          checkpoints,
          null);
    }
  }

  /**
   * Event-time settings.
   *
   * @param outOfOrderness how far the watermark trails the largest event time seen
   * @param idleTimeout when an idle partition stops holding the watermark back
   * @param allowedLateness how far behind the watermark a record may still be accepted
   * @param maxJump a record this far ahead of the largest event time already seen in its partition
   *     does not move the watermark (a clock gone wrong must not make everyone else's data late);
   *     it is still validated like any other
   * @param dedupHorizon how long (event time) an accepted id is remembered to refuse duplicates
   */
  public record Timing(
      Duration outOfOrderness,
      Duration idleTimeout,
      Duration allowedLateness,
      Duration maxJump,
      Duration dedupHorizon)
      implements java.io.Serializable {
    public Timing {
      for (Duration d :
          new Duration[] {outOfOrderness, idleTimeout, allowedLateness, maxJump, dedupHorizon}) {
        if (d == null || d.isNegative()) {
          throw new IllegalArgumentException("event-time settings must be >= 0, got " + d);
        }
      }
    }

    public static final Timing DEFAULTS =
        new Timing(
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofDays(1),
            Duration.ofDays(1));
  }

  /** Builds the Kafka connectors, defines the workflow and starts it without blocking. */
  public static JobClient start(StreamExecutionEnvironment env, Config c) throws Exception {
    attach(env, c);
    return env.executeAsync(JOB_NAME);
  }

  /**
   * What ingest accepted, as streams for the stages that follow in the same job (besides going to
   * the valid topics): timestamped by event time, watermarked by ingest's sources.
   */
  public record Valid(DataStream<Transaction> transactions, DataStream<Label> labels) {}

  /**
   * Defines the job on {@code env} without starting it (the platform job adds the other stages).
   */
  public static Valid attach(StreamExecutionEnvironment env, Config c) {
    DataStream<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> transactions =
        env.fromSource(
                KafkaConnectors.registrySource(
                    c.kafka(),
                    c.registry(),
                    c.transactionsTopic(),
                    c.groupId(),
                    c.startFrom(),
                    Transaction.class),
                watermarks(Transaction::getEventTime, c),
                "transactions-source")
            .uid("transactions-source");
    DataStream<Either<DeadLetter, Tuple2<SourceRecord, Label>>> labels =
        env.fromSource(
                KafkaConnectors.registrySource(
                    c.kafka(),
                    c.registry(),
                    c.labelsTopic(),
                    c.groupId(),
                    c.startFrom(),
                    Label.class),
                watermarks(Label::getEventTime, c),
                "labels-source")
            .uid("labels-source");
    return defineWorkflow(
        transactions,
        labels,
        // Keyed by customer like the inputs, so consumers partitioned by card keep their ordering.
        KafkaConnectors.<Transaction>registrySink(
            c.kafka(),
            c.registry(),
            c.validTransactionsTopic(),
            c.groupId() + "-valid-transactions",
            Transaction::getCustomerId,
            null,
            Transaction.class),
        KafkaConnectors.<Label>registrySink(
            c.kafka(),
            c.registry(),
            c.validLabelsTopic(),
            c.groupId() + "-valid-labels",
            Label::getCustomerId,
            null,
            Label.class),
        KafkaConnectors.deadLetterSink(
            c.kafka(), c.registry(), c.deadLetterTopic(), c.groupId() + "-dead-letters"),
        c.timing(),
        c.rules());
  }

  /** The source watermark strategy for a record type. */
  public static <T> WatermarkStrategy<Either<DeadLetter, Tuple2<SourceRecord, T>>> watermarks(
      SerializableFunction<T, Instant> eventTime, Config c) {
    return watermarks(eventTime, c.timing(), c.rules());
  }

  public static <T> WatermarkStrategy<Either<DeadLetter, Tuple2<SourceRecord, T>>> watermarks(
      SerializableFunction<T, Instant> eventTime, Timing timing, IngestRules.Settings rules) {
    return DecodedWatermarks.strategy(
        eventTime,
        timing.outOfOrderness(),
        timing.idleTimeout(),
        timing.maxJump(),
        rules.maxClockSkew());
  }

  /**
   * The dataflow from timestamped decoded inputs to the three sinks (tests pass collecting sinks).
   */
  public static Valid defineWorkflow(
      DataStream<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> transactions,
      DataStream<Either<DeadLetter, Tuple2<SourceRecord, Label>>> labels,
      Sink<Transaction> validTransactions,
      Sink<Label> validLabels,
      Sink<DeadLetter> deadLetters,
      Timing timing,
      IngestRules.Settings rules) {
    Validated<Transaction> tx =
        validate(
            transactions,
            "transactions",
            Transaction.class,
            IngestRules.transactions(rules),
            Transaction::getTransactionId,
            Transaction::getEventTime,
            timing);
    Validated<Label> lb =
        validate(
            labels,
            "labels",
            Label.class,
            IngestRules.labels(rules),
            Label::getTransactionId,
            Label::getEventTime,
            timing);

    tx.valid()
        .sinkTo(validTransactions)
        .uid("valid-transactions-sink")
        .name("valid-transactions-sink");
    lb.valid().sinkTo(validLabels).uid("valid-labels-sink").name("valid-labels-sink");
    tx.deadLetters()
        .union(lb.deadLetters())
        .sinkTo(deadLetters)
        .uid("dead-letter-sink")
        .name("dead-letter-sink");
    return new Valid(tx.valid(), lb.valid());
  }

  private record Validated<T>(DataStream<T> valid, DataStream<DeadLetter> deadLetters) {}

  private static <T extends SpecificRecordBase> Validated<T> validate(
      DataStream<Either<DeadLetter, Tuple2<SourceRecord, T>>> input,
      String name,
      Class<T> type,
      RuleSet<T> rules,
      SerializableFunction<T, String> id,
      SerializableFunction<T, Instant> eventTime,
      Timing timing) {
    SingleOutputStreamOperator<Tuple2<SourceRecord, T>> decoded =
        KafkaConnectors.routeDeadLetters(input, type, name + "-decode-router");
    SingleOutputStreamOperator<T> valid =
        decoded
            .keyBy(sourced -> Objects.toString(id.apply(sourced.f1), ""))
            .process(
                new ValidatingFunction<>(
                    rules, eventTime, timing.allowedLateness(), timing.dedupHorizon()))
            .returns(new AvroTypeInfo<>(type))
            .uid(name + "-validator")
            .name(name + "-validator");
    return new Validated<>(
        valid,
        decoded
            .getSideOutput(DeadLetterRouter.DEAD_LETTERS)
            .union(valid.getSideOutput(ValidatingFunction.DEAD_LETTERS)));
  }
}

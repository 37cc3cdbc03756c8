package dev.sluice.jobs;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.operators.DeadLetterRouter;
import dev.sluice.schemas.flink.RegistryAvroKafkaDeserializationSchema;
import dev.sluice.schemas.flink.RegistryAvroKafkaRecordSerializationSchema;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.state.KafkaClientSettings;
import java.time.Instant;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Kafka sources and sinks configured the way every platform job needs them. */
public final class KafkaConnectors {
  /**
   * Kept below the broker's default {@code transaction.max.timeout.ms} (15 min); the connector's
   * own default (1 h) is refused by a default broker.
   */
  public static final String TRANSACTION_TIMEOUT_MS = "900000";

  private KafkaConnectors() {}

  /** Where a source starts when its consumer group has no committed offsets. */
  public enum StartFrom {
    EARLIEST,
    LATEST
  }

  /**
   * A source that decodes through the registry and emits {@code Right(value)} or {@code
   * Left(deadLetter)}; it never fails on a bad record. Offsets are committed on checkpoints; reads
   * only committed data.
   */
  public static <T extends SpecificRecordBase>
      KafkaSource<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySource(
          String bootstrapServers,
          RegistryConfig registry,
          String topic,
          String groupId,
          StartFrom startFrom,
          Class<T> type) {
    return registrySource(
        KafkaClientSettings.of(bootstrapServers), registry, topic, groupId, startFrom, type, false);
  }

  /**
   * As above; a {@code bounded} source stops at the offsets that were the latest when the job
   * started (for backfills, replays and tests).
   */
  public static <T extends SpecificRecordBase>
      KafkaSource<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySource(
          String bootstrapServers,
          RegistryConfig registry,
          String topic,
          String groupId,
          StartFrom startFrom,
          Class<T> type,
          boolean bounded) {
    return registrySource(
        KafkaClientSettings.of(bootstrapServers),
        registry,
        topic,
        groupId,
        startFrom,
        type,
        bounded);
  }

  /** An unbounded {@link #registrySource} with the client properties of {@code kafka}. */
  public static <T extends SpecificRecordBase>
      KafkaSource<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySource(
          KafkaClientSettings kafka,
          RegistryConfig registry,
          String topic,
          String groupId,
          StartFrom startFrom,
          Class<T> type) {
    return registrySource(kafka, registry, topic, groupId, startFrom, type, false);
  }

  /** As above, with the client properties (security, tuning) of {@code kafka}. */
  public static <T extends SpecificRecordBase>
      KafkaSource<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySource(
          KafkaClientSettings kafka,
          RegistryConfig registry,
          String topic,
          String groupId,
          StartFrom startFrom,
          Class<T> type,
          boolean bounded) {
    var builder =
        registrySourceBuilder(
            kafka,
            registry,
            topic,
            groupId,
            OffsetsInitializer.committedOffsets(
                startFrom == StartFrom.EARLIEST
                    ? OffsetResetStrategy.EARLIEST
                    : OffsetResetStrategy.LATEST),
            type);
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * The builder behind {@link #registrySource}: decoding through the registry into values or dead
   * letters, read_committed, from {@code start}; callers add what differs (bounds, properties).
   */
  public static <T extends SpecificRecordBase>
      KafkaSourceBuilder<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySourceBuilder(
          String bootstrapServers,
          RegistryConfig registry,
          String topic,
          String groupId,
          OffsetsInitializer start,
          Class<T> type) {
    return registrySourceBuilder(
        KafkaClientSettings.of(bootstrapServers), registry, topic, groupId, start, type);
  }

  /** As above, with the client properties (security, tuning) of {@code kafka}. */
  public static <T extends SpecificRecordBase>
      KafkaSourceBuilder<Either<DeadLetter, Tuple2<SourceRecord, T>>> registrySourceBuilder(
          KafkaClientSettings kafka,
          RegistryConfig registry,
          String topic,
          String groupId,
          OffsetsInitializer start,
          Class<T> type) {
    // Extra properties first: the platform's own settings below must win (they are refused as
    // extras anyway, see KafkaClientSettings.OWNED).
    return KafkaSource.<Either<DeadLetter, Tuple2<SourceRecord, T>>>builder()
        .setProperties(kafka.consumerExtras())
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(start)
        .setProperty("isolation.level", "read_committed")
        .setDeserializer(new RegistryAvroKafkaDeserializationSchema<>(registry, type));
  }

  /**
   * An exactly-once sink writing Confluent wire-format values to {@code topic}, without a key, with
   * the records' event time as Kafka timestamp.
   */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      String bootstrapServers,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix) {
    return registrySink(
        KafkaClientSettings.of(bootstrapServers),
        registry,
        topic,
        transactionalIdPrefix,
        null,
        null);
  }

  /** As above, with the client properties (security, tuning) of {@code kafka}. */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix) {
    return registrySink(kafka, registry, topic, transactionalIdPrefix, null, null);
  }

  /**
   * An exactly-once sink writing Confluent wire-format values to {@code topic}.
   *
   * @param key the record key (UTF-8), or null for none
   * @param timestamp the Kafka timestamp, or null for the record's event time
   */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      String bootstrapServers,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp) {
    return registrySink(
        KafkaClientSettings.of(bootstrapServers),
        registry,
        topic,
        transactionalIdPrefix,
        key,
        timestamp);
  }

  /** As above, with the client properties (security, tuning) of {@code kafka}. */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp) {
    return sink(kafka, registry, topic, transactionalIdPrefix, key, timestamp, null);
  }

  /**
   * As above, for records of {@code type}, whose schema is registered while the job is built and
   * whose id every sink task resolves when it opens. For sinks that write rarely (dead letters,
   * alerts, window results): their first record may come during a registry outage, and their tasks
   * do not all register the same schema at the same moment when the job starts (which a registry on
   * an embedded database may not survive: Apicurio on H2 locked up that way).
   */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp,
      Class<T> type) {
    return sink(kafka, registry, topic, transactionalIdPrefix, key, timestamp, type);
  }

  private static <T extends SpecificRecordBase> KafkaSink<T> sink(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp,
      Class<T> eager) {
    if (eager != null) {
      new AvroWireSerializer<T>(SchemaRegistryClients.create(registry), registry, false)
          .prepare(topic, SpecificData.get().getSchema(eager));
    }
    return KafkaSink.<T>builder()
        .setKafkaProducerConfig(kafka.producerExtras())
        .setBootstrapServers(kafka.bootstrapServers())
        .setRecordSerializer(
            new RegistryAvroKafkaRecordSerializationSchema<>(
                registry, topic, key, timestamp, eager))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
        .build();
  }

  /**
   * The dead-letter sink: keyed by nothing, timestamped with the rejection time, since a dead
   * letter's event time may be anything (a broker refuses far-future timestamps, which would fail
   * the job).
   */
  public static KafkaSink<DeadLetter> deadLetterSink(
      String bootstrapServers,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix) {
    return deadLetterSink(
        KafkaClientSettings.of(bootstrapServers), registry, topic, transactionalIdPrefix);
  }

  /**
   * As above, with the client properties (security, tuning) of {@code kafka}. The dead-letter
   * schema is registered up front: dead letters are rare, and the first one may come during a
   * registry outage ({@code schema.registry.outage.policy=dead-letter}).
   */
  public static KafkaSink<DeadLetter> deadLetterSink(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix) {
    return sink(
        kafka,
        registry,
        topic,
        transactionalIdPrefix,
        null,
        DeadLetter::getFailedAt,
        DeadLetter.class);
  }

  /**
   * Splits what a {@link #registrySource} emits: decoded records go on, typed without Kryo; dead
   * letters go to the returned operator's {@link DeadLetterRouter#DEAD_LETTERS} side output.
   *
   * @param uid uid and name of the router operator
   */
  public static <T extends SpecificRecordBase>
      SingleOutputStreamOperator<Tuple2<SourceRecord, T>> routeDeadLetters(
          DataStream<Either<DeadLetter, Tuple2<SourceRecord, T>>> decoded,
          Class<T> type,
          String uid) {
    return decoded
        .process(new DeadLetterRouter<Tuple2<SourceRecord, T>>())
        .returns(
            new TupleTypeInfo<>(new AvroTypeInfo<>(SourceRecord.class), new AvroTypeInfo<>(type)))
        .uid(uid)
        .name(uid);
  }
}

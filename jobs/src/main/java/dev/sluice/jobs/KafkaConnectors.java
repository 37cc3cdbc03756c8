package dev.sluice.jobs;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.schemas.flink.RegistryAvroKafkaDeserializationSchema;
import dev.sluice.schemas.flink.RegistryAvroSerializationSchema;
import dev.sluice.schemas.registry.RegistryConfig;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Kafka sources and sinks configured the way every platform job needs them. */
public final class KafkaConnectors {
  /**
   * Kept below the broker's default {@code transaction.max.timeout.ms} (15 min); the connector's
   * own default (1 h) is refused by a default broker.
   */
  static final String TRANSACTION_TIMEOUT_MS = "900000";

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
    return KafkaSource.<Either<DeadLetter, Tuple2<SourceRecord, T>>>builder()
        .setBootstrapServers(bootstrapServers)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(
            OffsetsInitializer.committedOffsets(
                startFrom == StartFrom.EARLIEST
                    ? OffsetResetStrategy.EARLIEST
                    : OffsetResetStrategy.LATEST))
        .setProperty("isolation.level", "read_committed")
        .setDeserializer(new RegistryAvroKafkaDeserializationSchema<>(registry, type))
        .build();
  }

  /** An exactly-once sink writing Confluent wire-format values (no key) to {@code topic}. */
  public static <T extends SpecificRecordBase> KafkaSink<T> registrySink(
      String bootstrapServers,
      RegistryConfig registry,
      String topic,
      String transactionalIdPrefix) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setValueSerializationSchema(
                    RegistryAvroSerializationSchema.<T>forValue(registry, topic))
                .build())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
        .build();
  }
}

package dev.sluice.schemas.flink;

import dev.sluice.schemas.registry.RegistryConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns records into Kafka records for {@code KafkaSink}: the value in the Confluent wire format,
 * an optional UTF-8 key (so consumers can partition by entity), and the Kafka timestamp either from
 * the record or, by default, its Flink event time.
 *
 * <p>Records whose event time cannot be trusted (dead letters, whose event time may be years off)
 * must take their timestamp from elsewhere: brokers refuse timestamps too far in the future ({@code
 * log.message.timestamp.after.max.ms}, 1 h by default since Kafka 4), and a refused record fails
 * the whole transaction.
 */
public final class RegistryAvroKafkaRecordSerializationSchema<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final RegistryAvroSerializationSchema<T> values;
  private final SerializableFunction<T, String> key;
  private final SerializableFunction<T, Instant> timestamp;
  private final Class<T> eager;

  /**
   * @param key the record key, or null for no key
   * @param timestamp the Kafka timestamp, or null to use the record's Flink timestamp
   */
  public RegistryAvroKafkaRecordSerializationSchema(
      RegistryConfig registry,
      String topic,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp) {
    this(registry, topic, key, timestamp, null);
  }

  /**
   * @param eager the record class whose schema id is resolved when the sink opens, so that a sink
   *     that writes rarely (dead letters) needs no registry later, e.g. during an outage; null to
   *     resolve at the first record
   */
  public RegistryAvroKafkaRecordSerializationSchema(
      RegistryConfig registry,
      String topic,
      SerializableFunction<T, String> key,
      SerializableFunction<T, Instant> timestamp,
      Class<T> eager) {
    this.topic = topic;
    this.values = RegistryAvroSerializationSchema.forValue(registry, topic);
    this.key = key;
    this.timestamp = timestamp;
    this.eager = eager;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
      throws Exception {
    values.open(context);
    if (eager != null) {
      values.prepare(org.apache.avro.specific.SpecificData.get().getSchema(eager));
    }
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T element, KafkaSinkContext context, Long flinkTimestamp) {
    String k = key == null ? null : key.apply(element);
    Long ts = timestamp == null ? flinkTimestamp : timestamp.apply(element).toEpochMilli();
    return new ProducerRecord<>(
        topic,
        null,
        ts,
        k == null ? null : k.getBytes(StandardCharsets.UTF_8),
        values.serialize(element));
  }
}

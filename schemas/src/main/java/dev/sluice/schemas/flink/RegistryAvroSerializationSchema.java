package dev.sluice.schemas.flink;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Flink {@link SerializationSchema} writing the Confluent wire format for one topic, for {@code
 * KafkaSink} (via {@code
 * KafkaRecordSerializationSchema.builder().setValueSerializationSchema(..)}). The registry client
 * is opened on the task manager in {@link #open}.
 */
public final class RegistryAvroSerializationSchema<T extends SpecificRecord>
    implements SerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final RegistryConfig config;
  private final String topic;
  private final boolean isKey;
  private transient SchemaRegistryClient registry;
  private transient AvroWireSerializer<T> serializer;

  public RegistryAvroSerializationSchema(RegistryConfig config, String topic, boolean isKey) {
    this.config = config;
    this.topic = topic;
    this.isKey = isKey;
  }

  /** Value serializer for {@code topic}. */
  public static <T extends SpecificRecord> RegistryAvroSerializationSchema<T> forValue(
      RegistryConfig config, String topic) {
    return new RegistryAvroSerializationSchema<>(config, topic, false);
  }

  @Override
  public void open(InitializationContext context) {
    registry = SchemaRegistryClients.create(config);
    serializer = new AvroWireSerializer<>(registry, config, isKey);
  }

  /**
   * Resolves {@code schema}'s id for this topic now (after {@link #open}), so that writing it later
   * needs no registry.
   */
  public void prepare(org.apache.avro.Schema schema) {
    serializer.prepare(topic, schema);
  }

  @Override
  public byte[] serialize(T element) {
    return serializer.serialize(topic, element);
  }
}

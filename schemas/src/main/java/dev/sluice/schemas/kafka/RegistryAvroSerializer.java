package dev.sluice.schemas.kafka;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing the Confluent wire format, configured with the same properties
 * as Confluent's {@code KafkaAvroSerializer} ({@code schema.registry.url}, {@code
 * auto.register.schemas}, ...), so it drops into any producer config: {@code
 * value.serializer=dev.sluice.schemas.kafka.RegistryAvroSerializer}.
 */
public class RegistryAvroSerializer<T extends GenericContainer> implements Serializer<T> {
  private SchemaRegistryClient registry;
  private AvroWireSerializer<T> serializer;

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public RegistryAvroSerializer() {}

  /** Ready to use, sharing {@code registry}. */
  public RegistryAvroSerializer(
      SchemaRegistryClient registry, RegistryConfig config, boolean isKey) {
    this.registry = registry;
    this.serializer = new AvroWireSerializer<>(registry, config, isKey);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    RegistryConfig config = RegistryConfig.fromProperties(configs);
    this.registry = SchemaRegistryClients.create(config);
    this.serializer = new AvroWireSerializer<>(registry, config, isKey);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (serializer == null) {
      throw new IllegalStateException("RegistryAvroSerializer used before configure()");
    }
    return serializer.serialize(topic, data);
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}

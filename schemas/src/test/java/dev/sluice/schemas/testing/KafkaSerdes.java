package dev.sluice.schemas.testing;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.kafka.RegistryAvroDeserializer;
import dev.sluice.schemas.kafka.RegistryAvroSerializer;
import dev.sluice.schemas.registry.RegistryConfig;
import java.util.Map;

/**
 * Round trips through the plain Kafka serdes, configured only by properties, as a Kafka client
 * would.
 */
public final class KafkaSerdes {
  private KafkaSerdes() {}

  /**
   * Serializes {@code tx} for {@code topic} and reads it back, both sides configured with {@code
   * url}.
   */
  public static Transaction roundTrip(String url, String topic, Transaction tx) {
    Map<String, Object> props =
        Map.of(
            RegistryConfig.URL,
            url,
            RegistryAvroDeserializer.READER_CLASS,
            Transaction.class.getName());
    try (RegistryAvroSerializer<Transaction> serializer = new RegistryAvroSerializer<>();
        RegistryAvroDeserializer<Transaction> deserializer = new RegistryAvroDeserializer<>()) {
      serializer.configure(props, false);
      deserializer.configure(props, false);
      if (serializer.serialize(topic, null) != null) {
        throw new AssertionError("a null value must stay null (a tombstone)");
      }
      return deserializer.deserialize(topic, serializer.serialize(topic, tx));
    }
  }
}

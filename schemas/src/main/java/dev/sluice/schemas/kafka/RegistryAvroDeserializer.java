package dev.sluice.schemas.kafka;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} for the Confluent wire format into a generated Avro class. Bad bytes
 * throw a {@link SerializationException} whose cause is the {@link WireFormatException} (the
 * consumer wraps it in a {@code RecordDeserializationException} carrying partition and offset, so
 * the caller can seek past it). Configure the class with {@code specific.avro.reader.class} when
 * constructed reflectively by Kafka.
 */
public class RegistryAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  /** Fully qualified name of the generated class to read into. */
  public static final String READER_CLASS = "specific.avro.reader.class";

  private SchemaRegistryClient registry;
  private AvroWireDeserializer<T> deserializer;

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public RegistryAvroDeserializer() {}

  public RegistryAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
    this.registry = registry;
    this.deserializer = AvroWireDeserializer.forSpecific(registry, type);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object className = configs.get(READER_CLASS);
    if (className == null) {
      throw new IllegalArgumentException(
          READER_CLASS + " is required, e.g. dev.sluice.avro.Transaction");
    }
    Class<T> type;
    try {
      type =
          (Class<T>)
              Class.forName(
                  className.toString(), true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          READER_CLASS + " '" + className + "' is not on the classpath", e);
    }
    if (!SpecificRecord.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          READER_CLASS + " '" + className + "' is not a generated Avro class");
    }
    this.registry = SchemaRegistryClients.create(RegistryConfig.fromProperties(configs));
    this.deserializer = AvroWireDeserializer.forSpecific(registry, type);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (deserializer == null) {
      throw new IllegalStateException("RegistryAvroDeserializer used before configure()");
    }
    try {
      return deserializer.deserialize(data);
    } catch (WireFormatException e) {
      throw new SerializationException(
          "record on " + topic + ": " + e.kind() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}

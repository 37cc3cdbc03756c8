package dev.sluice.schemas.serde;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SubjectNameStrategy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format. The schema id comes from
 * the registry: registered under the configured subject on first use when {@code
 * auto.register.schemas} is true, otherwise looked up (and refused if absent), then cached.
 * Thread-safe.
 */
public final class AvroWireSerializer<T extends GenericContainer> {
  private final SchemaRegistryClient registry;
  private final boolean autoRegister;
  private final SubjectNameStrategy strategy;
  private final boolean isKey;
  private final Map<SubjectAndSchema, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
  private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

  /** The last topic and schema serialized, with their id and writer: most callers repeat them. */
  private volatile Resolved last;

  public AvroWireSerializer(SchemaRegistryClient registry, RegistryConfig config, boolean isKey) {
    this.registry = registry;
    this.autoRegister = config.autoRegister();
    this.strategy = isKey ? config.keySubjectNameStrategy() : config.valueSubjectNameStrategy();
    this.isKey = isKey;
  }

  /**
   * Resolves (registers or looks up) and caches {@code schema}'s id for {@code topic} now, so that
   * a later {@link #serialize} of that schema needs no registry: a sink that writes rarely (dead
   * letters) keeps working through a registry outage.
   *
   * @return the schema id
   */
  public int prepare(String topic, Schema schema) {
    String subject = strategy.subjectName(topic, isKey, schema);
    return ids.computeIfAbsent(
        new SubjectAndSchema(subject, schema),
        k -> autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema));
  }

  /** Serializes {@code record} for {@code topic}; null stays null (a Kafka tombstone). */
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    Schema schema = record.getSchema();
    Resolved resolved = last;
    if (resolved == null || resolved.schema != schema || !resolved.topic.equals(topic)) {
      // Slow path, once per topic and schema in practice: subject, registry id and writer.
      String subject = strategy.subjectName(topic, isKey, schema);
      int schemaId =
          ids.computeIfAbsent(
              new SubjectAndSchema(subject, schema),
              k ->
                  autoRegister
                      ? registry.register(subject, schema)
                      : registry.lookup(subject, schema));
      resolved =
          new Resolved(
              topic, schema, schemaId, writers.computeIfAbsent(schema, s -> writerFor(record, s)));
      last = resolved;
    }
    int id = resolved.id;
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    byte[] header = new byte[WireFormat.HEADER_SIZE];
    WireFormat.writeHeader(header, id);
    out.writeBytes(header);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoders.get());
    encoders.set(encoder);
    try {
      resolved.writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot encode " + schema.getFullName() + " for topic " + topic, e);
    }
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static DatumWriter<Object> writerFor(GenericContainer record, Schema schema) {
    if (record instanceof SpecificRecord) {
      // getForClass picks up the logical-type conversions (decimal, timestamp) generated into the
      // class.
      return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
    }
    return (DatumWriter<Object>)
        (DatumWriter<?>) new GenericDatumWriter<>(schema, GenericData.get());
  }

  private record SubjectAndSchema(String subject, Schema schema) {}

  private record Resolved(String topic, Schema schema, int id, DatumWriter<Object> writer) {}
}

package dev.sluice.schemas.flink;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import java.time.Clock;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka source deserializer for the Confluent wire format that never fails the job because of a
 * record: a decoded value comes out as {@code Either.Right((source, value))}, where {@code source}
 * keeps the original record so that validation downstream can still dead-letter it byte for byte;
 * undecodable bytes come out as {@code Either.Left(deadLetter)} holding the original bytes,
 * position and reason. Downstream, {@code DeadLetterRouter} (operators) splits the two. Registry
 * outages are not the record's fault: they surface as exceptions after the client's retries, so
 * Flink restarts from the last checkpoint and reads the record again.
 *
 * <p>Both sides are Avro types with Avro serializers in Flink (no Kryo). Metrics (per source
 * operator, in the web UI): {@code decodedRecords}, {@code deadLetteredRecords}.
 */
public final class RegistryAvroKafkaDeserializationSchema<T extends SpecificRecordBase>
    implements KafkaRecordDeserializationSchema<Either<DeadLetter, Tuple2<SourceRecord, T>>> {
  private static final long serialVersionUID = 1L;

  private final RegistryConfig config;
  private final Class<T> type;
  private transient SchemaRegistryClient registry;
  private transient AvroWireDeserializer<T> deserializer;
  private transient Counter decoded;
  private transient Counter deadLettered;
  private transient Clock clock;

  public RegistryAvroKafkaDeserializationSchema(RegistryConfig config, Class<T> type) {
    this.config = config;
    this.type = type;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    registry = SchemaRegistryClients.create(config);
    deserializer = AvroWireDeserializer.forSpecific(registry, type);
    decoded = context.getMetricGroup().counter("decodedRecords");
    deadLettered = context.getMetricGroup().counter("deadLetteredRecords");
    clock = Clock.systemUTC();
  }

  @Override
  public void deserialize(
      ConsumerRecord<byte[], byte[]> record,
      Collector<Either<DeadLetter, Tuple2<SourceRecord, T>>> out) {
    try {
      T value = deserializer.deserialize(record.value());
      decoded.inc();
      out.collect(Either.Right(Tuple2.of(DeadLetters.source(record), value)));
    } catch (WireFormatException e) {
      deadLettered.inc();
      out.collect(
          Either.Left(
              DeadLetters.of(
                  record,
                  DeadLetters.STAGE_DECODE,
                  e.kind().name(),
                  e.getMessage(),
                  Instant.now(clock))));
    }
  }

  @Override
  public TypeInformation<Either<DeadLetter, Tuple2<SourceRecord, T>>> getProducedType() {
    return new EitherTypeInfo<>(
        new AvroTypeInfo<>(DeadLetter.class),
        new TupleTypeInfo<>(new AvroTypeInfo<>(SourceRecord.class), new AvroTypeInfo<>(type)));
  }
}

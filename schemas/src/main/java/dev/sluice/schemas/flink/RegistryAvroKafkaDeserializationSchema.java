package dev.sluice.schemas.flink;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.RegistryUnavailableException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka source deserializer for the Confluent wire format that never fails the job because of a
 * record: a decoded value comes out as {@code Either.Right((source, value))}, where {@code source}
 * keeps the original record so that validation downstream can still dead-letter it byte for byte;
 * undecodable bytes come out as {@code Either.Left(deadLetter)} holding the original bytes,
 * position and reason. Downstream, {@code DeadLetterRouter} (operators) splits the two.
 *
 * <p>Registry outages are not the record's fault. Writer schemas already fetched are cached, so
 * records written with them keep flowing while the registry is away. A record that needs a schema
 * the source has not cached is handled by the configuration's {@link RegistryConfig.OutagePolicy}
 * once the client's own retries are spent: {@code WAIT} asks again with backoff (up to the policy's
 * maximum wait, then fails the task), {@code DEAD_LETTER} sends it to the dead letters with error
 * class {@value #REGISTRY_UNAVAILABLE} and its original bytes, {@code FAIL} fails the task at once;
 * Flink then restarts from the last checkpoint and reads the record again.
 *
 * <p>Both sides are Avro types with Avro serializers in Flink (no Kryo). Metrics (per source
 * operator, in the web UI): {@code decodedRecords}, {@code deadLetteredRecords}, {@code
 * registryUnavailableRecords} (records that met an outage, whatever the policy did with them) and
 * {@code registryWaitMillis} (time spent waiting for the registry).
 */
public final class RegistryAvroKafkaDeserializationSchema<T extends SpecificRecordBase>
    implements KafkaRecordDeserializationSchema<Either<DeadLetter, Tuple2<SourceRecord, T>>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG =
      LoggerFactory.getLogger(RegistryAvroKafkaDeserializationSchema.class);

  /** Dead-letter error class of a record that met a registry outage under {@code DEAD_LETTER}. */
  public static final String REGISTRY_UNAVAILABLE = "REGISTRY_UNAVAILABLE";

  private final RegistryConfig config;
  private final Class<T> type;
  private transient SchemaRegistryClient registry;
  private transient AvroWireDeserializer<T> deserializer;
  private transient Counter decoded;
  private transient Counter deadLettered;
  private transient Counter registryUnavailable;
  private transient Counter registryWaitMillis;
  private transient Clock clock;

  /**
   * {@code DEAD_LETTER}: until when records needing the registry are dead-lettered without asking
   * it (each would otherwise spend the client's whole retry budget while the registry is away);
   * then the next one asks again.
   */
  private transient Instant outageUntil;

  private transient String outageCause;

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
    registryUnavailable = context.getMetricGroup().counter("registryUnavailableRecords");
    registryWaitMillis = context.getMetricGroup().counter("registryWaitMillis");
    clock = Clock.systemUTC();
  }

  @Override
  public void deserialize(
      ConsumerRecord<byte[], byte[]> record,
      Collector<Either<DeadLetter, Tuple2<SourceRecord, T>>> out) {
    try {
      T value;
      try {
        if (outageUntil != null
            && Instant.now(clock).isBefore(outageUntil)
            && deserializer.needsRegistry(record.value())) {
          registryUnavailable.inc();
          deadLetterForOutage(record, outageCause, out);
          return;
        }
        value = deserializer.deserialize(record.value());
        outageUntil = null;
      } catch (RegistryUnavailableException e) {
        registryUnavailable.inc();
        if (config.outagePolicy() == RegistryConfig.OutagePolicy.DEAD_LETTER) {
          outageCause = e.getMessage();
          outageUntil = Instant.now(clock).plus(config.maxBackoff());
          deadLetterForOutage(record, outageCause, out);
          return;
        }
        if (config.outagePolicy() == RegistryConfig.OutagePolicy.FAIL) {
          throw e;
        }
        value = awaitRegistry(record, e);
      }
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

  private void deadLetterForOutage(
      ConsumerRecord<byte[], byte[]> record,
      String cause,
      Collector<Either<DeadLetter, Tuple2<SourceRecord, T>>> out) {
    deadLettered.inc();
    out.collect(
        Either.Left(
            DeadLetters.of(
                record,
                DeadLetters.STAGE_DECODE,
                REGISTRY_UNAVAILABLE,
                "schema registry unavailable ("
                    + RegistryConfig.OUTAGE_POLICY
                    + "=dead-letter), the record was not decoded: "
                    + cause,
                Instant.now(clock))));
  }

  /**
   * {@code WAIT}: decodes {@code record} again with backoff until the registry answers or the
   * maximum wait has passed (then the outage is rethrown and fails the task).
   */
  private T awaitRegistry(ConsumerRecord<byte[], byte[]> record, RegistryUnavailableException first)
      throws WireFormatException {
    long start = System.nanoTime();
    long deadline = start + config.outageMaxWait().toNanos();
    long backoffMillis = Math.max(1, config.initialBackoff().toMillis());
    RegistryUnavailableException last = first;
    LOG.warn(
        "schema registry unavailable while decoding {}-{}@{}; waiting up to {} ({}=wait): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        config.outageMaxWait(),
        RegistryConfig.OUTAGE_POLICY,
        first.getMessage());
    try {
      while (System.nanoTime() < deadline) {
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the task is being cancelled
          throw new RegistryUnavailableException(
              "interrupted while waiting for the schema registry", e);
        }
        backoffMillis = Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
        try {
          T value = deserializer.deserialize(record.value());
          LOG.info(
              "schema registry answers again after {} ms; {}-{}@{} decoded",
              (System.nanoTime() - start) / 1_000_000,
              record.topic(),
              record.partition(),
              record.offset());
          return value;
        } catch (RegistryUnavailableException e) {
          last = e;
        }
      }
    } finally {
      registryWaitMillis.inc((System.nanoTime() - start) / 1_000_000);
    }
    throw new RegistryUnavailableException(
        "schema registry still unavailable after waiting "
            + config.outageMaxWait()
            + " ("
            + RegistryConfig.OUTAGE_MAX_WAIT_MS
            + "); failing the task so that it restarts from its last checkpoint: "
            + last.getMessage(),
        last);
  }

  @Override
  public TypeInformation<Either<DeadLetter, Tuple2<SourceRecord, T>>> getProducedType() {
    return new EitherTypeInfo<>(
        new AvroTypeInfo<>(DeadLetter.class),
        new TupleTypeInfo<>(new AvroTypeInfo<>(SourceRecord.class), new AvroTypeInfo<>(type)));
  }
}

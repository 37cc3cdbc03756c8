package dev.sluice.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.schemas.testing.TestRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.runtime.EitherSerializer;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryAvroKafkaDeserializationSchemaTest {
  private static final String SCOPE = "flink-deserialization";
  private final RegistryConfig config = RegistryConfig.of("mock://" + SCOPE);
  private RegistryAvroKafkaDeserializationSchema<Transaction> schema;
  private final List<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> out = new ArrayList<>();
  private final Collector<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> collector =
      new Collector<>() {
        @Override
        public void collect(Either<DeadLetter, Tuple2<SourceRecord, Transaction>> record) {
          out.add(record);
        }

        @Override
        public void close() {}
      };

  @BeforeEach
  void open() throws Exception {
    schema = new RegistryAvroKafkaDeserializationSchema<>(config, Transaction.class);
    schema.open(
        new DeserializationSchema.InitializationContext() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
          }
        });
  }

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void validRecordsComeOutRightAndBadOnesLeftWithTheOriginalBytesAndPosition() throws Exception {
    Transaction tx = TestRecords.transaction(3);
    byte[] good =
        new AvroWireSerializer<Transaction>(MockSchemaRegistryClient.forScope(SCOPE), config, false)
            .serialize("transactions", tx);
    byte[] bad = "{\"amount\": 12}".getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace-id", new byte[] {7});

    schema.deserialize(record(10, good, new RecordHeaders()), collector);
    schema.deserialize(record(11, bad, headers), collector);
    schema.deserialize(record(12, null, new RecordHeaders()), collector);

    assertThat(out).hasSize(3);
    assertThat(out.get(0).isRight()).isTrue();
    assertThat(out.get(0).right().f1).isEqualTo(tx);
    SourceRecord source = out.get(0).right().f0;
    assertThat(source.getOffset()).isEqualTo(10L);
    assertThat(bytes(source.getValue())).isEqualTo(good);

    DeadLetter letter = out.get(1).left();
    assertThat(letter.getTopic()).isEqualTo("transactions");
    assertThat(letter.getPartition()).isEqualTo(2);
    assertThat(letter.getOffset()).isEqualTo(11L);
    assertThat(letter.getRecordTimestamp().toEpochMilli()).isEqualTo(1_522_567_145_000L);
    assertThat(bytes(letter.getValue())).isEqualTo(bad);
    assertThat(bytes(letter.getKey())).isEqualTo("c-00003".getBytes(StandardCharsets.UTF_8));
    assertThat(bytes(letter.getHeaders().get("trace-id"))).containsExactly(7);
    assertThat(letter.getStage()).isEqualTo("decode");
    assertThat(letter.getErrorClass()).isEqualTo("BAD_MAGIC_BYTE");
    assertThat(letter.getReason()).contains("looks like JSON");

    DeadLetter tombstone = out.get(2).left();
    assertThat(tombstone.getValue()).isNull();
    assertThat(tombstone.getErrorClass()).isEqualTo("EMPTY");
  }

  @Test
  void producedTypeUsesAvroSerializersNotKryo() {
    TypeSerializer<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> serializer =
        schema.getProducedType().createSerializer(new SerializerConfigImpl());

    assertThat(serializer).isInstanceOf(EitherSerializer.class);
    EitherSerializer<DeadLetter, Tuple2<SourceRecord, Transaction>> either =
        (EitherSerializer<DeadLetter, Tuple2<SourceRecord, Transaction>>) serializer;
    assertThat(either.getLeftSerializer())
        .isInstanceOf(AvroSerializer.class)
        .isNotInstanceOf(KryoSerializer.class);
    TupleSerializer<?> right = (TupleSerializer<?>) either.getRightSerializer();
    assertThat(right.getFieldSerializers())
        .allSatisfy(f -> assertThat(f).isInstanceOf(AvroSerializer.class));
  }

  private static ConsumerRecord<byte[], byte[]> record(
      long offset, byte[] value, RecordHeaders headers) {
    return new ConsumerRecord<>(
        "transactions",
        2,
        offset,
        1_522_567_145_000L,
        TimestampType.CREATE_TIME,
        7,
        value == null ? -1 : value.length,
        "c-00003".getBytes(StandardCharsets.UTF_8),
        value,
        headers,
        Optional.empty());
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}

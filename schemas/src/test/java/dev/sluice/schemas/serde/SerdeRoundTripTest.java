package dev.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.testing.KafkaSerdes;
import dev.sluice.schemas.testing.TestRecords;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerdeRoundTripTest {
  private static final String SCOPE = "serde-round-trip";
  private final RegistryConfig config = RegistryConfig.of("mock://" + SCOPE);
  private final SchemaRegistryClient registry = MockSchemaRegistryClient.forScope(SCOPE);

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void specificRecordSurvivesTheWireFormatIncludingLogicalTypes() throws Exception {
    Transaction tx = TestRecords.transaction(42);
    byte[] bytes =
        new AvroWireSerializer<Transaction>(registry, config, false).serialize("transactions", tx);

    assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
    int id = WireFormat.schemaId(bytes);
    assertThat(registry.getLatest("transactions-value").id()).isEqualTo(id);
    assertThat(registry.getById(id)).isEqualTo(Transaction.getClassSchema());

    Transaction back =
        AvroWireDeserializer.forSpecific(registry, Transaction.class).deserialize(bytes);
    assertThat(back).isEqualTo(tx);
    assertThat(back.getAmount()).isEqualByComparingTo("57.58");
    assertThat(back.getEventTime()).isEqualTo(TestRecords.APRIL_FIRST.plusSeconds(42));
  }

  @Test
  void nullableBytesAndMapsRoundTrip() throws Exception {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setTopic("transactions")
            .setPartition(3)
            .setOffset(1234L)
            .setRecordTimestamp(null)
            .setKey(null)
            .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .setHeaders(Map.of("trace", ByteBuffer.wrap(new byte[] {9})))
            .setStage("decode")
            .setErrorClass("BAD_MAGIC_BYTE")
            .setReason("unknown magic byte 0x01")
            .setFailedAt(Instant.parse("2026-11-27T09:00:00Z"))
            .build();
    byte[] bytes =
        new AvroWireSerializer<DeadLetter>(registry, config, false)
            .serialize("dead-letters", letter);

    assertThat(AvroWireDeserializer.forSpecific(registry, DeadLetter.class).deserialize(bytes))
        .isEqualTo(letter);
  }

  @Test
  void genericReaderWithoutReaderSchemaUsesTheWriterSchema() throws Exception {
    byte[] bytes =
        new AvroWireSerializer<Transaction>(registry, config, false)
            .serialize("transactions", TestRecords.transaction(7));

    Object value = AvroWireDeserializer.forGeneric(registry, null).deserialize(bytes);

    assertThat(value).isInstanceOf(GenericData.Record.class);
    assertThat(((GenericRecord) value).get("transactionId").toString())
        .isEqualTo("tx-000000000007");
  }

  @Test
  void kafkaSerdesConfiguredLikeConfluentOnesRoundTrip() {
    Transaction tx = TestRecords.transaction(1);
    assertThat(KafkaSerdes.roundTrip("mock://" + SCOPE, "transactions", tx)).isEqualTo(tx);
  }

  @Test
  void serializerRegistersOncePerSubjectAndSchema() {
    AvroWireSerializer<Transaction> serializer = new AvroWireSerializer<>(registry, config, false);
    byte[] first = serializer.serialize("transactions", TestRecords.transaction(1));
    byte[] second = serializer.serialize("other-topic", TestRecords.transaction(2));

    // Content-addressed ids: same schema under two subjects, one id.
    assertThat(WireFormat.schemaId(second)).isEqualTo(WireFormat.schemaId(first));
    assertThat(registry.subjects())
        .containsExactlyInAnyOrder("transactions-value", "other-topic-value");
  }
}

package dev.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.CompatibilityLevel;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryException;
import dev.sluice.schemas.testing.TestRecords;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A producer adds an optional field with a default (v2). The platform must read v2 data with its v1
 * class (old reader, new writer), and a v2 reader must read the v1 data already in the topic (new
 * reader, old writer).
 */
class SchemaEvolutionTest {
  private static final String SCOPE = "schema-evolution";
  private static final Schema V2 = TestRecords.schema("evolution/transaction-v2.avsc");
  private static final Schema V3_BREAKING =
      TestRecords.schema("evolution/transaction-v3-breaking.avsc");
  private static final Schema WITHOUT_CUSTOMER =
      TestRecords.schema("evolution/transaction-without-customer.avsc");

  private final RegistryConfig config = RegistryConfig.of("mock://" + SCOPE);
  private final SchemaRegistryClient registry = MockSchemaRegistryClient.forScope(SCOPE);

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void v1ReaderReadsRecordsWrittenWithV2() throws Exception {
    GenericRecord v2 = v2Record("tx-000000000100", "ecommerce");
    byte[] bytes =
        new AvroWireSerializer<GenericRecord>(registry, config, false)
            .serialize("transactions", v2);

    Transaction read =
        AvroWireDeserializer.forSpecific(registry, Transaction.class).deserialize(bytes);

    assertThat(read.getTransactionId()).isEqualTo("tx-000000000100");
    assertThat(read.getAmount()).isEqualByComparingTo("12.34");
    assertThat(read.getEventTime()).isEqualTo(TestRecords.APRIL_FIRST);
  }

  @Test
  void v2ReaderReadsRecordsWrittenWithV1AndFillsTheDefault() throws Exception {
    Transaction v1 = TestRecords.transaction(5);
    byte[] bytes =
        new AvroWireSerializer<Transaction>(registry, config, false).serialize("transactions", v1);

    GenericRecord read =
        (GenericRecord) AvroWireDeserializer.forGeneric(registry, V2).deserialize(bytes);

    assertThat(read.get("transactionId").toString()).isEqualTo(v1.getTransactionId());
    assertThat(read.get("channel")).isNull();
    assertThat(read.getSchema()).isEqualTo(V2);
  }

  @Test
  void registryAcceptsTheOptionalFieldAndRefusesARequiredOne() {
    registry.setCompatibility("transactions-value", CompatibilityLevel.BACKWARD);
    int v1 = registry.register("transactions-value", Transaction.getClassSchema());
    int v2 = registry.register("transactions-value", V2);

    assertThat(v2).isNotEqualTo(v1);
    assertThat(registry.testCompatibility("transactions-value", V3_BREAKING).compatible())
        .isFalse();
    assertThatThrownBy(() -> registry.register("transactions-value", V3_BREAKING))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("transactions-value")
        .hasMessageContaining("merchantCategory");
  }

  @Test
  void readerRefusesAWriterSchemaItCannotResolve() {
    // A breaking writer schema that got past the registry (e.g. compatibility NONE) is bad data,
    // not a crash.
    registry.setCompatibility("transactions-value", CompatibilityLevel.NONE);
    GenericRecord dropped = new GenericData.Record(WITHOUT_CUSTOMER);
    dropped.put("transactionId", "tx-1");
    dropped.put("eventTime", TestRecords.APRIL_FIRST.toEpochMilli());
    dropped.put("terminalId", "t-1");
    dropped.put("amount", decimal(WITHOUT_CUSTOMER, "1.00"));
    byte[] bytes =
        new AvroWireSerializer<GenericRecord>(registry, config, false)
            .serialize("transactions", dropped);

    assertThatThrownBy(
            () -> AvroWireDeserializer.forSpecific(registry, Transaction.class).deserialize(bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class,
            e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.INCOMPATIBLE_SCHEMA))
        .hasMessageContaining("cannot be read as dev.sluice.avro.Transaction")
        .hasMessageContaining("customerId");
  }

  private static GenericRecord v2Record(String id, String channel) {
    GenericRecord record = new GenericData.Record(V2);
    record.put("transactionId", id);
    record.put("eventTime", TestRecords.APRIL_FIRST.toEpochMilli());
    record.put("customerId", "c-00001");
    record.put("terminalId", "t-00001");
    record.put("amount", decimal(V2, "12.34"));
    record.put("channel", channel);
    return record;
  }

  private static ByteBuffer decimal(Schema schema, String amount) {
    Schema field = schema.getField("amount").schema();
    return new Conversions.DecimalConversion()
        .toBytes(new BigDecimal(amount), field, LogicalTypes.fromSchema(field));
  }
}

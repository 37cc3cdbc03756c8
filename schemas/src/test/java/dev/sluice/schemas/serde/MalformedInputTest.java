package dev.sluice.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.serde.WireFormatException.Kind;
import dev.sluice.schemas.testing.TestRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input comes out as a typed, descriptive {@link WireFormatException}, never
 * null.
 */
class MalformedInputTest {
  private static final String SCOPE = "malformed-input";
  private final RegistryConfig config = RegistryConfig.of("mock://" + SCOPE);
  private final SchemaRegistryClient registry = MockSchemaRegistryClient.forScope(SCOPE);
  private AvroWireDeserializer<Transaction> deserializer;
  private byte[] valid;

  @BeforeEach
  void setUp() {
    deserializer = AvroWireDeserializer.forSpecific(registry, Transaction.class);
    valid =
        new AvroWireSerializer<Transaction>(registry, config, false)
            .serialize("transactions", TestRecords.transaction(9));
  }

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void nullAndEmpty() {
    assertKind(null, Kind.EMPTY).hasMessageContaining("null");
    assertKind(new byte[0], Kind.EMPTY).hasMessageContaining("empty");
  }

  @Test
  void wrongMagicByteNamesWhatItLooksLike() {
    byte[] json = "{\"transactionId\":\"tx-1\"}".getBytes(StandardCharsets.UTF_8);
    assertKind(json, Kind.BAD_MAGIC_BYTE)
        .hasMessageContaining("0x7b")
        .hasMessageContaining("looks like JSON");
  }

  @Test
  void truncatedHeader() {
    assertKind(new byte[] {0, 0, 1}, Kind.TRUNCATED_HEADER).hasMessageContaining("3 byte(s)");
  }

  @Test
  void unknownSchemaId() {
    byte[] bytes = valid.clone();
    WireFormat.writeHeader(bytes, 987_654);
    assertKind(bytes, Kind.UNKNOWN_SCHEMA_ID).hasMessageContaining("987654");
  }

  @Test
  void truncatedAvroBody() {
    assertKind(Arrays.copyOf(valid, valid.length - 3), Kind.MALFORMED_AVRO)
        .hasMessageContaining("does not decode");
  }

  @Test
  void garbageLengthIsRejectedWithoutAllocatingIt() {
    byte[] bytes = Arrays.copyOf(valid, 12);
    // Zig-zag varint for a 1 GiB string length where transactionId's length should be.
    byte[] huge = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
    System.arraycopy(huge, 0, bytes, WireFormat.HEADER_SIZE, huge.length);
    assertKind(bytes, Kind.MALFORMED_AVRO).hasMessageContaining("exceeds the");
  }

  @Test
  void trailingBytes() {
    byte[] bytes = Arrays.copyOf(valid, valid.length + 4);
    assertKind(bytes, Kind.TRAILING_BYTES);
  }

  @Test
  void recordOfAnotherTypeIsIncompatible() {
    Label label =
        Label.newBuilder()
            .setTransactionId("tx-1")
            .setEventTime(Instant.EPOCH)
            .setTransactionTime(Instant.EPOCH)
            .setCustomerId("c-1")
            .setTerminalId("t-1")
            .setFraud(true)
            .build();
    byte[] bytes =
        new AvroWireSerializer<Label>(registry, config, false).serialize("labels", label);
    assertKind(bytes, Kind.INCOMPATIBLE_SCHEMA).hasMessageContaining("dev.sluice.avro.Label");
  }

  @Test
  void randomCorruptionsNeverEscapeAsAnythingButWireFormatException() {
    Random random = new Random(20261127L);
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = mutate(valid, random);
      try {
        assertThat(deserializer.deserialize(bytes)).isNotNull();
        decoded++;
      } catch (WireFormatException e) {
        assertThat(e.getMessage()).isNotBlank();
        rejected++;
      }
    }
    // Both outcomes happen: a flipped digit in a string still decodes, most corruptions do not.
    assertThat(decoded).isPositive();
    assertThat(rejected).isPositive();
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes;
    switch (random.nextInt(3)) {
      case 0 -> {
        bytes = valid.clone();
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
          int at = WireFormat.HEADER_SIZE + random.nextInt(bytes.length - WireFormat.HEADER_SIZE);
          bytes[at] = (byte) random.nextInt(256);
        }
      }
      case 1 ->
          bytes =
              Arrays.copyOf(
                  valid,
                  WireFormat.HEADER_SIZE + random.nextInt(valid.length - WireFormat.HEADER_SIZE));
      default -> {
        bytes = new byte[WireFormat.HEADER_SIZE + random.nextInt(64)];
        random.nextBytes(bytes);
        System.arraycopy(valid, 0, bytes, 0, WireFormat.HEADER_SIZE);
      }
    }
    return bytes;
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertKind(byte[] bytes, Kind kind) {
    return assertThatThrownBy(() -> deserializer.deserialize(bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }
}

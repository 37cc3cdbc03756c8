package dev.sluice.schemas.testing;

import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.avro.Schema;

/** Named fixtures shared by the serde and registry tests. */
public final class TestRecords {
  /** 2018-04-01T07:19:05Z, the first second of the handbook's simulated period plus some. */
  public static final Instant APRIL_FIRST = Instant.parse("2018-04-01T07:19:05Z");

  private TestRecords() {}

  /** A valid transaction, distinct per {@code n}. */
  public static Transaction transaction(int n) {
    return Transaction.newBuilder()
        .setTransactionId(String.format("tx-%012d", n))
        .setEventTime(APRIL_FIRST.plusSeconds(n))
        .setCustomerId(String.format("c-%05d", n % 5000))
        .setTerminalId(String.format("t-%05d", n % 10000))
        .setAmount(new BigDecimal("57.16").add(BigDecimal.valueOf(n % 100, 2)))
        .build();
  }

  /** Where a test record "came from": a Kafka position with a key and the given value bytes. */
  public static SourceRecord source(String topic, long offset, byte[] value) {
    return SourceRecord.newBuilder()
        .setTopic(topic)
        .setPartition(0)
        .setOffset(offset)
        .setRecordTimestamp(APRIL_FIRST)
        .setKey(
            java.nio.ByteBuffer.wrap(
                ("key-" + offset).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setValue(value == null ? null : java.nio.ByteBuffer.wrap(value))
        .build();
  }

  /** Schema from src/test/resources, e.g. {@code evolution/transaction-v2.avsc}. */
  public static Schema schema(String resource) {
    try (InputStream in = TestRecords.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

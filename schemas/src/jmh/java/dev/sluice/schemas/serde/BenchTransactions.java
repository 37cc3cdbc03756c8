package dev.sluice.schemas.serde;

import dev.sluice.avro.Transaction;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Benchmark fixture: {@link #COUNT} distinct, realistic transactions, cycled through so that the JIT cannot
 * specialise on one input and the working set (about 60 KB of wire bytes) stays in cache like a hot partition.
 * Kept apart from the unit tests' {@code TestRecords} so the benchmarks do not depend on test classes.
 */
final class BenchTransactions {
  /** How many distinct records a benchmark cycles through; a power of two so the index wraps with a mask. */
  static final int COUNT = 1024;

  static final int MASK = COUNT - 1;

  /** Topic the serializer registers under (subject {@code bench-transactions-value}). */
  static final String TOPIC = "bench-transactions";

  /** Scope of the in-memory registry: ids are resolved in memory, so no HTTP is measured. */
  static final String REGISTRY_SCOPE = "bench";

  private static final Instant START = Instant.parse("2018-04-01T07:19:05Z");

  private BenchTransactions() {}

  /** Transaction {@code n}: unique id, 5000 customers, 10000 terminals, amounts 57.16 to 58.15. */
  static Transaction transaction(int n) {
    return Transaction.newBuilder()
        .setTransactionId(String.format("tx-%012d", n))
        .setEventTime(START.plusMillis(n * 1_337L))
        .setCustomerId(String.format("c-%05d", n % 5000))
        .setTerminalId(String.format("t-%05d", (n * 7) % 10000))
        .setAmount(new BigDecimal("57.16").add(BigDecimal.valueOf(n % 100, 2)))
        .build();
  }

  /** Transactions {@code 0 .. COUNT-1}. */
  static Transaction[] transactions() {
    Transaction[] records = new Transaction[COUNT];
    for (int i = 0; i < COUNT; i++) {
      records[i] = transaction(i);
    }
    return records;
  }
}

package dev.sluice.state.offline;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Shared views, deterministic rows and records, and one-file writers for offline-store tests. */
final class OfflineFixtures {
  private OfflineFixtures() {}

  /** Midnight UTC of the first day of generated data. */
  static final Instant DAY0 = Instant.parse("2018-04-01T00:00:00Z");

  /** Generated rows are this far apart in event time: 10k rows span ~4.3 days. */
  static final long STEP_MILLIS = 37_001;

  /** A customer view with LONG and DOUBLE features. */
  static final ViewSchema CUSTOMER =
      new ViewSchema(
          "customer_spending",
          "v3",
          "customer",
          Duration.ofDays(30),
          List.of(
              new Column("CUSTOMER_ID_NB_TX_1DAY_WINDOW", ValueType.LONG),
              new Column("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", ValueType.DOUBLE),
              new Column("CUSTOMER_ID_NB_TX_7DAY_WINDOW", ValueType.LONG)));

  /** A second view, so tests see two view partitions. */
  static final ViewSchema TERMINAL =
      new ViewSchema(
          "terminal_risk",
          "v1",
          "terminal",
          Duration.ofDays(7),
          List.of(
              new Column("TERMINAL_ID_NB_TX_7DAY_WINDOW", ValueType.LONG),
              new Column("TERMINAL_ID_RISK_7DAY_WINDOW", ValueType.DOUBLE)));

  static long eventTime(long i) {
    return DAY0.toEpochMilli() + i * STEP_MILLIS;
  }

  /**
   * Row {@code i} of a view: LONG features are whole numbers (sometimes negative or large), DOUBLE
   * features fractional; every 11th DOUBLE and every 13th LONG value is missing (NaN).
   */
  static ViewRow row(ViewSchema view, long i) {
    double[] values = new double[view.columns().size()];
    for (int c = 0; c < values.length; c++) {
      if (view.columns().get(c).type() == ValueType.LONG) {
        values[c] =
            i % 13 == 0 ? Double.NaN : (i * (c + 1)) % 977 - 3 + (i % 97 == 1 ? 1L << 52 : 0);
      } else {
        values[c] = i % 11 == 0 ? Double.NaN : i * 1.25 + c / 3.0;
      }
    }
    return new ViewRow(
        view.view(),
        view.version(),
        view.entity().charAt(0) + String.format("-%05d", i % 500),
        String.format("tx-%012d", i),
        eventTime(i),
        eventTime(i) + 17 + i % 5,
        values);
  }

  static List<ViewRow> rows(ViewSchema view, long from, long to) {
    return LongStream.range(from, to).mapToObj(i -> row(view, i)).toList();
  }

  static Transaction transaction(long i) {
    return Transaction.newBuilder()
        .setTransactionId(String.format("tx-%012d", i))
        .setEventTime(Instant.ofEpochMilli(eventTime(i)))
        .setCustomerId(String.format("c-%05d", i % 500))
        .setTerminalId(String.format("t-%05d", i % 300))
        .setAmount(BigDecimal.valueOf(i * 7919 % 100_000_00 + 1, 2))
        .build();
  }

  static List<Transaction> transactions(long from, long to) {
    return LongStream.range(from, to).mapToObj(OfflineFixtures::transaction).toList();
  }

  /** The label of transaction {@code i}, known three days and a bit later. */
  static Label label(long i) {
    Instant txTime = Instant.ofEpochMilli(eventTime(i));
    return Label.newBuilder()
        .setTransactionId(String.format("tx-%012d", i))
        .setEventTime(txTime.plus(Duration.ofDays(3)).plusMillis(i % 1000))
        .setTransactionTime(txTime)
        .setCustomerId(String.format("c-%05d", i % 500))
        .setTerminalId(String.format("t-%05d", i % 300))
        .setFraud(i % 29 == 0)
        .setFraudScenario(i % 29 == 0 ? (int) (i % 3) + 1 : 0)
        .build();
  }

  static List<Label> labels(long from, long to) {
    return LongStream.range(from, to).mapToObj(OfflineFixtures::label).toList();
  }

  /** Writes one file with a bulk-writer factory, as the FileSink would (through Flink's FS). */
  static <T> Path writeFile(BulkWriter.Factory<T> factory, Path file, List<T> elements)
      throws IOException {
    FileSystem fs = file.getFileSystem();
    try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
      BulkWriter<T> writer = factory.create(out);
      for (T element : elements) {
        writer.addElement(element);
      }
      writer.finish();
    }
    return file;
  }

  static <T extends SpecificRecordBase> Path writeRawFile(
      Class<T> recordClass, Path file, List<T> records) throws IOException {
    return writeFile(OfflineParquetWriters.forSpecificRecord(recordClass), file, records);
  }

  /** All {@code ViewRow}s of a view read back through the reader. */
  static List<ViewRow> readAll(OfflineStoreLayout layout, ViewSchema view) throws IOException {
    return new ArrayList<>(new OfflineStoreReader(layout).readViewRows(view, DtRange.ALL));
  }
}

package dev.sluice.state.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage cost of a 7-feature customer view over 100k rows (about one day of the demo's
 * transactions): one file per partition, as a BATCH backfill writes it, and 100 files of 1k rows,
 * as a STREAMING job with frequent checkpoints writes it. Prints bytes per row.
 */
class ParquetSizeTest {
  private static final int ROWS = 100_000;

  private static final ViewSchema VIEW =
      new ViewSchema(
          "customer_spending",
          "v1",
          "customer",
          Duration.ofDays(30),
          List.of(
              new Column("CUSTOMER_ID_NB_TX_1DAY_WINDOW", ValueType.LONG),
              new Column("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", ValueType.DOUBLE),
              new Column("CUSTOMER_ID_NB_TX_7DAY_WINDOW", ValueType.LONG),
              new Column("CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW", ValueType.DOUBLE),
              new Column("CUSTOMER_ID_NB_TX_30DAY_WINDOW", ValueType.LONG),
              new Column("CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW", ValueType.DOUBLE),
              new Column("TX_DURING_NIGHT", ValueType.LONG)));

  @TempDir java.nio.file.Path tmp;

  /** Rows like the fraud demo's: 5000 customers, amounts in cents, one day of event times. */
  private static List<ViewRow> rows() {
    Random random = new Random(42);
    List<ViewRow> rows = new ArrayList<>(ROWS);
    long day = OfflineFixtures.DAY0.toEpochMilli();
    for (int i = 0; i < ROWS; i++) {
      long nb1 = 1 + random.nextInt(6);
      long nb7 = nb1 + random.nextInt(30);
      long nb30 = nb7 + random.nextInt(100);
      long eventTime = day + (long) i * 86_400_000L / ROWS + random.nextInt(800);
      rows.add(
          new ViewRow(
              VIEW.view(),
              VIEW.version(),
              String.format("c-%05d", random.nextInt(5000)),
              String.format("tx-%012d", 10_000_000L + i),
              eventTime,
              eventTime + 40 + random.nextInt(200),
              new double[] {
                nb1,
                Math.round(random.nextDouble() * 20_000) / 100.0 / nb1,
                nb7,
                Math.round(random.nextDouble() * 90_000) / 100.0 / nb7,
                nb30,
                Math.round(random.nextDouble() * 300_000) / 100.0 / nb30,
                random.nextInt(10) < 2 ? 1 : 0
              }));
    }
    return rows;
  }

  @Test
  void bytesPerRowOfASevenFeatureView() throws IOException {
    List<ViewRow> rows = rows();
    BulkWriter.Factory<ViewRow> factory = OfflineParquetWriters.forViewRows(VIEW);

    java.nio.file.Path one = tmp.resolve("one/part-0.parquet");
    OfflineFixtures.writeFile(factory, new Path(one.toUri()), rows);
    double oneFile = (double) Files.size(one) / ROWS;

    long small = 0;
    for (int f = 0; f < 100; f++) {
      java.nio.file.Path file = tmp.resolve("small/part-" + f + ".parquet");
      OfflineFixtures.writeFile(
          factory, new Path(file.toUri()), rows.subList(f * ROWS / 100, (f + 1) * ROWS / 100));
      small += Files.size(file);
    }
    double smallFiles = (double) small / ROWS;

    System.out.printf(
        "offline store, 7-feature view, %d rows: %.1f bytes/row in one file (%d bytes),"
            + " %.1f bytes/row in 100 files of %d rows%n",
        ROWS, oneFile, Files.size(one), smallFiles, ROWS / 100);
    List<ViewRow> back = new ArrayList<>();
    OfflineStoreReader.readViewRows(new Path(one.toUri()), VIEW, back::add);
    assertThat(back).containsExactlyElementsOf(rows);
    // A 7-feature row is 5 fixed columns + 7 x 8 bytes of values uncompressed (~100 bytes).
    assertThat(oneFile).isBetween(20.0, 70.0);
    assertThat(smallFiles).isGreaterThan(oneFile).isLessThan(120.0);
  }
}

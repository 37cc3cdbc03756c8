package dev.sluice.state.offline;

import static dev.sluice.state.offline.OfflineFixtures.CUSTOMER;
import static dev.sluice.state.offline.OfflineFixtures.TERMINAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Transaction;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files are readable by DuckDB with Hive partitioning and the expected SQL types. */
class DuckDbReadsOfflineStoreTest {
  private static final int COUNT = 7000; // ~3 days

  @TempDir java.nio.file.Path tmp;

  private OfflineStoreLayout layout;
  private String base;

  @BeforeEach
  void setUp() throws IOException {
    layout = new OfflineStoreLayout(tmp.toUri().toString());
    base = tmp.toAbsolutePath().toString();
    writePartitioned(CUSTOMER, OfflineFixtures.rows(CUSTOMER, 0, COUNT));
    writePartitioned(TERMINAL, OfflineFixtures.rows(TERMINAL, 0, COUNT / 2));
    List<Transaction> transactions = OfflineFixtures.transactions(0, COUNT);
    for (Map.Entry<LocalDate, List<Transaction>> day :
        byDay(transactions, t -> t.getEventTime().toEpochMilli()).entrySet()) {
      OfflineFixtures.writeRawFile(
          Transaction.class,
          new Path(
              layout.rawPartition(OfflineStoreLayout.TRANSACTIONS, day.getKey()),
              "part-duck-0-0.parquet"),
          day.getValue());
    }
  }

  /** As the sink would: one file per dt partition of the view. */
  private void writePartitioned(ViewSchema view, List<ViewRow> rows) throws IOException {
    BulkWriter.Factory<ViewRow> factory = OfflineParquetWriters.forViewRows(view);
    for (Map.Entry<LocalDate, List<ViewRow>> day : byDay(rows, r -> r.eventTime).entrySet()) {
      OfflineFixtures.writeFile(
          factory,
          new Path(layout.viewPartition(view.view(), day.getKey()), "part-duck-0-0.parquet"),
          day.getValue());
    }
  }

  private static <T> Map<LocalDate, List<T>> byDay(List<T> rows, Function<T, Long> time) {
    return rows.stream()
        .collect(
            Collectors.groupingBy(
                r -> OfflineStoreLayout.dateOf(time.apply(r)), TreeMap::new, Collectors.toList()));
  }

  @Test
  void duckDbSeesPartitionsTypesAndCounts() throws SQLException {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      String allViews =
          "read_parquet('"
              + base
              + "/features/view=*/dt=*/*.parquet', hive_partitioning = true, union_by_name = true)";
      Map<String, Long> counts = new LinkedHashMap<>();
      try (ResultSet rs =
          sql.executeQuery(
              "SELECT \"view\", CAST(dt AS VARCHAR) AS day, count(*) FROM "
                  + allViews
                  + " GROUP BY ALL ORDER BY ALL")) {
        while (rs.next()) {
          counts.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
        }
      }
      Map<String, Long> expected = new LinkedHashMap<>();
      expectedCounts(CUSTOMER, OfflineFixtures.rows(CUSTOMER, 0, COUNT), expected);
      expectedCounts(TERMINAL, OfflineFixtures.rows(TERMINAL, 0, COUNT / 2), expected);
      assertThat(counts).containsExactlyEntriesOf(expected).hasSizeGreaterThan(4);

      String customer =
          "read_parquet('"
              + base
              + "/features/view=customer_spending/dt=*/*.parquet', hive_partitioning = true)";
      assertThat(describe(sql, customer))
          .containsExactly(
              "event_id VARCHAR",
              "entity_id VARCHAR",
              "event_time TIMESTAMP WITH TIME ZONE",
              "produced_at TIMESTAMP WITH TIME ZONE",
              "view_version VARCHAR",
              "CUSTOMER_ID_NB_TX_1DAY_WINDOW BIGINT",
              "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW DOUBLE",
              "CUSTOMER_ID_NB_TX_7DAY_WINDOW BIGINT",
              "dt DATE",
              "view VARCHAR"); // Hive partitions from the path, even the fixed one

      // Values: missing features are NULL, whole-number features exact, times exact to the ms.
      List<ViewRow> rows = OfflineFixtures.rows(CUSTOMER, 0, COUNT);
      try (ResultSet rs =
          sql.executeQuery(
              "SELECT count(CUSTOMER_ID_NB_TX_1DAY_WINDOW), sum(CUSTOMER_ID_NB_TX_7DAY_WINDOW),"
                  + " count(CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW), sum(epoch_ms(event_time)),"
                  + " count(DISTINCT event_id) FROM "
                  + customer)) {
        rs.next();
        assertThat(rs.getLong(1))
            .isEqualTo(rows.stream().filter(r -> !Double.isNaN(r.values[0])).count());
        assertThat(rs.getLong(2))
            .isEqualTo(
                rows.stream()
                    .filter(r -> !Double.isNaN(r.values[2]))
                    .mapToLong(r -> (long) r.values[2])
                    .sum());
        assertThat(rs.getLong(3))
            .isEqualTo(rows.stream().filter(r -> !Double.isNaN(r.values[1])).count());
        assertThat(rs.getLong(4)).isEqualTo(rows.stream().mapToLong(r -> r.eventTime).sum());
        assertThat(rs.getLong(5)).isEqualTo(COUNT);
      }

      String raw =
          "read_parquet('" + base + "/raw/transactions/dt=*/*.parquet', hive_partitioning = true)";
      assertThat(describe(sql, raw))
          .containsExactly(
              "transactionId VARCHAR",
              "eventTime TIMESTAMP WITH TIME ZONE",
              "customerId VARCHAR",
              "terminalId VARCHAR",
              "amount DECIMAL(12,2)",
              "dt DATE");
      try (ResultSet rs = sql.executeQuery("SELECT sum(amount), count(*) FROM " + raw)) {
        rs.next();
        assertThat(rs.getBigDecimal(1))
            .isEqualTo(
                OfflineFixtures.transactions(0, COUNT).stream()
                    .map(Transaction::getAmount)
                    .reduce(BigDecimal.ZERO, BigDecimal::add));
        assertThat(rs.getLong(2)).isEqualTo(COUNT);
      }
    }
  }

  private static void expectedCounts(
      ViewSchema view, List<ViewRow> rows, Map<String, Long> counts) {
    rows.stream()
        .collect(
            Collectors.groupingBy(
                r -> view.view() + "/" + OfflineStoreLayout.dateOf(r.eventTime),
                TreeMap::new,
                Collectors.counting()))
        .forEach(counts::put);
  }

  private static List<String> describe(Statement sql, String from) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (ResultSet rs = sql.executeQuery("DESCRIBE SELECT * FROM " + from)) {
      while (rs.next()) {
        columns.add(rs.getString("column_name") + " " + rs.getString("column_type"));
      }
    }
    return columns;
  }
}

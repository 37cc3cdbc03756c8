package dev.sluice.state.offline;

import static dev.sluice.state.offline.OfflineFixtures.CUSTOMER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.testing.FlinkTestCluster;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * BATCH jobs: one writes the raw archives and a view through the sinks (files finished at the end,
 * without checkpoints), the next reads the archives back through {@link HistorySources}, whole and
 * by date range; Avro container files and a view's rows are bounded sources too. Records cross the
 * network (rebalance), so their Avro serializer must keep the logical types as well.
 */
class HistorySourcesBatchTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final int COUNT = 5000; // ~2.1 days of transactions, labels 3 days later

  @TempDir java.nio.file.Path tmp;

  private OfflineStoreLayout layout;

  @BeforeEach
  void setUp() {
    layout = new OfflineStoreLayout(tmp.toUri().toString());
  }

  private static StreamExecutionEnvironment batchEnv() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    return env;
  }

  @Test
  void batchJobWritesArchivesThatHistorySourcesReadBack() throws Exception {
    List<Transaction> transactions = OfflineFixtures.transactions(0, COUNT);
    List<Label> labels = OfflineFixtures.labels(0, COUNT);
    List<ViewRow> rows = OfflineFixtures.rows(CUSTOMER, 0, COUNT);

    StreamExecutionEnvironment write = batchEnv();
    write
        .fromData(transactions, new AvroTypeInfo<>(Transaction.class))
        .rebalance()
        .sinkTo(
            OfflineStoreSinks.raw(
                layout,
                OfflineStoreLayout.TRANSACTIONS,
                Transaction.class,
                Transaction::getEventTime))
        .uid("transactions-archive");
    write
        .fromData(labels, new AvroTypeInfo<>(Label.class))
        .rebalance()
        .sinkTo(
            OfflineStoreSinks.raw(
                layout, OfflineStoreLayout.LABELS, Label.class, Label::getEventTime))
        .uid("labels-archive");
    write
        .fromData(rows, TypeInformation.of(ViewRow.class))
        .rebalance()
        .sinkTo(OfflineStoreSinks.viewRows(layout, CUSTOMER))
        .uid("customer-offline-sink");
    write.execute("offline-store-batch-write");

    OfflineStoreReader reader = new OfflineStoreReader(layout);
    assertThat(reader.rawFiles(OfflineStoreLayout.TRANSACTIONS, DtRange.ALL)).isNotEmpty();
    try (Stream<java.nio.file.Path> files = Files.walk(tmp)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .allMatch(OfflineStoreLayout::isFinishedDataFile);
    }
    assertThat(sorted(reader.readViewRows(CUSTOMER, DtRange.ALL), r -> r.eventId))
        .containsExactlyElementsOf(rows);
    // Labels are partitioned by their own event time (3 days after the transaction).
    LocalDate firstLabelDay = LocalDate.of(2018, 4, 4);
    assertThat(
            reader.rawFiles(
                OfflineStoreLayout.LABELS, new DtRange(null, firstLabelDay.minusDays(1))))
        .isEmpty();

    assertThat(
            sorted(
                collect(
                    HistorySources.rawArchive(
                        layout, OfflineStoreLayout.TRANSACTIONS, Transaction.class)),
                Transaction::getTransactionId))
        .containsExactlyElementsOf(transactions);
    assertThat(
            sorted(
                collect(HistorySources.rawArchive(layout, OfflineStoreLayout.LABELS, Label.class)),
                Label::getTransactionId))
        .containsExactlyElementsOf(labels);

    LocalDate day2 = LocalDate.of(2018, 4, 2);
    List<Transaction> secondDay =
        transactions.stream()
            .filter(t -> OfflineStoreLayout.dateOf(t.getEventTime().toEpochMilli()).equals(day2))
            .toList();
    assertThat(secondDay).isNotEmpty().hasSizeLessThan(COUNT);
    assertThat(
            sorted(
                collect(
                    HistorySources.rawArchive(
                        layout,
                        OfflineStoreLayout.TRANSACTIONS,
                        Transaction.class,
                        DtRange.day(day2))),
                Transaction::getTransactionId))
        .containsExactlyElementsOf(secondDay);
  }

  @Test
  void avroContainerFilesAreABoundedSourceWithLogicalTypes() throws Exception {
    java.nio.file.Path dir = tmp.resolve("history");
    Files.createDirectories(dir.resolve("2018"));
    writeAvro(
        dir.resolve("2018/transactions-1.avro").toFile(), OfflineFixtures.transactions(0, 1500));
    writeAvro(
        dir.resolve("transactions-2.avro").toFile(), OfflineFixtures.transactions(1500, 2000));
    // Neither a hidden file nor one with another suffix is history.
    writeAvro(
        dir.resolve(".transactions-3.avro").toFile(), OfflineFixtures.transactions(5000, 5010));
    Files.writeString(dir.resolve("README.txt"), "not avro");

    assertThat(
            sorted(
                collect(HistorySources.avroFiles(Transaction.class, new Path(dir.toUri()))),
                Transaction::getTransactionId))
        .containsExactlyElementsOf(OfflineFixtures.transactions(0, 2000));
  }

  @Test
  void viewRowsAreABoundedSourceOfTheRequestedDatesDecodedAsTheReaderDoes() throws Exception {
    // 10k rows span ~4.3 days; two files a day, as parallel writers leave them.
    List<ViewRow> rows = OfflineFixtures.rows(CUSTOMER, 0, 10_000);
    Map<LocalDate, List<ViewRow>> byDay = new TreeMap<>();
    rows.forEach(
        r ->
            byDay
                .computeIfAbsent(OfflineStoreLayout.dateOf(r.eventTime), d -> new ArrayList<>())
                .add(r));
    for (Map.Entry<LocalDate, List<ViewRow>> day : byDay.entrySet()) {
      List<ViewRow> dayRows = day.getValue();
      int half = dayRows.size() / 2;
      Path dir = layout.viewPartition(CUSTOMER.view(), day.getKey());
      OfflineFixtures.writeFile(
          OfflineParquetWriters.forViewRows(CUSTOMER),
          new Path(dir, "part-a-0-0.parquet"),
          dayRows.subList(0, half));
      OfflineFixtures.writeFile(
          OfflineParquetWriters.forViewRows(CUSTOMER),
          new Path(dir, "part-a-1-0.parquet"),
          dayRows.subList(half, dayRows.size()));
      // An in-progress file is not data.
      OfflineFixtures.writeFile(
          OfflineParquetWriters.forViewRows(CUSTOMER),
          new Path(dir, ".part-a-2-0.parquet.inprogress.0"),
          dayRows.subList(0, 1));
    }
    OfflineStoreReader reader = new OfflineStoreReader(layout);

    assertThat(
            sorted(collect(HistorySources.viewRows(layout, CUSTOMER, DtRange.ALL)), r -> r.eventId))
        .containsExactlyElementsOf(rows);
    DtRange middle = DtRange.between(LocalDate.of(2018, 4, 2), LocalDate.of(2018, 4, 3));
    List<ViewRow> expected = reader.readViewRows(CUSTOMER, middle);
    assertThat(expected).isNotEmpty().hasSizeLessThan(rows.size());
    assertThat(sorted(collect(HistorySources.viewRows(layout, CUSTOMER, middle)), r -> r.eventId))
        .containsExactlyElementsOf(sorted(expected, r -> r.eventId));
  }

  @Test
  void aViewFileWithoutTheViewsColumnsFailsTheJobNamingTheFile() throws Exception {
    Path file =
        OfflineFixtures.writeFile(
            OfflineParquetWriters.forViewRows(CUSTOMER),
            new Path(
                layout.viewPartition(CUSTOMER.view(), LocalDate.of(2018, 4, 1)),
                "part-a-0-0.parquet"),
            OfflineFixtures.rows(CUSTOMER, 0, 10));
    ViewSchema moreColumns =
        new ViewSchema(
            CUSTOMER.view(),
            CUSTOMER.version(),
            CUSTOMER.entity(),
            CUSTOMER.ttl(),
            List.of(
                new ViewSchema.Column(
                    "CUSTOMER_ID_NB_TX_30DAY_WINDOW", ViewSchema.ValueType.LONG)));

    assertThatThrownBy(() -> collect(HistorySources.viewRows(layout, moreColumns, DtRange.ALL)))
        .rootCause()
        .isInstanceOf(OfflineSchemaException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'CUSTOMER_ID_NB_TX_30DAY_WINDOW' is missing");
  }

  private static void writeAvro(File file, List<Transaction> records) throws IOException {
    try (DataFileWriter<Transaction> out =
        new DataFileWriter<>(new SpecificDatumWriter<>(Transaction.class))) {
      out.create(Transaction.getClassSchema(), file);
      for (Transaction t : records) {
        out.append(t);
      }
    }
  }

  private static <T> List<T> collect(FileSource<T> source) throws Exception {
    StreamExecutionEnvironment env = batchEnv();
    List<T> out = new ArrayList<>();
    try (var it =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "history")
            .rebalance()
            .executeAndCollect("history-read")) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static <T> List<T> sorted(List<T> list, Function<T, String> key) {
    List<T> copy = new ArrayList<>(list);
    copy.sort(Comparator.comparing(key));
    return copy;
  }
}

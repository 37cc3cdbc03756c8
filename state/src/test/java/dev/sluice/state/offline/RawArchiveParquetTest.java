package dev.sluice.state.offline;

import static dev.sluice.state.offline.OfflineFixtures.labels;
import static dev.sluice.state.offline.OfflineFixtures.transactions;
import static dev.sluice.state.offline.OfflineFixtures.writeRawFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawArchiveParquetTest {
  @TempDir java.nio.file.Path tmp;

  private OfflineStoreLayout layout;
  private OfflineStoreReader reader;

  @BeforeEach
  void setUp() {
    layout = new OfflineStoreLayout(tmp.toUri().toString());
    reader = new OfflineStoreReader(layout);
  }

  @Test
  void transactionsRoundTripWithExactAmountsAndInstants() throws IOException {
    List<Transaction> written = new ArrayList<>(transactions(0, 1000));
    written.add(
        Transaction.newBuilder(written.get(0))
            .setTransactionId("tx-extremes")
            .setAmount(new BigDecimal("9999999999.99")) // the largest decimal(12,2)
            .setEventTime(Instant.parse("2018-04-01T23:59:59.999Z"))
            .build());
    Path file =
        writeRawFile(
            Transaction.class,
            new Path(
                layout.rawPartition(OfflineStoreLayout.TRANSACTIONS, LocalDate.of(2018, 4, 1)),
                "part-a-0-0.parquet"),
            written);

    List<Transaction> read =
        reader.readRaw(OfflineStoreLayout.TRANSACTIONS, Transaction.class, DtRange.ALL);
    assertThat(read).containsExactlyElementsOf(written);
    assertThat(read.get(7).getAmount()).isEqualTo(written.get(7).getAmount()).hasScaleOf(2);
    assertThat(read.get(1000).getAmount()).isEqualTo(new BigDecimal("9999999999.99"));
    assertThat(read.get(1000).getEventTime()).isEqualTo(Instant.parse("2018-04-01T23:59:59.999Z"));

    MessageType schema = OfflineStoreReader.footer(file).getFileMetaData().getSchema();
    assertThat(schema.getType("eventTime").asPrimitiveType().getPrimitiveTypeName())
        .isEqualTo(PrimitiveTypeName.INT64);
    assertThat(schema.getType("eventTime").getLogicalTypeAnnotation())
        .isEqualTo(
            LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
    assertThat(schema.getType("amount").getLogicalTypeAnnotation())
        .isEqualTo(LogicalTypeAnnotation.decimalType(2, 12));
  }

  @Test
  void labelsRoundTripAcrossPartitionsAndRanges() throws IOException {
    List<Label> day1 = labels(0, 100);
    List<Label> day2 = labels(3000, 3100);
    LocalDate d1 = LocalDate.of(2018, 4, 4);
    writeRawFile(
        Label.class,
        new Path(layout.rawPartition(OfflineStoreLayout.LABELS, d1), "part-a-0-0.parquet"),
        day1);
    writeRawFile(
        Label.class,
        new Path(
            layout.rawPartition(OfflineStoreLayout.LABELS, d1.plusDays(1)), "part-a-0-1.parquet"),
        day2);

    assertThat(reader.readRaw(OfflineStoreLayout.LABELS, Label.class, DtRange.ALL))
        .containsExactlyElementsOf(concat(day1, day2));
    assertThat(reader.readRaw(OfflineStoreLayout.LABELS, Label.class, DtRange.day(d1.plusDays(1))))
        .containsExactlyElementsOf(day2);
    Label first = reader.readRaw(OfflineStoreLayout.LABELS, Label.class, DtRange.day(d1)).get(0);
    assertThat(first.getTransactionTime())
        .isInstanceOf(Instant.class)
        .isEqualTo(day1.get(0).getTransactionTime());
  }

  @Test
  void avroContainerFilesReadBackWithLogicalTypes() throws IOException {
    List<Transaction> written = transactions(0, 500);
    java.nio.file.Path file = tmp.resolve("history/transactions.avro");
    java.nio.file.Files.createDirectories(file.getParent());
    try (DataFileWriter<Transaction> out =
        new DataFileWriter<>(new SpecificDatumWriter<>(Transaction.class))) {
      out.create(Transaction.getClassSchema(), file.toFile());
      for (Transaction t : written) {
        out.append(t);
      }
    }
    List<Transaction> read = new ArrayList<>();
    OfflineStoreReader.readAvro(new Path(file.toUri()), Transaction.class, read::add);
    assertThat(read).containsExactlyElementsOf(written);
  }

  /**
   * Why {@link HistorySources} has its own Parquet format: Flink's reader for generated classes
   * does not apply the logical-type conversions. If this starts to fail, Flink fixed it.
   */
  @Test
  void flinksOwnSpecificRecordReaderLosesLogicalTypes() throws IOException {
    Path file =
        writeRawFile(
            Transaction.class, new Path(tmp.resolve("t.parquet").toUri()), transactions(0, 3));
    StreamFormat<Transaction> flinks = AvroParquetReaders.forSpecificRecord(Transaction.class);
    FileSystem fs = file.getFileSystem();
    long length = fs.getFileStatus(file).getLen();
    assertThatThrownBy(
            () -> {
              try (FSDataInputStream in = fs.open(file);
                  StreamFormat.Reader<Transaction> r =
                      flinks.createReader(new Configuration(), in, length, length)) {
                r.read();
              }
            })
        .isInstanceOf(ParquetDecodingException.class)
        .rootCause()
        .isInstanceOf(ClassCastException.class);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

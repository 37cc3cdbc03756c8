package dev.sluice.state.offline;

import static dev.sluice.state.offline.OfflineFixtures.CUSTOMER;
import static dev.sluice.state.offline.OfflineFixtures.TERMINAL;
import static dev.sluice.state.offline.OfflineFixtures.row;
import static dev.sluice.state.offline.OfflineFixtures.rows;
import static dev.sluice.state.offline.OfflineFixtures.writeFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewRowParquetTest {
  @TempDir java.nio.file.Path tmp;

  private OfflineStoreLayout layout;
  private OfflineStoreReader reader;

  @BeforeEach
  void setUp() {
    layout = new OfflineStoreLayout(tmp.toUri().toString());
    reader = new OfflineStoreReader(layout);
  }

  private Path partFile(ViewSchema view, LocalDate dt, String name) {
    return new Path(layout.viewPartition(view.view(), dt), name);
  }

  @Test
  void roundTripsRowsExactlyWithTheLayoutsColumnTypes() throws IOException {
    List<ViewRow> written = rows(CUSTOMER, 0, 3000);
    Path file =
        writeFile(
            OfflineParquetWriters.forViewRows(CUSTOMER),
            partFile(CUSTOMER, LocalDate.of(2018, 4, 1), "part-a-0-0.parquet"),
            written);

    assertThat(reader.readViewRows(CUSTOMER, DtRange.ALL)).containsExactlyElementsOf(written);
    assertThat(written.get(0).values).containsOnly(Double.NaN); // row 0: every value missing

    MessageType schema = OfflineStoreReader.footer(file).getFileMetaData().getSchema();
    assertThat(schema.getFields().stream().map(Type::getName))
        .containsExactly(
            "event_id",
            "entity_id",
            "event_time",
            "produced_at",
            "view_version",
            "CUSTOMER_ID_NB_TX_1DAY_WINDOW",
            "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW",
            "CUSTOMER_ID_NB_TX_7DAY_WINDOW");
    for (String name : List.of("event_id", "entity_id", "view_version")) {
      Type type = schema.getType(name);
      assertThat(type.isRepetition(Type.Repetition.REQUIRED)).as(name).isTrue();
      assertThat(type.asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.BINARY);
      assertThat(type.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
    }
    for (String name : List.of("event_time", "produced_at")) {
      Type type = schema.getType(name);
      assertThat(type.isRepetition(Type.Repetition.REQUIRED)).as(name).isTrue();
      assertThat(type.asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.INT64);
      assertThat(type.getLogicalTypeAnnotation())
          .isEqualTo(
              LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
    }
    assertFeature(schema, "CUSTOMER_ID_NB_TX_1DAY_WINDOW", PrimitiveTypeName.INT64);
    assertFeature(schema, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", PrimitiveTypeName.DOUBLE);
    assertFeature(schema, "CUSTOMER_ID_NB_TX_7DAY_WINDOW", PrimitiveTypeName.INT64);

    for (BlockMetaData block : OfflineStoreReader.footer(file).getBlocks()) {
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        assertThat(chunk.getCodec()).isEqualTo(CompressionCodecName.SNAPPY);
      }
    }
  }

  private static void assertFeature(MessageType schema, String name, PrimitiveTypeName type) {
    Type column = schema.getType(name);
    assertThat(column.isRepetition(Type.Repetition.OPTIONAL)).as(name).isTrue();
    assertThat(column.asPrimitiveType().getPrimitiveTypeName()).as(name).isEqualTo(type);
    assertThat(column.getLogicalTypeAnnotation()).as(name).isNull();
  }

  @Test
  void missingValuesAreNullsAndWholeNumbersAreLongsInTheFile() throws IOException {
    writeFile(
        OfflineParquetWriters.forViewRows(CUSTOMER),
        partFile(CUSTOMER, LocalDate.of(2018, 4, 1), "part-a-0-0.parquet"),
        rows(CUSTOMER, 0, 3));
    java.nio.file.Path file =
        tmp.resolve("features/view=customer_spending/dt=2018-04-01/part-a-0-0.parquet");
    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> parquet =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      for (GenericRecord r = parquet.read(); r != null; r = parquet.read()) {
        records.add(r);
      }
    }
    assertThat(records).hasSize(3);
    assertThat(records.get(0).get("CUSTOMER_ID_NB_TX_1DAY_WINDOW")).isNull();
    assertThat(records.get(0).get("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW")).isNull();
    assertThat(records.get(2).get("CUSTOMER_ID_NB_TX_7DAY_WINDOW")).isEqualTo((long) (2 * 3 - 3));
    assertThat(records.get(2).get("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW")).isEqualTo(2.5 + 1 / 3.0);
    assertThat(records.get(1).get("event_time")).isEqualTo(row(CUSTOMER, 1).eventTime);
    assertThat(records.get(1).get("view_version").toString()).isEqualTo("v3");
  }

  @Test
  void listsOnlyFinishedFilesOfTheRequestedDates() throws IOException {
    LocalDate d1 = LocalDate.of(2018, 4, 1);
    LocalDate d2 = d1.plusDays(1);
    LocalDate d3 = d1.plusDays(2);
    var factory = OfflineParquetWriters.forViewRows(CUSTOMER);
    writeFile(factory, partFile(CUSTOMER, d1, "part-a-0-0.parquet"), rows(CUSTOMER, 0, 10));
    writeFile(factory, partFile(CUSTOMER, d1, "part-a-1-0.parquet"), rows(CUSTOMER, 10, 20));
    writeFile(factory, partFile(CUSTOMER, d2, "part-a-0-1.parquet"), rows(CUSTOMER, 20, 30));
    writeFile(factory, partFile(CUSTOMER, d3, "part-a-0-2.parquet"), rows(CUSTOMER, 30, 40));
    // What a running FileSink leaves around: an in-progress file, bookkeeping, other files.
    writeFile(
        factory,
        partFile(CUSTOMER, d2, ".part-b-0-0.parquet.inprogress.8d1f"),
        rows(CUSTOMER, 40, 50));
    writeFile(factory, partFile(CUSTOMER, d2, "_part-c.parquet"), rows(CUSTOMER, 50, 60));
    Files.writeString(tmp.resolve("features/view=customer_spending/dt=2018-04-02/_SUCCESS"), "");
    Files.writeString(tmp.resolve("features/view=customer_spending/dt=2018-04-02/x.txt"), "x");
    Files.createDirectories(tmp.resolve("features/view=customer_spending/.dt=2018-04-09"));
    writeFile(
        OfflineParquetWriters.forViewRows(TERMINAL),
        partFile(TERMINAL, d2, "part-a-0-0.parquet"),
        rows(TERMINAL, 0, 5));

    assertThat(reader.viewFiles(CUSTOMER.view(), DtRange.ALL).stream().map(Path::getName))
        .containsExactly(
            "part-a-0-0.parquet", "part-a-1-0.parquet", "part-a-0-1.parquet", "part-a-0-2.parquet");
    assertThat(reader.viewFiles(CUSTOMER.view(), DtRange.between(d2, d3)))
        .containsExactly(
            partFile(CUSTOMER, d2, "part-a-0-1.parquet"),
            partFile(CUSTOMER, d3, "part-a-0-2.parquet"));
    assertThat(reader.readViewRows(CUSTOMER, new DtRange(null, d2)))
        .containsExactlyElementsOf(rows(CUSTOMER, 0, 30));
    assertThat(reader.readViewRows(TERMINAL, DtRange.ALL))
        .containsExactlyElementsOf(rows(TERMINAL, 0, 5));
    assertThat(reader.viewFiles("never_written", DtRange.ALL)).isEmpty();
  }

  @Test
  void aColumnOfAnotherTypeIsAnErrorNamingFileAndColumn() throws IOException {
    Path file =
        writeFile(
            OfflineParquetWriters.forViewRows(CUSTOMER),
            partFile(CUSTOMER, LocalDate.of(2018, 4, 1), "part-a-0-0.parquet"),
            rows(CUSTOMER, 0, 10));
    ViewSchema avgAsLong =
        withColumns(
            new Column("CUSTOMER_ID_NB_TX_1DAY_WINDOW", ValueType.LONG),
            new Column("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", ValueType.LONG));

    assertThatThrownBy(() -> reader.readViewRows(avgAsLong, DtRange.ALL))
        .isInstanceOf(OfflineSchemaException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW")
        .hasMessageContaining("INT64")
        .hasMessageContaining("double")
        .satisfies(
            e -> {
              assertThat(((OfflineSchemaException) e).column())
                  .isEqualTo("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW");
              assertThat(((OfflineSchemaException) e).file()).isEqualTo(file.toString());
            });
  }

  @Test
  void aMissingColumnIsAnErrorNamingFileAndColumn() throws IOException {
    Path file =
        writeFile(
            OfflineParquetWriters.forViewRows(CUSTOMER),
            partFile(CUSTOMER, LocalDate.of(2018, 4, 1), "part-a-0-0.parquet"),
            rows(CUSTOMER, 0, 10));
    ViewSchema extraFeature =
        withColumns(
            new Column("CUSTOMER_ID_NB_TX_1DAY_WINDOW", ValueType.LONG),
            new Column("CUSTOMER_ID_NB_TX_30DAY_WINDOW", ValueType.LONG));

    assertThatThrownBy(() -> reader.readViewRows(extraFeature, DtRange.ALL))
        .isInstanceOf(OfflineSchemaException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'CUSTOMER_ID_NB_TX_30DAY_WINDOW' is missing");

    // A subset of the columns reads fine: extra columns in the file are ignored.
    ViewSchema subset = withColumns(new Column("CUSTOMER_ID_NB_TX_7DAY_WINDOW", ValueType.LONG));
    assertThat(reader.readViewRows(subset, DtRange.ALL))
        .extracting(r -> r.values[0])
        .containsExactlyElementsOf(rows(CUSTOMER, 0, 10).stream().map(r -> r.values[2]).toList());
  }

  private static ViewSchema withColumns(Column... columns) {
    return new ViewSchema(
        CUSTOMER.view(), CUSTOMER.version(), CUSTOMER.entity(), CUSTOMER.ttl(), List.of(columns));
  }

  @Test
  void writerRejectsRowsThatDoNotFitTheView() throws IOException {
    var factory = OfflineParquetWriters.forViewRows(CUSTOMER);
    ViewRow otherView = row(TERMINAL, 1);
    ViewRow fractionalCount = row(CUSTOMER, 1);
    fractionalCount.values[0] = 2.5;
    ViewRow shortRow = row(CUSTOMER, 2);
    shortRow.values = new double[] {1};

    LocalDate day = LocalDate.of(2018, 4, 1);
    assertThatThrownBy(
            () -> writeFile(factory, partFile(CUSTOMER, day, "a.parquet"), List.of(otherView)))
        .hasMessageContaining("terminal_risk");
    assertThatThrownBy(
            () ->
                writeFile(factory, partFile(CUSTOMER, day, "b.parquet"), List.of(fractionalCount)))
        .hasMessageContaining("CUSTOMER_ID_NB_TX_1DAY_WINDOW")
        .hasMessageContaining("2.5");
    assertThatThrownBy(
            () -> writeFile(factory, partFile(CUSTOMER, day, "c.parquet"), List.of(shortRow)))
        .hasMessageContaining("1 values");
  }

  @Test
  void featureNamesMustNotShadowFixedOrPartitionColumns() {
    for (String name : List.of("EVENT_TIME", "view", "Dt", "entity_id")) {
      assertThatThrownBy(
              () ->
                  OfflineParquetWriters.forViewRows(withColumns(new Column(name, ValueType.LONG))))
          .as(name)
          .hasMessageContaining(name);
    }
    assertThatThrownBy(
            () ->
                OfflineParquetWriters.forViewRows(
                    withColumns(
                        new Column("amount", ValueType.DOUBLE),
                        new Column("AMOUNT", ValueType.DOUBLE))))
        .hasMessageContaining("AMOUNT");
  }
}

package dev.sluice.jobs.training;

import static dev.sluice.jobs.training.TrainingFixtures.FEATURES;
import static dev.sluice.jobs.training.TrainingFixtures.at;
import static dev.sluice.jobs.training.TrainingFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.jobs.training.TrainingSet.Row;
import dev.sluice.jobs.training.TrainingSet.Split;
import dev.sluice.jobs.training.TrainingSet.Summary;
import dev.sluice.jobs.training.TrainingSetWriter.Format;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet and CSV output of a training set: columns, types, values and file handling. */
class TrainingSetWriterTest {
  /** Three rows: a train fraud, a train row with a customer id CSV must quote, a test row. */
  private static final TrainingSet SET =
      new TrainingSet(
          FEATURES,
          List.of(
              new Row(row("tx-1", "2018-07-25T00:00:00Z", "C1", 57.16, 0.0), Split.TRAIN, true),
              new Row(
                  row("tx-2", "2018-07-31T23:59:59.999Z", "C,\"2\"", 0.5, 1.0), Split.TRAIN, false),
              new Row(
                  row("tx-3", "2018-08-08T06:59:00.001Z", "C3", 1.0E-4, Double.NaN),
                  Split.TEST,
                  false)),
          new Summary(TrainingSplit.HANDBOOK, 2, 1, 1, 0, 0, 0, 0));

  @Test
  void parquetReadsBackWithTypedColumnsAndTheSameValues(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("training.parquet");

    TrainingSetWriter.writeParquet(SET, file, false);

    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
            .withDataModel(GenericData.get())
            .build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        records.add(record);
      }
    }
    assertThat(records).hasSize(3);
    Schema schema = records.get(0).getSchema();
    assertThat(schema.getFields())
        .extracting(Schema.Field::name)
        .containsExactly(
            "transaction_id",
            "event_time",
            "customer_id",
            "terminal_id",
            "split",
            "TX_AMOUNT",
            "TX_DURING_NIGHT",
            "TX_FRAUD");
    assertThat(schema.getField("event_time").schema().getLogicalType())
        .isEqualTo(LogicalTypes.timestampMillis());
    assertThat(schema.getField("TX_AMOUNT").schema().getType()).isEqualTo(Schema.Type.DOUBLE);
    assertThat(schema.getField("TX_FRAUD").schema().getType()).isEqualTo(Schema.Type.INT);
    assertThat(schema.getField("split").schema().getType()).isEqualTo(Schema.Type.STRING);

    GenericRecord first = records.get(0);
    assertThat(first.get("transaction_id").toString()).isEqualTo("tx-1");
    assertThat(first.get("event_time")).isEqualTo(at("2018-07-25T00:00:00Z"));
    assertThat(first.get("customer_id").toString()).isEqualTo("C1");
    assertThat(first.get("terminal_id").toString()).isEqualTo("T-tx-1");
    assertThat(first.get("split").toString()).isEqualTo("train");
    assertThat(first.get("TX_AMOUNT")).isEqualTo(57.16);
    assertThat(first.get("TX_DURING_NIGHT")).isEqualTo(0.0);
    assertThat(first.get("TX_FRAUD")).isEqualTo(1);
    assertThat(records.get(1).get("customer_id").toString()).isEqualTo("C,\"2\"");
    assertThat(records.get(1).get("TX_FRAUD")).isEqualTo(0);
    GenericRecord last = records.get(2);
    assertThat(last.get("split").toString()).isEqualTo("test");
    assertThat(last.get("event_time")).isEqualTo(at("2018-08-08T06:59:00.001Z"));
    assertThat(last.get("TX_AMOUNT")).isEqualTo(1.0E-4);
    assertThat((Double) last.get("TX_DURING_NIGHT")).isNaN();

    try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType parquet = footer.getFileMetaData().getSchema();
      assertThat(parquet.getType("TX_AMOUNT").asPrimitiveType().getPrimitiveTypeName())
          .isEqualTo(PrimitiveTypeName.DOUBLE);
      assertThat(parquet.getType("TX_FRAUD").asPrimitiveType().getPrimitiveTypeName())
          .isEqualTo(PrimitiveTypeName.INT32);
      assertThat(footer.getFileMetaData().getKeyValueMetaData())
          .containsEntry(TrainingSetWriter.SPLIT_METADATA, "2018-07-25/7/7/7");
      assertThat(footer.getRecordCount()).isEqualTo(3);
    }
    assertThat(filesIn(dir)).containsExactly(file);
  }

  @Test
  void csvHasAHeaderIsoTimesAndQuotedText(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("out").resolve("training.csv");

    TrainingSetWriter.writeCsv(SET, file, false);

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
        .containsExactly(
            "transaction_id,event_time,customer_id,terminal_id,split,TX_AMOUNT,TX_DURING_NIGHT,TX_FRAUD",
            "tx-1,2018-07-25T00:00:00.000Z,C1,T-tx-1,train,57.16,0.0,1",
            "tx-2,2018-07-31T23:59:59.999Z,\"C,\"\"2\"\"\",T-tx-2,train,0.5,1.0,0",
            "tx-3,2018-08-08T06:59:00.001Z,C3,T-tx-3,test,1.0E-4,NaN,0");
  }

  @Test
  void refusesAnExistingOutputUnlessOverwriting(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("training.csv");
    Files.writeString(file, "previous");

    assertThatThrownBy(() -> TrainingSetWriter.write(SET, file, Format.CSV, false))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("already exists; pass overwrite");
    assertThat(Files.readString(file)).isEqualTo("previous");

    TrainingSetWriter.write(SET, file, Format.CSV, true);
    assertThat(Files.readAllLines(file)).hasSize(4);

    Path parquet = dir.resolve("training.parquet");
    TrainingSetWriter.writeParquet(SET, parquet, false);
    assertThatThrownBy(() -> TrainingSetWriter.writeParquet(SET, parquet, false))
        .isInstanceOf(FileAlreadyExistsException.class);
    TrainingSetWriter.writeParquet(SET, parquet, true);
    assertThat(filesIn(dir)).containsExactlyInAnyOrder(file, parquet);
  }

  @Test
  void unwritableTargetsFailWithAClearMessage(@TempDir Path dir) throws Exception {
    Path notADirectory = dir.resolve("plain-file");
    Files.writeString(notADirectory, "x");

    assertThatThrownBy(
            () -> TrainingSetWriter.writeCsv(SET, notADirectory.resolve("training.csv"), false))
        .hasMessageContaining(notADirectory.toString())
        .hasMessageContaining("output directory");
    assertThatThrownBy(
            () ->
                TrainingSetWriter.writeParquet(
                    SET, notADirectory.resolve("sub").resolve("t.parquet"), false))
        .hasMessageContaining("cannot create output directory");
    assertThatThrownBy(() -> TrainingSetWriter.writeCsv(SET, dir, true))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void formatFollowsTheFileName() {
    assertThat(Format.ofFileName(Path.of("a/b/Training.PARQUET"))).isEqualTo(Format.PARQUET);
    assertThat(Format.ofFileName(Path.of("t.csv"))).isEqualTo(Format.CSV);
    assertThatThrownBy(() -> Format.ofFileName(Path.of("t.json")))
        .hasMessageContaining("*.parquet or *.csv");
  }

  private static List<Path> filesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}

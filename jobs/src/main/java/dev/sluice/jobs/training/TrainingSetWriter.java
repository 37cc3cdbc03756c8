package dev.sluice.jobs.training;

import dev.sluice.jobs.training.TrainingSet.Row;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes a {@link TrainingSet} as one Parquet file (snappy), or as CSV for tools without a Parquet
 * reader. Both have the same columns, in this order:
 *
 * <table>
 *   <caption>Columns</caption>
 *   <tr><th>column</th><th>Parquet (Avro) type</th><th>CSV</th></tr>
 *   <tr><td>{@value #TRANSACTION_ID}</td><td>string</td><td>as is</td></tr>
 *   <tr><td>{@value #EVENT_TIME}</td><td>long, timestamp-millis (UTC)</td>
 *       <td>ISO-8601, e.g. 2018-08-08T00:00:00.000Z</td></tr>
 *   <tr><td>{@value #CUSTOMER_ID}</td><td>string</td><td>as is</td></tr>
 *   <tr><td>{@value #TERMINAL_ID}</td><td>string</td><td>as is</td></tr>
 *   <tr><td>{@value #SPLIT}</td><td>string, {@code train} or {@code test}</td><td>as is</td></tr>
 *   <tr><td>each feature column</td><td>double</td><td>Java's shortest exact decimal</td></tr>
 *   <tr><td>{@value #LABEL}</td><td>int, 1 = fraud, 0 = genuine</td><td>0 or 1</td></tr>
 * </table>
 *
 * <p>Rows keep the set's order (event time, then transaction id). The Parquet file's key-value
 * metadata records the split under {@value #SPLIT_METADATA}.
 *
 * <p>Files are written to a hidden temporary file in the target directory and renamed into place
 * when complete, so a failed write leaves no partial output. An existing output is refused unless
 * {@code overwrite} is set; a missing directory is created.
 */
public final class TrainingSetWriter {
  public static final String TRANSACTION_ID = "transaction_id";
  public static final String EVENT_TIME = "event_time";
  public static final String CUSTOMER_ID = "customer_id";
  public static final String TERMINAL_ID = "terminal_id";
  public static final String SPLIT = "split";

  /** The label column, named as in the handbook so its notebooks' column lists apply. */
  public static final String LABEL = "TX_FRAUD";

  /** Every column that is not a feature; feature columns may not use these names. */
  public static final List<String> FIXED_COLUMNS =
      List.of(TRANSACTION_ID, EVENT_TIME, CUSTOMER_ID, TERMINAL_ID, SPLIT, LABEL);

  /** Parquet key-value metadata: the split in {@link TrainingSplit#format()} form. */
  public static final String SPLIT_METADATA = "sluice.training.split";

  static final String SCHEMA_NAME = "TrainingExample";
  static final String SCHEMA_NAMESPACE = "dev.sluice.training";

  private static final DateTimeFormatter CSV_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private TrainingSetWriter() {}

  /** Output formats. */
  public enum Format {
    PARQUET,
    CSV;

    /** By file extension ({@code .parquet}, {@code .csv}, any case). */
    public static Format ofFileName(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".parquet")) {
        return PARQUET;
      }
      if (name.endsWith(".csv")) {
        return CSV;
      }
      throw new IllegalArgumentException(
          "cannot tell the format of " + file + ": name it *.parquet or *.csv");
    }
  }

  /** Column names in output order: the fixed ones around the features. */
  public static List<String> columns(List<String> featureNames) {
    List<String> columns = new ArrayList<>(FIXED_COLUMNS.size() + featureNames.size());
    columns.addAll(FIXED_COLUMNS.subList(0, FIXED_COLUMNS.size() - 1));
    columns.addAll(featureNames);
    columns.add(LABEL);
    return columns;
  }

  /** The Avro schema of the Parquet file's records. */
  public static Schema schema(List<String> featureNames) {
    Schema timestamp = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(SCHEMA_NAME)
            .namespace(SCHEMA_NAMESPACE)
            .doc("One labelled transaction of a training set: its features as of the transaction.")
            .fields()
            .name(TRANSACTION_ID)
            .doc("Id of the transaction.")
            .type()
            .stringType()
            .noDefault()
            .name(EVENT_TIME)
            .doc("Event time of the transaction (UTC).")
            .type(timestamp)
            .noDefault()
            .name(CUSTOMER_ID)
            .doc("Customer (card) of the transaction.")
            .type()
            .stringType()
            .noDefault()
            .name(TERMINAL_ID)
            .doc("Terminal of the transaction.")
            .type()
            .stringType()
            .noDefault()
            .name(SPLIT)
            .doc("train or test.")
            .type()
            .stringType()
            .noDefault();
    for (String feature : TrainingSet.checkFeatureNames(featureNames)) {
      fields = fields.name(feature).doc("Feature value.").type().doubleType().noDefault();
    }
    return fields
        .name(LABEL)
        .doc("Label: 1 = fraud, 0 = genuine.")
        .type()
        .intType()
        .noDefault()
        .endRecord();
  }

  /** Writes in the format given. */
  public static void write(TrainingSet set, Path file, Format format, boolean overwrite)
      throws IOException {
    switch (format) {
      case PARQUET -> writeParquet(set, file, overwrite);
      case CSV -> writeCsv(set, file, overwrite);
      default -> throw new IllegalArgumentException("unknown format " + format);
    }
  }

  /**
   * Writes one Parquet file.
   *
   * @throws FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
   * @throws IOException naming the directory if it cannot be created or written
   */
  public static void writeParquet(TrainingSet set, Path file, boolean overwrite)
      throws IOException {
    Schema schema = schema(set.featureNames());
    int features = set.featureNames().size();
    Path temp = prepare(file, overwrite);
    try {
      try (ParquetWriter<GenericRecord> writer =
          AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(temp))
              .withSchema(schema)
              .withDataModel(GenericData.get())
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withExtraMetaData(Map.of(SPLIT_METADATA, set.summary().split().format()))
              .build()) {
        // The writer copies each record's values into its column buffers, so one record is reused.
        GenericData.Record record = new GenericData.Record(schema);
        for (Row row : set.rows()) {
          FeatureExample example = row.example();
          record.put(0, example.transactionId());
          record.put(1, example.eventTime());
          record.put(2, example.customerId());
          record.put(3, example.terminalId());
          record.put(4, row.split().value());
          for (int i = 0; i < features; i++) {
            record.put(5 + i, example.feature(i));
          }
          record.put(5 + features, row.fraud() ? 1 : 0);
          writer.write(record);
        }
      }
      commit(temp, file, overwrite);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Writes CSV (RFC 4180, UTF-8, {@code \n} line ends) with a header line.
   *
   * @throws FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
   * @throws IOException naming the directory if it cannot be created or written
   */
  public static void writeCsv(TrainingSet set, Path file, boolean overwrite) throws IOException {
    int features = set.featureNames().size();
    Path temp = prepare(file, overwrite);
    try {
      try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        out.write(String.join(",", columns(set.featureNames())));
        out.write('\n');
        StringBuilder line = new StringBuilder(256);
        for (Row row : set.rows()) {
          FeatureExample example = row.example();
          line.setLength(0);
          csvText(line, example.transactionId()).append(',');
          CSV_TIME.formatTo(Instant.ofEpochMilli(example.eventTime()), line);
          line.append(',');
          csvText(line, example.customerId()).append(',');
          csvText(line, example.terminalId()).append(',');
          line.append(row.split().value()).append(',');
          for (int i = 0; i < features; i++) {
            line.append(example.feature(i)).append(',');
          }
          line.append(row.fraud() ? '1' : '0').append('\n');
          out.append(line);
        }
      }
      commit(temp, file, overwrite);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static StringBuilder csvText(StringBuilder line, String value) {
    boolean quote =
        value.indexOf(',') >= 0
            || value.indexOf('"') >= 0
            || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0;
    if (!quote) {
      return line.append(value);
    }
    return line.append('"').append(value.replace("\"", "\"\"")).append('"');
  }

  /** Checks the target, creates its directory, and returns a fresh temporary file next to it. */
  private static Path prepare(Path file, boolean overwrite) throws IOException {
    Path target = file.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "is a directory; give a file name for the training set");
    }
    if (Files.exists(target) && !overwrite) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "already exists; pass overwrite to replace it");
    }
    Path directory = target.getParent();
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new NotDirectoryException(directory + " (output directory of " + target + ")");
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IOException("cannot create output directory " + directory + ": " + e, e);
    }
    if (!Files.isWritable(directory)) {
      throw new AccessDeniedException(
          directory.toString(), null, "output directory is not writable");
    }
    try {
      return Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
    } catch (IOException e) {
      throw new IOException("cannot write in output directory " + directory + ": " + e, e);
    }
  }

  private static void commit(Path temp, Path file, boolean overwrite) throws IOException {
    Path target = file.toAbsolutePath();
    if (overwrite) {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      // Not atomic: a file created since prepare() is refused, not replaced.
      Files.move(temp, target);
    }
  }
}

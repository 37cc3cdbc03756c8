package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * Parquet writer factories for the offline store (Snappy-compressed). Usable by Flink's {@code
 * FileSink} and, through {@link BulkWriter.Factory#create}, by plain Java code writing one file.
 */
public final class OfflineParquetWriters {
  /** Compression of every offline-store file. */
  public static final CompressionCodecName CODEC = CompressionCodecName.SNAPPY;

  private OfflineParquetWriters() {}

  /**
   * Writes {@link ViewRow}s of one view with the columns of {@link ViewRowColumns}. Rows are
   * converted to Avro records inside the writer, so Flink only ever handles {@link ViewRow}s.
   * Writing a row of another view, with the wrong number of values, or with a fractional value in a
   * LONG column fails with {@link IllegalArgumentException}.
   *
   * @throws IllegalArgumentException when a feature name cannot be a column (see {@link
   *     ViewRowColumns#avroSchema})
   */
  public static BulkWriter.Factory<ViewRow> forViewRows(ViewSchema view) {
    ViewRowColumns.avroSchema(view); // fail when the job is built, not when the first row arrives
    return new ViewRowWriterFactory(view);
  }

  /**
   * Writes Avro-generated SpecificRecords with their logical types (timestamp-millis as {@code
   * Instant}, decimal as {@code BigDecimal}). Flink's {@code AvroParquetWriters.forSpecificRecord}
   * uses {@code SpecificData.get()}, which has no logical-type conversions, and fails with a
   * ClassCastException on such classes; this one uses the class's own data model.
   */
  public static <T extends SpecificRecordBase> ParquetWriterFactory<T> forSpecificRecord(
      Class<T> recordClass) {
    return new ParquetWriterFactory<>(new SpecificRecordBuilder<>(recordClass));
  }

  /**
   * The writers' configuration: without it Parquet's builder reads Hadoop's default XML files for
   * every file it opens, and the file sink opens one per view, date and subtask at each checkpoint
   * (4% of the platform job's CPU in a JFR profile of {@code bench pipeline}). Parquet's own keys
   * fall back to their defaults, as with Hadoop's files.
   */
  private static org.apache.parquet.conf.ParquetConfiguration noHadoopDefaults() {
    return ParquetReadConfig.of(ParquetReadConfig.hadoop());
  }

  private static final class SpecificRecordBuilder<T> implements ParquetBuilder<T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> recordClass;

    SpecificRecordBuilder(Class<T> recordClass) {
      this.recordClass = recordClass;
    }

    @Override
    public ParquetWriter<T> createWriter(OutputFile out) throws IOException {
      SpecificData model = SpecificData.getForClass(recordClass);
      return AvroParquetWriter.<T>builder(out)
          .withConf(noHadoopDefaults())
          .withSchema(model.getSchema(recordClass))
          .withDataModel(model)
          .withCompressionCodec(CODEC)
          // Unique per record: a dictionary only costs hashing (a no-op for other record types).
          .withDictionaryEncoding("transactionId", false)
          .build();
    }
  }

  private static final class GenericRecordBuilder implements ParquetBuilder<GenericRecord> {
    private static final long serialVersionUID = 1L;
    private final String schemaJson;

    GenericRecordBuilder(Schema schema) {
      this.schemaJson = schema.toString();
    }

    @Override
    public ParquetWriter<GenericRecord> createWriter(OutputFile out) throws IOException {
      return AvroParquetWriter.<GenericRecord>builder(out)
          .withConf(noHadoopDefaults())
          .withSchema(new Schema.Parser().parse(schemaJson))
          .withDataModel(GenericData.get())
          .withCompressionCodec(CODEC)
          // Unique per row: a dictionary only costs hashing.
          .withDictionaryEncoding(ViewRowColumns.EVENT_ID, false)
          .build();
    }
  }

  private static final class ViewRowWriterFactory implements BulkWriter.Factory<ViewRow> {
    private static final long serialVersionUID = 1L;
    private final ViewSchema view;

    ViewRowWriterFactory(ViewSchema view) {
      this.view = view;
    }

    @Override
    public BulkWriter<ViewRow> create(FSDataOutputStream out) throws IOException {
      Schema schema = ViewRowColumns.avroSchema(view);
      BulkWriter<GenericRecord> parquet =
          new ParquetWriterFactory<>(new GenericRecordBuilder(schema)).create(out);
      return new BulkWriter<>() {
        @Override
        public void addElement(ViewRow row) throws IOException {
          parquet.addElement(ViewRowColumns.toRecord(view, schema, row));
        }

        @Override
        public void flush() throws IOException {
          parquet.flush();
        }

        @Override
        public void finish() throws IOException {
          parquet.finish();
        }
      };
    }
  }
}

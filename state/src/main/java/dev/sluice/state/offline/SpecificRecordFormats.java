package dev.sluice.state.offline;

import java.io.IOException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * {@link StreamFormat}s that read Avro-generated SpecificRecords with their logical types
 * (timestamp-millis as {@code Instant}, decimal as {@code BigDecimal}) from Parquet files and from
 * Avro container files. Both resolve the file's writer schema against the class's schema, so files
 * written by an older or newer compatible schema version read as the current class.
 *
 * <p>Flink's own readers lose the logical types: {@code AvroParquetReaders.forSpecificRecord} reads
 * with {@code SpecificData.get()} and {@code AbstractAvroBulkFormat} with a {@code
 * GenericDatumReader}, neither of which has the class's conversions. These formats use the class's
 * own model ({@link SpecificData#getForClass}).
 *
 * <p>A file is one split (Parquet footers and Avro headers are read from the start); the records
 * read so far are the checkpointed position, which Flink skips again on restore.
 */
final class SpecificRecordFormats {
  private SpecificRecordFormats() {}

  /** Opens a Parquet file of {@code recordClass} records; the caller closes the reader. */
  static <T extends SpecificRecordBase> ParquetReader<T> openParquet(
      FSDataInputStream in, long fileLength, Class<T> recordClass) throws IOException {
    SpecificData model = SpecificData.getForClass(recordClass);
    org.apache.hadoop.conf.Configuration conf = ParquetReadConfig.hadoop();
    AvroReadSupport.setAvroReadSchema(conf, model.getSchema(recordClass));
    return AvroParquetReader.<T>builder(
            new ParquetInputFile(in, fileLength), ParquetReadConfig.of(conf))
        .withDataModel(model)
        .build();
  }

  /** Opens an Avro container file of {@code recordClass} records; the caller closes the stream. */
  static <T extends SpecificRecordBase> DataFileStream<T> openAvro(
      FSDataInputStream in, Class<T> recordClass) throws IOException {
    SpecificData model = SpecificData.getForClass(recordClass);
    return new DataFileStream<>(
        in, new SpecificDatumReader<>(null, model.getSchema(recordClass), model));
  }

  /** Parquet files of one record class. */
  static final class Parquet<T extends SpecificRecordBase> extends WholeFileFormat<T> {
    private static final long serialVersionUID = 1L;

    Parquet(Class<T> recordClass) {
      super(recordClass);
    }

    @Override
    RecordSource<T> open(FSDataInputStream in, long fileLength) throws IOException {
      ParquetReader<T> reader = openParquet(in, fileLength, recordClass);
      return new RecordSource<>() {
        @Override
        public T next() throws IOException {
          return reader.read();
        }

        @Override
        public void close() throws IOException {
          reader.close();
        }
      };
    }
  }

  /** Avro container files (written with a SpecificDatumWriter or DataFileWriter) of one class. */
  static final class AvroContainer<T extends SpecificRecordBase> extends WholeFileFormat<T> {
    private static final long serialVersionUID = 1L;

    AvroContainer(Class<T> recordClass) {
      super(recordClass);
    }

    @Override
    RecordSource<T> open(FSDataInputStream in, long fileLength) throws IOException {
      DataFileStream<T> stream = openAvro(in, recordClass);
      return new RecordSource<>() {
        @Override
        public T next() throws IOException {
          return stream.hasNext() ? stream.next() : null;
        }

        @Override
        public void close() throws IOException {
          stream.close();
        }
      };
    }
  }

  /** The records of one open file, then null. */
  interface RecordSource<T> extends java.io.Closeable {
    T next() throws IOException;
  }

  /** A non-splittable format whose position is the number of records read from the file. */
  abstract static class WholeFileFormat<T extends SpecificRecordBase> implements StreamFormat<T> {
    private static final long serialVersionUID = 1L;
    final Class<T> recordClass;

    WholeFileFormat(Class<T> recordClass) {
      this.recordClass = recordClass;
    }

    abstract RecordSource<T> open(FSDataInputStream in, long fileLength) throws IOException;

    @Override
    public Reader<T> createReader(
        Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
        throws IOException {
      if (splitEnd != fileLen) {
        throw new IllegalArgumentException(
            "files are read whole, but got a split ending at "
                + splitEnd
                + " of a file of length "
                + fileLen);
      }
      RecordSource<T> source = open(stream, fileLen);
      return new Reader<>() {
        private long read;

        @Override
        public T read() throws IOException {
          T record = source.next();
          if (record != null) {
            read++;
          }
          return record;
        }

        @Override
        public CheckpointedPosition getCheckpointedPosition() {
          return new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, read);
        }

        @Override
        public void close() throws IOException {
          source.close();
        }
      };
    }

    @Override
    public Reader<T> restoreReader(
        Configuration config,
        FSDataInputStream stream,
        long restoredOffset,
        long fileLen,
        long splitEnd)
        throws IOException {
      if (restoredOffset != CheckpointedPosition.NO_OFFSET) {
        throw new IllegalArgumentException(
            "positions in whole-file formats are record counts, got offset " + restoredOffset);
      }
      // Flink skips the records read before the checkpoint.
      return createReader(config, stream, fileLen, splitEnd);
    }

    @Override
    public boolean isSplittable() {
      return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
      return new AvroTypeInfo<>(recordClass);
    }
  }
}

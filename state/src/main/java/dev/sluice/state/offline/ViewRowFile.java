package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.Closeable;
import java.io.IOException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * The rows of one view file, one at a time: the Parquet to {@link ViewRow} decoding that {@link
 * OfflineStoreReader} (plain Java) and {@link ViewRowFormat} (a Flink source) share. The file's
 * columns are checked against the view when it is opened, before any row is handed out.
 */
final class ViewRowFile implements Closeable {
  private final String name;
  private final ViewSchema view;
  private final FSDataInputStream in;
  private final ParquetReader<GenericRecord> reader;

  private ViewRowFile(
      String name, ViewSchema view, FSDataInputStream in, ParquetReader<GenericRecord> reader) {
    this.name = name;
    this.view = view;
    this.in = in;
    this.reader = reader;
  }

  /**
   * Opens a feature file of {@code view}; the caller closes it.
   *
   * @throws OfflineSchemaException naming the file and the first missing or mistyped column
   */
  static ViewRowFile open(Path file, ViewSchema view) throws IOException {
    String name = file.toString();
    ViewRowColumns.checkFile(
        OfflineStoreReader.footer(file).getFileMetaData().getSchema(), view, name);
    FileSystem fs = file.getFileSystem();
    long length = fs.getFileStatus(file).getLen();
    FSDataInputStream in = fs.open(file);
    try {
      ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(
                  new ParquetInputFile(in, length),
                  ParquetReadConfig.of(ParquetReadConfig.hadoop()))
              .withDataModel(GenericData.get())
              .build();
      return new ViewRowFile(name, view, in, reader);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The next row, or null after the last. */
  ViewRow next() throws IOException {
    GenericRecord record = reader.read();
    return record == null ? null : ViewRowColumns.fromRecord(view, record, name);
  }

  @Override
  public void close() throws IOException {
    try (in) {
      reader.close();
    }
  }
}

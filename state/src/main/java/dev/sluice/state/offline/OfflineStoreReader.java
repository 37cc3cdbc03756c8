package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Reads the offline store from plain Java (training sets, tests, the CLI): lists the finished files
 * of a view or archive, optionally within a {@link DtRange}, and reads them back as {@link
 * ViewRow}s or as Avro-generated records with their logical types. Goes through Flink's {@link
 * FileSystem}, so every scheme Flink can read works ({@code file://} always; {@code s3://} with the
 * file-system plugin).
 *
 * <p>Only finished files count: names starting with {@code .} or {@code _} (Flink's in-progress
 * files, bookkeeping) and files without the {@code .parquet} suffix are skipped. A view or archive
 * that was never written reads as empty.
 */
public final class OfflineStoreReader {
  /** What to do with each record read. */
  @FunctionalInterface
  public interface RecordHandler<T> {
    void accept(T record) throws IOException;
  }

  private final OfflineStoreLayout layout;

  public OfflineStoreReader(OfflineStoreLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  public OfflineStoreLayout layout() {
    return layout;
  }

  /** Finished files of a view within the range, ordered by date then name. */
  public List<Path> viewFiles(String view, DtRange range) throws IOException {
    return finishedFiles(layout.viewDir(view), range);
  }

  /** Finished files of a raw archive within the range, ordered by date then name. */
  public List<Path> rawFiles(String archive, DtRange range) throws IOException {
    return finishedFiles(layout.rawDir(archive), range);
  }

  /** Every row of a view within the range, ordered by file. */
  public List<ViewRow> readViewRows(ViewSchema view, DtRange range) throws IOException {
    List<ViewRow> rows = new ArrayList<>();
    forEachViewRow(view, range, rows::add);
    return rows;
  }

  /**
   * Streams the rows of a view within the range, file by file, without holding them.
   *
   * @throws OfflineSchemaException when a file lacks a column of {@code view} or has it with
   *     another type
   */
  public void forEachViewRow(ViewSchema view, DtRange range, RecordHandler<ViewRow> handler)
      throws IOException {
    for (Path file : viewFiles(view.view(), range)) {
      readViewRows(file, view, handler);
    }
  }

  /** Every record of a raw archive within the range, ordered by file. */
  public <T extends SpecificRecordBase> List<T> readRaw(
      String archive, Class<T> recordClass, DtRange range) throws IOException {
    List<T> records = new ArrayList<>();
    forEachRaw(archive, recordClass, range, records::add);
    return records;
  }

  /** Streams the records of a raw archive within the range, file by file. */
  public <T extends SpecificRecordBase> void forEachRaw(
      String archive, Class<T> recordClass, DtRange range, RecordHandler<T> handler)
      throws IOException {
    for (Path file : rawFiles(archive, range)) {
      readParquet(file, recordClass, handler);
    }
  }

  /**
   * Reads one feature file, checking its columns against {@code view} first (extra columns are
   * ignored).
   *
   * @throws OfflineSchemaException naming the file and the missing or mistyped column
   */
  public static void readViewRows(Path file, ViewSchema view, RecordHandler<ViewRow> handler)
      throws IOException {
    try (ViewRowFile rows = ViewRowFile.open(file, view)) {
      for (ViewRow row = rows.next(); row != null; row = rows.next()) {
        handler.accept(row);
      }
    }
  }

  /** Reads one Parquet file of Avro-generated records with their logical types. */
  public static <T extends SpecificRecordBase> void readParquet(
      Path file, Class<T> recordClass, RecordHandler<T> handler) throws IOException {
    FileSystem fs = file.getFileSystem();
    long length = fs.getFileStatus(file).getLen();
    try (FSDataInputStream in = fs.open(file);
        ParquetReader<T> reader = SpecificRecordFormats.openParquet(in, length, recordClass)) {
      for (T record = reader.read(); record != null; record = reader.read()) {
        handler.accept(record);
      }
    }
  }

  /** Reads one Avro container file of Avro-generated records with their logical types. */
  public static <T extends SpecificRecordBase> void readAvro(
      Path file, Class<T> recordClass, RecordHandler<T> handler) throws IOException {
    try (FSDataInputStream in = file.getFileSystem().open(file);
        DataFileStream<T> records = SpecificRecordFormats.openAvro(in, recordClass)) {
      while (records.hasNext()) {
        handler.accept(records.next());
      }
    }
  }

  /** The footer of a Parquet file: its schema, row groups and key-value metadata. */
  public static ParquetMetadata footer(Path file) throws IOException {
    FileSystem fs = file.getFileSystem();
    long length = fs.getFileStatus(file).getLen();
    try (FSDataInputStream in = fs.open(file);
        ParquetFileReader reader =
            ParquetFileReader.open(new ParquetInputFile(in, length), ParquetReadConfig.options())) {
      return reader.getFooter();
    }
  }

  private static List<Path> finishedFiles(Path dir, DtRange range) throws IOException {
    FileSystem fs = dir.getFileSystem();
    List<Path> files = new ArrayList<>();
    if (!fs.exists(dir)) {
      return files;
    }
    List<Partition> partitions = new ArrayList<>();
    for (FileStatus status : list(fs, dir)) {
      String name = status.getPath().getName();
      if (!status.isDir() || OfflineStoreLayout.isHidden(name)) {
        continue;
      }
      LocalDate dt = OfflineStoreLayout.parseDtDirName(name);
      if (dt != null && range.contains(dt)) {
        partitions.add(new Partition(dt, status.getPath()));
      }
    }
    partitions.sort(Comparator.comparing(Partition::dt));
    for (Partition partition : partitions) {
      List<Path> inPartition = new ArrayList<>();
      for (FileStatus status : list(fs, partition.dir())) {
        if (!status.isDir() && OfflineStoreLayout.isFinishedDataFile(status.getPath().getName())) {
          inPartition.add(status.getPath());
        }
      }
      inPartition.sort(Comparator.comparing(Path::getName));
      files.addAll(inPartition);
    }
    return files;
  }

  /**
   * Lists a directory that a running job may be writing: a local listing stats each name, and an
   * in-progress part file renamed in between makes it fail, so that listing is simply taken again.
   */
  private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        FileStatus[] statuses = fs.listStatus(dir);
        return statuses == null ? new FileStatus[0] : statuses;
      } catch (java.io.FileNotFoundException e) {
        if (attempt == 20 || !fs.exists(dir)) {
          throw e;
        }
      }
    }
  }

  private record Partition(LocalDate dt, Path dir) {}
}

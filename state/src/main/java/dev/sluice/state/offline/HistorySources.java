package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Bounded Flink sources over recorded history, for backfills and replays (BATCH or STREAMING
 * execution). Records are Avro-generated classes with their logical types ({@code Instant}, {@code
 * BigDecimal}), or a view's {@link ViewRow}s. The sources assign no timestamps: attach a {@code
 * WatermarkStrategy} with a timestamp assigner in {@code env.fromSource(..)}.
 *
 * <p>Files are the unit of parallelism (each file is read whole by one reader). Hidden files (name
 * starting with {@code .} or {@code _}, e.g. Flink's in-progress part files) are skipped, as are
 * files with another suffix; directories are read recursively.
 */
public final class HistorySources {
  private HistorySources() {}

  /** The whole raw archive {@code <base>/raw/<archive>} as a bounded source. */
  public static <T extends SpecificRecordBase> FileSource<T> rawArchive(
      OfflineStoreLayout layout, String archive, Class<T> recordClass) {
    return rawArchive(layout, archive, recordClass, DtRange.ALL);
  }

  /**
   * The {@code dt} partitions of the raw archive {@code <base>/raw/<archive>} within {@code range}
   * (files written by {@link OfflineStoreSinks#raw}) as a bounded source. The archive directory
   * must exist when the job starts.
   */
  public static <T extends SpecificRecordBase> FileSource<T> rawArchive(
      OfflineStoreLayout layout, String archive, Class<T> recordClass, DtRange range) {
    return FileSource.forRecordStreamFormat(parquetFormat(recordClass), layout.rawDir(archive))
        .setFileEnumerator(new Enumerators(OfflineStoreLayout.PART_SUFFIX, range))
        .build();
  }

  /**
   * The rows of one view within {@code range} ({@code dt} partitions of {@code <base>/features/
   * view=<view>}, written by {@link OfflineStoreSinks#viewRows}) as a bounded source, decoded as
   * {@link OfflineStoreReader} decodes them. A file whose columns do not fit {@code view} fails the
   * job with an {@link OfflineSchemaException} naming it. The view directory must exist when the
   * job starts.
   */
  public static FileSource<ViewRow> viewRows(
      OfflineStoreLayout layout, ViewSchema view, DtRange range) {
    return FileSource.forBulkFileFormat(new ViewRowFormat(view), layout.viewDir(view.view()))
        .setFileEnumerator(new Enumerators(OfflineStoreLayout.PART_SUFFIX, range))
        .build();
  }

  /**
   * Avro container files ({@code *.avro}, written with a SpecificDatumWriter or by any tool with a
   * schema compatible with {@code recordClass}) as a bounded source.
   *
   * @param paths files or directories (searched recursively)
   */
  public static <T extends SpecificRecordBase> FileSource<T> avroFiles(
      Class<T> recordClass, Path... paths) {
    if (paths.length == 0) {
      throw new IllegalArgumentException(
          "no paths to read " + recordClass.getSimpleName() + " from");
    }
    return FileSource.forRecordStreamFormat(avroFormat(recordClass), paths)
        .setFileEnumerator(new Enumerators(".avro", DtRange.ALL))
        .build();
  }

  /** Reads Parquet files of {@code recordClass} with its logical types (for custom sources). */
  public static <T extends SpecificRecordBase> StreamFormat<T> parquetFormat(Class<T> recordClass) {
    return new SpecificRecordFormats.Parquet<>(Objects.requireNonNull(recordClass));
  }

  /** Reads Avro container files of {@code recordClass} with its logical types. */
  public static <T extends SpecificRecordBase> StreamFormat<T> avroFormat(Class<T> recordClass) {
    return new SpecificRecordFormats.AvroContainer<>(Objects.requireNonNull(recordClass));
  }

  /** Creates enumerators that keep visible files with a suffix inside {@code dt} partitions. */
  private record Enumerators(String suffix, DtRange range) implements FileEnumerator.Provider {
    @Override
    public FileEnumerator create() {
      return new SuffixEnumerator(suffix, new VisibleInRange(range));
    }
  }

  /** Skips hidden entries and {@code dt=} directories outside the range. */
  private record VisibleInRange(DtRange range) implements Predicate<Path>, Serializable {
    @Override
    public boolean test(Path path) {
      String name = path.getName();
      if (OfflineStoreLayout.isHidden(name)) {
        return false;
      }
      LocalDate dt = OfflineStoreLayout.parseDtDirName(name);
      return dt == null || range.contains(dt);
    }
  }

  /** Recurses into directories (through the filter) and keeps only files with the suffix. */
  private static final class SuffixEnumerator extends NonSplittingRecursiveEnumerator {
    private final String suffix;

    SuffixEnumerator(String suffix, Predicate<Path> filter) {
      super(filter);
      this.suffix = suffix;
    }

    @Override
    protected void convertToSourceSplits(
        FileStatus file, FileSystem fs, List<FileSourceSplit> target) throws IOException {
      if (file.getPath().getName().endsWith(suffix)) {
        super.convertToSourceSplits(file, fs, target);
      }
    }
  }
}

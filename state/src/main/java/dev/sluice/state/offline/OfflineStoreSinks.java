package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Exactly-once Parquet sinks into the {@link OfflineStoreLayout}. Part files roll on every
 * checkpoint only ({@link OnCheckpointRollingPolicy}): in STREAMING mode a file becomes visible
 * (renamed from a hidden in-progress file to {@code part-*.parquet}) when the checkpoint that
 * covers its rows completes, so readers never see uncommitted rows; without checkpoints nothing is
 * ever finished. In BATCH mode every file is finished when the job ends.
 *
 * <p>Each open bucket (partition x subtask) holds a Parquet writer that buffers its row group in
 * memory until the next checkpoint, so memory grows with the number of {@code dt} partitions
 * written between two checkpoints (in BATCH mode: in the whole job).
 *
 * <p>Give the sink a uid and a name where it is attached ({@code .sinkTo(sink).uid(..).name(..)}).
 */
public final class OfflineStoreSinks {
  /**
   * A part file that received nothing for this long is finished before the next checkpoint: in
   * BATCH execution (no checkpoints) this is what keeps the open writers, each buffering its rows
   * in memory, down to the dates being written; otherwise a backfill over months would hold a
   * writer per view and day until the end.
   */
  static final Duration IDLE_PART_TIMEOUT = Duration.ofSeconds(2);

  static final Duration BUCKET_CHECK_INTERVAL = Duration.ofSeconds(1);

  private OfflineStoreSinks() {}

  /** {@code part-<uuid>-<subtask>-<counter>.parquet}: the suffix is what globs look for. */
  public static OutputFileConfig outputFileConfig() {
    return OutputFileConfig.builder()
        .withPartPrefix(OfflineStoreLayout.PART_PREFIX)
        .withPartSuffix(OfflineStoreLayout.PART_SUFFIX)
        .build();
  }

  /**
   * Feature rows of one view, into {@code <base>/features/view=<view>/dt=<UTC date of eventTime>/},
   * with the columns of {@link ViewRowColumns}. Rows of any other view fail the writer.
   */
  public static FileSink<ViewRow> viewRows(OfflineStoreLayout layout, ViewSchema view) {
    return FileSink.forBulkFormat(layout.featuresDir(), OfflineParquetWriters.forViewRows(view))
        .withBucketAssigner(new ViewBucketAssigner(layout.viewDir(view.view()).getName()))
        .withRollingPolicy(new CheckpointAndIdleRollingPolicy<>())
        .withBucketCheckInterval(BUCKET_CHECK_INTERVAL.toMillis())
        .withOutputFileConfig(outputFileConfig())
        .build();
  }

  /**
   * An archive of Avro-generated records (logical types kept), into {@code
   * <base>/raw/<archive>/dt=<UTC date of eventTime>/}, e.g. {@code raw(layout, "transactions",
   * Transaction.class, Transaction::getEventTime)}.
   *
   * @param archive archive name: lower-case letters, digits and underscores
   * @param eventTime the record's event time, which picks its {@code dt} partition
   */
  public static <T extends SpecificRecordBase> FileSink<T> raw(
      OfflineStoreLayout layout,
      String archive,
      Class<T> recordClass,
      SerializableFunction<T, Instant> eventTime) {
    return FileSink.forBulkFormat(
            layout.rawDir(archive), OfflineParquetWriters.forSpecificRecord(recordClass))
        .withBucketAssigner(new EventTimeBucketAssigner<>(eventTime))
        .withRollingPolicy(new CheckpointAndIdleRollingPolicy<>())
        .withBucketCheckInterval(BUCKET_CHECK_INTERVAL.toMillis())
        .withOutputFileConfig(outputFileConfig())
        .build();
  }

  /** {@code view=<view>/dt=<date>} from the row's event time. */
  static final class ViewBucketAssigner implements BucketAssigner<ViewRow, String> {
    private static final long serialVersionUID = 1L;
    private final String viewDirName;

    ViewBucketAssigner(String viewDirName) {
      this.viewDirName = viewDirName;
    }

    @Override
    public String getBucketId(ViewRow row, Context context) {
      return viewDirName + "/" + OfflineStoreLayout.dtBucket(row.eventTime);
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
      return SimpleVersionedStringSerializer.INSTANCE;
    }
  }

  /** {@code dt=<date>} from the record's event time. */
  static final class EventTimeBucketAssigner<T> implements BucketAssigner<T, String> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<T, Instant> eventTime;

    EventTimeBucketAssigner(SerializableFunction<T, Instant> eventTime) {
      this.eventTime = eventTime;
    }

    @Override
    public String getBucketId(T record, Context context) {
      Instant time = eventTime.apply(record);
      if (time == null) {
        throw new IllegalArgumentException("record has no event time: " + record);
      }
      return OfflineStoreLayout.dtBucket(time.toEpochMilli());
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
      return SimpleVersionedStringSerializer.INSTANCE;
    }
  }

  /**
   * Rolls on every checkpoint (exactly-once files, as {@code OnCheckpointRollingPolicy}) and,
   * between checkpoints, when a part file has been idle for {@link #IDLE_PART_TIMEOUT}.
   */
  static final class CheckpointAndIdleRollingPolicy<IN>
      extends CheckpointRollingPolicy<IN, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean shouldRollOnEvent(PartFileInfo<String> partFileState, IN element) {
      return false;
    }

    @Override
    public boolean shouldRollOnProcessingTime(PartFileInfo<String> partFileState, long now) {
      return now - partFileState.getLastUpdateTime() >= IDLE_PART_TIMEOUT.toMillis();
    }
  }
}

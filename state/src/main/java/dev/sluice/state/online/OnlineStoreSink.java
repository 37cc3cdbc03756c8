package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes feature rows to the online store in Redis: the latest values per entity and view, for
 * serving. Each parallel writer opens its own connection pool and buffers rows, keeping only the
 * newest row per entity and view, then writes the buffer as one pipelined batch when it holds
 * {@code batchSize} keys, when the oldest buffered row has waited {@code maxBufferTime}, and always
 * when Flink flushes the writer before a checkpoint. Nothing a completed checkpoint covers is
 * therefore only in memory.
 *
 * <p>Guarantee: at-least-once writes that are idempotent, so the store ends up as an exactly-once
 * run would leave it. After a failure Flink replays from the last checkpoint, and the store's event
 * time guard refuses replayed rows older than what is stored and rewrites equal ones. Parallel
 * writers may hold rows of one key; the guard decides between them by event time, not by arrival.
 *
 * <p>Metrics (in the writer's metric group): {@value OnlineStoreWriter#METRIC_ROWS_WRITTEN},
 * {@value OnlineStoreWriter#METRIC_ROWS_SKIPPED_OLDER} (refused by the guard), {@value
 * OnlineStoreWriter#METRIC_ROWS_COLLAPSED} (replaced in the buffer by a newer row of the same key),
 * {@value OnlineStoreWriter#METRIC_FLUSHES}, {@value OnlineStoreWriter#METRIC_RETRIES}, the gauge
 * {@value OnlineStoreWriter#METRIC_BUFFERED_ROWS}, and Flink's standard {@code numRecordsSend} and
 * {@code currentSendTime} (duration of the last batch, ms).
 *
 * <p>Failures: a row of a view missing from the schemas, or that does not fit its schema, throws
 * {@link IllegalArgumentException}; Redis failing through all retries throws {@link
 * OnlineStoreException}. Both fail the task.
 */
public final class OnlineStoreSink implements Sink<ViewRow> {
  private static final long serialVersionUID = 1L;

  /** Keys per batch; a few hundred keep a pipeline's round trip well under a millisecond. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** Longest a row waits in the buffer when neither the batch fills nor a checkpoint comes. */
  public static final Duration DEFAULT_MAX_BUFFER_TIME = Duration.ofMillis(200);

  private final RedisSettings settings;
  private final List<ViewSchema> schemas;
  private final int batchSize;
  private final Duration maxBufferTime;

  /** A sink with {@link #DEFAULT_BATCH_SIZE} and {@link #DEFAULT_MAX_BUFFER_TIME}. */
  public OnlineStoreSink(RedisSettings settings, List<ViewSchema> schemas) {
    this(settings, schemas, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BUFFER_TIME);
  }

  /**
   * @param settings where the store is
   * @param schemas the schemas of every view the sink will receive rows of
   * @param batchSize buffered keys that trigger a write
   * @param maxBufferTime longest a row waits before it is written; zero writes only on full batches
   *     and checkpoints
   */
  public OnlineStoreSink(
      RedisSettings settings, List<ViewSchema> schemas, int batchSize, Duration maxBufferTime) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.schemas = List.copyOf(schemas);
    this.batchSize = batchSize;
    this.maxBufferTime = Objects.requireNonNull(maxBufferTime, "maxBufferTime");
    if (this.schemas.isEmpty()) {
      throw new IllegalArgumentException("the online store sink needs at least one view schema");
    }
    Set<String> views = new HashSet<>();
    for (ViewSchema schema : this.schemas) {
      if (!views.add(schema.view())) {
        throw new IllegalArgumentException(
            "view " + schema.view() + " is given twice to the online store sink");
      }
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("online store batch size must be >= 1, got " + batchSize);
    }
    if (maxBufferTime.isNegative()) {
      throw new IllegalArgumentException(
          "online store max buffer time must be >= 0, got " + maxBufferTime);
    }
  }

  @Override
  public SinkWriter<ViewRow> createWriter(WriterInitContext context) throws IOException {
    RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings);
    return new OnlineStoreWriter(
        store,
        schemas,
        batchSize,
        maxBufferTime,
        context.metricGroup(),
        context.getProcessingTimeService(),
        context.isObjectReuseEnabled());
  }

  public RedisSettings settings() {
    return settings;
  }

  public List<ViewSchema> schemas() {
    return schemas;
  }
}

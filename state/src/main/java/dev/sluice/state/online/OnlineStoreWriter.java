package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * The writer of {@link OnlineStoreSink}: a buffer of the newest row per entity and view, written to
 * the store in batches.
 *
 * <p>State: only the buffer, in memory, at most {@code batchSize} keys. It is emptied by every
 * write, and {@link #flush} (called by Flink before each checkpoint and at the end of input) writes
 * it, so the writer needs no checkpointed state. Runs on the task thread only: the buffer timer
 * fires through Flink's mailbox.
 */
final class OnlineStoreWriter implements SinkWriter<ViewRow> {
  static final String METRIC_ROWS_WRITTEN = "onlineStoreRowsWritten";
  static final String METRIC_ROWS_SKIPPED_OLDER = "onlineStoreRowsSkippedOlder";
  static final String METRIC_ROWS_COLLAPSED = "onlineStoreRowsCollapsed";
  static final String METRIC_FLUSHES = "onlineStoreFlushes";
  static final String METRIC_RETRIES = "onlineStoreRetries";
  static final String METRIC_BUFFERED_ROWS = "onlineStoreBufferedRows";

  private final OnlineFeatureStore store;
  private final List<ViewSchema> schemas;
  private final Map<String, ViewSchema> byView = new HashMap<>();
  private final int batchSize;
  private final long maxBufferMillis;
  private final ProcessingTimeService timeService;
  private final boolean copyRows;
  private final LinkedHashMap<BufferKey, ViewRow> buffer = new LinkedHashMap<>();

  final Counter rowsWritten;
  final Counter rowsSkippedOlder;
  final Counter rowsCollapsed;
  final Counter flushes;
  final Counter retries;
  private final Counter recordsSend;
  private volatile long lastBatchMillis;
  private ScheduledFuture<?> bufferTimer;

  /** Entity and view: what one stored hash is for. */
  private record BufferKey(String view, String entityId) {}

  OnlineStoreWriter(
      OnlineFeatureStore store,
      List<ViewSchema> schemas,
      int batchSize,
      Duration maxBufferTime,
      SinkWriterMetricGroup metrics,
      ProcessingTimeService timeService,
      boolean objectReuse) {
    this.store = store;
    this.schemas = List.copyOf(schemas);
    this.schemas.forEach(schema -> byView.put(schema.view(), schema));
    this.batchSize = batchSize;
    this.maxBufferMillis = maxBufferTime.toMillis();
    this.timeService = timeService;
    this.copyRows = objectReuse;
    this.rowsWritten = metrics.counter(METRIC_ROWS_WRITTEN);
    this.rowsSkippedOlder = metrics.counter(METRIC_ROWS_SKIPPED_OLDER);
    this.rowsCollapsed = metrics.counter(METRIC_ROWS_COLLAPSED);
    this.flushes = metrics.counter(METRIC_FLUSHES);
    this.retries = metrics.counter(METRIC_RETRIES);
    this.recordsSend = metrics.getNumRecordsSendCounter();
    metrics.gauge(METRIC_BUFFERED_ROWS, buffer::size);
    metrics.setCurrentSendTimeGauge(() -> lastBatchMillis);
  }

  @Override
  public void write(ViewRow row, Context context) {
    if (!byView.containsKey(row.view)) {
      throw new IllegalArgumentException(
          "online store sink got a row of unknown view '"
              + row.view
              + "' (entity "
              + row.entityId
              + "); it was given the views "
              + byView.keySet());
    }
    ViewRow kept = copyRows ? copy(row) : row;
    ViewRow previous = buffer.get(new BufferKey(row.view, row.entityId));
    if (previous != null) {
      rowsCollapsed.inc();
      // An equal event time replaces: the later row is the one the store would end up with.
      if (kept.eventTime < previous.eventTime) {
        return;
      }
    }
    buffer.put(new BufferKey(row.view, row.entityId), kept);
    if (buffer.size() >= batchSize) {
      writeBuffer();
    } else if (bufferTimer == null && maxBufferMillis > 0) {
      bufferTimer =
          timeService.registerTimer(
              timeService.getCurrentProcessingTime() + maxBufferMillis,
              time -> {
                bufferTimer = null;
                writeBuffer();
              });
    }
  }

  /** Writes everything buffered; Flink calls it before every checkpoint and at end of input. */
  @Override
  public void flush(boolean endOfInput) {
    writeBuffer();
  }

  private void writeBuffer() {
    if (bufferTimer != null) {
      bufferTimer.cancel(false);
      bufferTimer = null;
    }
    if (buffer.isEmpty()) {
      return;
    }
    List<ViewRow> rows = new ArrayList<>(buffer.values());
    long start = System.nanoTime();
    OnlineFeatureStore.WriteResult result;
    try {
      result = store.write(rows, schemas);
    } catch (OnlineStoreException e) {
      retries.inc(Math.max(0, e.attempts() - 1));
      throw e;
    }
    lastBatchMillis = (System.nanoTime() - start) / 1_000_000;
    buffer.clear();
    flushes.inc();
    rowsWritten.inc(result.rowsWritten());
    rowsSkippedOlder.inc(result.rowsSkippedOlder());
    retries.inc(result.retries());
    recordsSend.inc(rows.size());
  }

  /** Rows waiting to be written. */
  int bufferedRows() {
    return buffer.size();
  }

  @Override
  public void close() {
    if (bufferTimer != null) {
      bufferTimer.cancel(false);
      bufferTimer = null;
    }
    // Not flushed on purpose: Flink flushes at end of input; on cancellation or failure the rows
    // since the last checkpoint are replayed after the restore.
    store.close();
  }

  private static ViewRow copy(ViewRow row) {
    return new ViewRow(
        row.view,
        row.version,
        row.entityId,
        row.eventId,
        row.eventTime,
        row.producedAt,
        row.values == null ? null : row.values.clone());
  }
}

package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.RISK;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** The sink writer's buffering, collapsing, flushing and counting, against a recording store. */
class OnlineStoreWriterTest {
  private final RecordingStore store = new RecordingStore();
  private final ManualTime time = new ManualTime();

  @Test
  void rowsForOneKeyCollapseToTheNewestEventTime() {
    OnlineStoreWriter writer = writer(100, Duration.ZERO, false);

    writer.write(row(SPENDING, "c-1", T0.plusSeconds(10), 2, 20), null);
    writer.write(row(SPENDING, "c-1", T0, 1, 10), null); // older: dropped
    writer.write(row(SPENDING, "c-1", T0.plusSeconds(30), 3, 30), null);
    writer.write(row(RISK, "c-1", T0, 0, 0.5), null); // other view: other key
    writer.flush(false);

    assertThat(store.batches).hasSize(1);
    assertThat(store.batches.get(0))
        .extracting(r -> r.view + "/" + r.entityId + "@" + r.eventTime)
        .containsExactly(
            "customer_spending/c-1@" + T0.plusSeconds(30).toEpochMilli(),
            "customer_risk/c-1@" + T0.toEpochMilli());
    assertThat(writer.rowsCollapsed.getCount()).isEqualTo(2);
    assertThat(writer.rowsWritten.getCount()).isEqualTo(2);
  }

  @Test
  void anEqualEventTimeKeepsTheLaterRow() {
    OnlineStoreWriter writer = writer(100, Duration.ZERO, false);

    writer.write(row(SPENDING, "c-1", T0, 1, 10), null);
    writer.write(row(SPENDING, "c-1", T0, 2, 20), null);
    writer.flush(false);

    assertThat(store.batches.get(0))
        .singleElement()
        .satisfies(r -> assertThat(r.values).containsExactly(2, 20));
  }

  @Test
  void aFullBatchIsWrittenAtOnceAndTheRestOnFlush() {
    OnlineStoreWriter writer = writer(3, Duration.ZERO, false);

    for (int i = 0; i < 7; i++) {
      writer.write(row(SPENDING, "c-" + i, T0, i, i), null);
    }
    assertThat(store.batches).extracting(List::size).containsExactly(3, 3);
    assertThat(writer.bufferedRows()).isEqualTo(1);

    writer.flush(false);

    assertThat(store.batches).extracting(List::size).containsExactly(3, 3, 1);
    assertThat(writer.bufferedRows()).isZero();
    assertThat(writer.flushes.getCount()).isEqualTo(3);
  }

  @Test
  void aCheckpointFlushWritesEverythingBufferedAndAnEmptyFlushWritesNothing() {
    OnlineStoreWriter writer = writer(1000, Duration.ofMinutes(10), false);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);

    writer.flush(false); // Flink calls this in the checkpoint's pre-barrier phase

    assertThat(store.batches).hasSize(1);
    writer.flush(false);
    writer.flush(true);
    assertThat(store.batches).hasSize(1);
  }

  @Test
  void rowsWaitAtMostTheMaxBufferTime() throws Exception {
    OnlineStoreWriter writer = writer(1000, Duration.ofMillis(200), false);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);
    writer.write(row(SPENDING, "c-2", T0, 1, 1), null);

    assertThat(time.timers).containsOnlyKeys(200L); // one timer for the buffer, not one per row
    time.advanceTo(199);
    assertThat(store.batches).isEmpty();
    time.advanceTo(200);

    assertThat(store.batches).hasSize(1);
    assertThat(store.batches.get(0)).hasSize(2);
    writer.write(row(SPENDING, "c-3", T0, 1, 1), null);
    assertThat(time.timers).containsOnlyKeys(400L);
  }

  @Test
  void aFullBatchCancelsThePendingTimer() {
    OnlineStoreWriter writer = writer(2, Duration.ofMillis(200), false);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);
    ScheduledFuture<?> timer = time.futures.get(0);

    writer.write(row(SPENDING, "c-2", T0, 1, 1), null);

    assertThat(timer.isCancelled()).isTrue();
    assertThat(store.batches).hasSize(1);
  }

  @Test
  void skippedRowsAndRetriesAreCounted() {
    OnlineStoreWriter writer = writer(10, Duration.ZERO, false);
    store.nextResult = new OnlineFeatureStore.WriteResult(1, 2, 3);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);
    writer.write(row(SPENDING, "c-2", T0, 1, 1), null);
    writer.write(row(SPENDING, "c-3", T0, 1, 1), null);

    writer.flush(false);

    assertThat(writer.rowsWritten.getCount()).isEqualTo(1);
    assertThat(writer.rowsSkippedOlder.getCount()).isEqualTo(2);
    assertThat(writer.retries.getCount()).isEqualTo(3);
  }

  @Test
  void aRowOfAnUnknownViewNamesTheView() {
    OnlineStoreWriter writer = writer(10, Duration.ZERO, false);
    ViewRow stranger = row(SPENDING, "c-1", T0, 1, 1);
    stranger.view = "merchant_profile";

    assertThatThrownBy(() -> writer.write(stranger, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'merchant_profile'")
        .hasMessageContaining("customer_spending");
  }

  @Test
  void aFailedWriteKeepsTheBufferCountsRetriesAndFailsTheTask() {
    OnlineStoreWriter writer = writer(10, Duration.ZERO, false);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);
    store.failure = new OnlineStoreException("Redis at h:1: writing 1 rows failed", null, 4);

    assertThatThrownBy(() -> writer.flush(false)).isSameAs(store.failure);

    assertThat(writer.retries.getCount()).isEqualTo(3);
    assertThat(writer.bufferedRows()).isEqualTo(1);
  }

  @Test
  void withObjectReuseBufferedRowsAreCopies() {
    OnlineStoreWriter writer = writer(10, Duration.ZERO, true);
    ViewRow reused = row(SPENDING, "c-1", T0, 1, 1);
    writer.write(reused, null);
    reused.entityId = "c-2";
    reused.values[0] = 99;
    writer.write(reused, null);

    writer.flush(false);

    assertThat(store.batches.get(0))
        .extracting(r -> r.entityId + "=" + r.values[0])
        .containsExactly("c-1=1.0", "c-2=99.0");
  }

  @Test
  void closeClosesTheStoreWithoutWriting() throws Exception {
    OnlineStoreWriter writer = writer(10, Duration.ofMillis(100), false);
    writer.write(row(SPENDING, "c-1", T0, 1, 1), null);

    writer.close();

    assertThat(store.closed).isTrue();
    assertThat(store.batches).isEmpty();
    assertThat(time.futures.get(0).isCancelled()).isTrue();
  }

  @Test
  void viewRowsAreFlinkPojosNotKryo() {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(ViewRow.class);
  }

  private OnlineStoreWriter writer(int batchSize, Duration maxBufferTime, boolean objectReuse) {
    return new OnlineStoreWriter(
        store,
        ALL,
        batchSize,
        maxBufferTime,
        UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
        time,
        objectReuse);
  }

  /** Records each batch; answers with a programmed result or failure. */
  private static final class RecordingStore implements OnlineFeatureStore {
    final List<List<ViewRow>> batches = new ArrayList<>();
    WriteResult nextResult;
    OnlineStoreException failure;
    boolean closed;

    @Override
    public WriteResult write(List<ViewRow> rows, Collection<ViewSchema> schemas) {
      if (failure != null) {
        throw failure;
      }
      batches.add(List.copyOf(rows));
      return nextResult != null ? nextResult : new WriteResult(rows.size(), 0, 0);
    }

    @Override
    public FeatureVector read(ViewSchema schema, String entityId, Instant asOf) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<FeatureVector> readAll(List<Lookup> lookups, Instant asOf) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Processing time that moves only when the test says so; timers fire in time order. */
  private static final class ManualTime implements ProcessingTimeService {
    final TreeMap<Long, ProcessingTimeCallback> timers = new TreeMap<>();
    final List<ScheduledFuture<?>> futures = new ArrayList<>();
    long now;

    @Override
    public long getCurrentProcessingTime() {
      return now;
    }

    @Override
    public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
      timers.put(timestamp, callback);
      CancellableTimer future = new CancellableTimer(() -> timers.remove(timestamp, callback));
      futures.add(future);
      return future;
    }

    void advanceTo(long time) throws Exception {
      now = time;
      while (!timers.isEmpty() && timers.firstKey() <= time) {
        var timer = timers.pollFirstEntry();
        timer.getValue().onProcessingTime(timer.getKey());
      }
    }
  }

  private static final class CancellableTimer extends CompletableFuture<Object>
      implements ScheduledFuture<Object> {
    private final Runnable onCancel;

    CancellableTimer(Runnable onCancel) {
      this.onCancel = onCancel;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      onCancel.run();
      return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public long getDelay(java.util.concurrent.TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(java.util.concurrent.Delayed o) {
      return 0;
    }
  }
}

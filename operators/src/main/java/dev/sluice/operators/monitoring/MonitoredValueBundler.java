package dev.sluice.operators.monitoring;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Bundles {@link MonitoredValue}s into {@link MonitoredBatch}es before the keyBy of {@link
 * DriftMonitorFunction}: per subject and tumbling drift window (aligned to the epoch, as the
 * monitor's), in heap, without checkpointed state.
 *
 * <p>Why: the monitor keeps each window's sketch in keyed state (RocksDB in the jobs), and a value
 * costs a get and a put of the whole 1.7 KB sketch (about 800 ns of serialization and two JNI
 * calls) for a 9 ns sketch update; each value was also a network record of its own, subject string
 * included. A batch pays that once for up to {@code maxSize} values.
 *
 * <p>When a batch goes out, and why that keeps the monitor's results unchanged:
 *
 * <ul>
 *   <li>when a buffer reaches {@code maxSize} values (bounded memory and batch size);
 *   <li>on a watermark, every buffer, <em>before</em> forwarding the watermark: downstream sees
 *       each value that came before the watermark before the watermark itself, as it did value by
 *       value, so no value becomes late through bundling and windows close with the same contents;
 *   <li>when the input becomes idle, every buffer before forwarding the status: an idle input no
 *       longer holds back the downstream watermark, so its buffered values must not wait for the
 *       next watermark (they could arrive late);
 *   <li>in {@link #prepareSnapshotPreBarrier} (before the checkpoint barrier goes downstream),
 *       every buffer: nothing is buffered across a checkpoint, so the batches are part of the
 *       downstream's snapshot and exactly-once holds without state of this operator;
 *   <li>at the end of the input ({@link #endInput}, {@link #finish}), every buffer.
 * </ul>
 *
 * <p>A batch's record timestamp is the latest event time of its values (all in one window, so the
 * monitor finds the window from it). A value's event time is its record's timestamp if it has one,
 * else {@link MonitoredValue#time}. Values of a batch keep their arrival order.
 */
public final class MonitoredValueBundler extends AbstractStreamOperator<MonitoredBatch>
    implements OneInputStreamOperator<MonitoredValue, MonitoredBatch>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  /** Initial capacity of a buffer: most subjects see few values between two watermarks. */
  private static final int INITIAL_CAPACITY = 16;

  private final long window;
  private final int maxSize;

  /**
   * Per subject, its open buffers: usually one (the current window), a short chain around a window
   * boundary. A chain rather than a map keyed by (subject, window) so that a value costs one lookup
   * by its subject string and allocates no key.
   */
  private transient Map<String, Buffer> buffers;

  /**
   * @param window the drift window length ({@link DriftSettings#window()})
   * @param maxSize the most values in one batch
   */
  public MonitoredValueBundler(Duration window, int maxSize) {
    this.window = window.toMillis();
    if (this.window <= 0) {
      throw new IllegalArgumentException("drift window must be at least 1 ms, got " + window);
    }
    if (maxSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + maxSize);
    }
    this.maxSize = maxSize;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffers = new HashMap<>();
  }

  @Override
  public void processElement(StreamRecord<MonitoredValue> element) throws Exception {
    MonitoredValue value = element.getValue();
    long time = element.hasTimestamp() ? element.getTimestamp() : value.time;
    long start = Math.floorDiv(time, window) * window;
    Buffer head = buffers.get(value.subject);
    Buffer buffer = head;
    while (buffer != null && buffer.start != start) {
      buffer = buffer.next;
    }
    if (buffer == null) {
      buffer = new Buffer(value.subject, start, Math.min(INITIAL_CAPACITY, maxSize), head);
      buffers.put(value.subject, buffer);
    }
    buffer.add(value.value, time);
    if (buffer.size >= maxSize) {
      // The buffer stays open for the window's next values.
      emit(buffer);
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flushAll();
    super.processWatermark(mark);
  }

  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    if (status.isIdle()) {
      flushAll();
    }
    super.processWatermarkStatus(status);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flushAll();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void endInput() throws Exception {
    flushAll();
  }

  @Override
  public void finish() throws Exception {
    flushAll();
    super.finish();
  }

  /** Number of values buffered (for tests). */
  int buffered() {
    int n = 0;
    for (Buffer head : buffers.values()) {
      for (Buffer b = head; b != null; b = b.next) {
        n += b.size;
      }
    }
    return n;
  }

  /**
   * Emits every buffer and forgets them all, so that buffers of past windows and of subjects no
   * longer seen do not accumulate.
   */
  private void flushAll() {
    if (buffers.isEmpty()) {
      return;
    }
    for (Buffer head : buffers.values()) {
      for (Buffer b = head; b != null; b = b.next) {
        emit(b);
      }
    }
    buffers.clear();
  }

  private void emit(Buffer buffer) {
    if (buffer.size == 0) {
      return;
    }
    double[] values =
        buffer.size == buffer.values.length
            ? buffer.values
            : Arrays.copyOf(buffer.values, buffer.size);
    output.collect(
        new StreamRecord<>(new MonitoredBatch(buffer.subject, buffer.time, values), buffer.time));
    // The emitted array belongs to the batch now (a chained consumer may hold on to it).
    buffer.values = new double[buffer.values.length];
    buffer.size = 0;
    buffer.time = Long.MIN_VALUE;
  }

  /** The values of one subject in one window, not yet emitted. */
  private static final class Buffer {
    final String subject;
    final long start;
    final Buffer next;
    double[] values;
    int size;
    long time = Long.MIN_VALUE;

    Buffer(String subject, long start, int capacity, Buffer next) {
      this.subject = subject;
      this.start = start;
      this.values = new double[capacity];
      this.next = next;
    }

    void add(double value, long valueTime) {
      if (size == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[size++] = value;
      time = Math.max(time, valueTime);
    }
  }
}

package dev.sluice.operators.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The bundler in front of the drift monitor: values grouped per subject and daily window, batches
 * bounded in size, and nothing held back past a watermark, an idle input, a checkpoint or the end
 * of the input (so that neither lateness nor exactly-once changes).
 */
class MonitoredValueBundlerTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long T0 = Instant.parse("2018-05-01T00:00:00Z").toEpochMilli();

  private static OneInputStreamOperatorTestHarness<MonitoredValue, MonitoredBatch> harness(
      int maxSize) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new MonitoredValueBundler(Duration.ofDays(1), maxSize));
    harness.open();
    return harness;
  }

  @Test
  void theBatchIsAFlinkPojoNotAGenericType() {
    // The jobs run with generic types disabled: a Kryo fallback would fail them at start.
    assertThat(TypeInformation.of(MonitoredBatch.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  void valuesAreGroupedPerSubjectAndWindowAndStampedWithTheirLatestTime() throws Exception {
    var harness = harness(512);
    value(harness, "f0", 1, T0 + 3 * HOUR);
    value(harness, "f1", 10, T0 + 1 * HOUR);
    value(harness, "f0", 2, T0 + 1 * HOUR); // out of order within the window
    value(harness, "f0", 3, T0 + DAY + HOUR); // next window
    value(harness, "f0", 4, T0 + 5 * HOUR);
    value(harness, "f1", 11, T0 + 2 * HOUR);
    assertThat(harness.getOutput()).as("nothing before a flush").isEmpty();

    harness.endInput();

    List<StreamRecord<? extends MonitoredBatch>> out = harness.extractOutputStreamRecords();
    assertThat(out).hasSize(3);
    StreamRecord<? extends MonitoredBatch> f0Day0 = batch(out, "f0", T0);
    assertThat(f0Day0.getValue().values).containsExactly(1, 2, 4);
    assertThat(f0Day0.getValue().time).isEqualTo(T0 + 5 * HOUR);
    assertThat(f0Day0.getTimestamp()).isEqualTo(T0 + 5 * HOUR);
    StreamRecord<? extends MonitoredBatch> f0Day1 = batch(out, "f0", T0 + DAY);
    assertThat(f0Day1.getValue().values).containsExactly(3);
    assertThat(f0Day1.getTimestamp()).isEqualTo(T0 + DAY + HOUR);
    StreamRecord<? extends MonitoredBatch> f1 = batch(out, "f1", T0);
    assertThat(f1.getValue().values).containsExactly(10, 11);
    assertThat(f1.getTimestamp()).isEqualTo(T0 + 2 * HOUR);
  }

  @Test
  void withoutARecordTimestampTheValuesOwnTimeCounts() throws Exception {
    var harness = harness(512);
    harness.processElement(new StreamRecord<>(new MonitoredValue("f0", 1, T0 + DAY - 1)));
    harness.processElement(new StreamRecord<>(new MonitoredValue("f0", 2, T0 + DAY)));
    harness.endInput();

    List<StreamRecord<? extends MonitoredBatch>> out = harness.extractOutputStreamRecords();
    assertThat(out).hasSize(2);
    assertThat(batch(out, "f0", T0).getTimestamp()).isEqualTo(T0 + DAY - 1);
    assertThat(batch(out, "f0", T0 + DAY).getTimestamp()).isEqualTo(T0 + DAY);
  }

  @Test
  void aFullBufferIsEmittedAtOnceAndStaysOpen() throws Exception {
    var harness = harness(4);
    for (int i = 0; i < 10; i++) {
      value(harness, "f0", i, T0 + i);
    }
    List<MonitoredBatch> sizeFlushed = harness.extractOutputValues();
    assertThat(sizeFlushed).hasSize(2);
    assertThat(sizeFlushed.get(0).values).containsExactly(0, 1, 2, 3);
    assertThat(sizeFlushed.get(1).values).containsExactly(4, 5, 6, 7);
    assertThat(sizeFlushed.get(1).time).isEqualTo(T0 + 7);

    harness.endInput();
    assertThat(harness.extractOutputValues()).hasSize(3);
    assertThat(harness.extractOutputValues().get(2).values).containsExactly(8, 9);
  }

  @Test
  void everyBufferedValueGoesOutBeforeTheWatermark() throws Exception {
    var harness = harness(512);
    value(harness, "f0", 1, T0 + HOUR);
    value(harness, "f1", 2, T0 + HOUR);
    value(harness, "f0", 3, T0 + 30 * HOUR); // ahead of the watermark: still flushed with it
    harness.processWatermark(new Watermark(T0 + 2 * HOUR));
    value(harness, "f0", 4, T0 + 3 * HOUR);
    harness.processWatermark(new Watermark(T0 + 4 * HOUR));

    List<Object> out = new ArrayList<>(harness.getOutput());
    assertThat(out).hasSize(6);
    assertThat(out.subList(0, 3)).allMatch(o -> o instanceof StreamRecord<?>);
    assertThat(out.get(3)).isEqualTo(new Watermark(T0 + 2 * HOUR));
    assertThat(((MonitoredBatch) ((StreamRecord<?>) out.get(4)).getValue()).values)
        .containsExactly(4);
    assertThat(out.get(5)).isEqualTo(new Watermark(T0 + 4 * HOUR));
    assertThat(bundler(harness).buffered()).isZero();
  }

  @Test
  void anIdleInputDoesNotHoldItsValuesBack() throws Exception {
    // An idle input no longer holds back the monitor's watermark: its values must go now.
    var harness = harness(512);
    value(harness, "label", 1, T0 + HOUR);
    harness.processWatermarkStatus(WatermarkStatus.IDLE);

    List<Object> out = new ArrayList<>(harness.getOutput());
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).isInstanceOf(StreamRecord.class);
    assertThat(out.get(1)).isEqualTo(WatermarkStatus.IDLE);
  }

  @Test
  void aCheckpointBarrierFindsNothingBuffered() throws Exception {
    var harness = harness(512);
    for (int i = 0; i < 100; i++) {
      value(harness, "f" + (i % 3), i, T0 + (i % 2) * DAY + i);
    }
    assertThat(harness.getOutput()).isEmpty();

    harness.prepareSnapshotPreBarrier(1);

    assertThat(bundler(harness).buffered()).isZero();
    assertThat(harness.extractOutputValues()).hasSize(6); // 3 subjects x 2 windows
    assertThat(valuesOut(harness.extractOutputValues()))
        .containsExactlyInAnyOrderElementsOf(range(0, 100));
  }

  @Test
  void nothingIsLostOrDuplicatedAcrossASnapshotAndRestore() throws Exception {
    var harness = harness(16);
    for (int i = 0; i < 50; i++) {
      value(harness, "f0", i, T0 + i);
    }
    // As a checkpoint does: the barrier's flush, then the snapshot.
    harness.prepareSnapshotPreBarrier(1);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    List<MonitoredBatch> beforeCheckpoint = new ArrayList<>(harness.extractOutputValues());
    harness.close();

    var restored =
        new OneInputStreamOperatorTestHarness<>(new MonitoredValueBundler(Duration.ofDays(1), 16));
    restored.initializeState(snapshot);
    restored.open();
    restored.endInput();
    assertThat(restored.getOutput()).as("nothing was buffered in the snapshot").isEmpty();
    for (int i = 50; i < 80; i++) {
      value(restored, "f0", i, T0 + i);
    }
    restored.endInput();

    List<MonitoredBatch> all = new ArrayList<>(beforeCheckpoint);
    all.addAll(restored.extractOutputValues());
    assertThat(valuesOut(all)).containsExactlyElementsOf(range(0, 80));
    assertThat(all).allMatch(b -> b.values.length <= 16);
  }

  // --- fixtures ---

  private static void value(
      OneInputStreamOperatorTestHarness<MonitoredValue, MonitoredBatch> h,
      String subject,
      double value,
      long time)
      throws Exception {
    h.processElement(new MonitoredValue(subject, value, time), time);
  }

  private static MonitoredValueBundler bundler(
      OneInputStreamOperatorTestHarness<MonitoredValue, MonitoredBatch> h) {
    return (MonitoredValueBundler) h.getOneInputOperator();
  }

  private static StreamRecord<? extends MonitoredBatch> batch(
      List<StreamRecord<? extends MonitoredBatch>> out, String subject, long windowStart) {
    return out.stream()
        .filter(r -> r.getValue().subject.equals(subject))
        .filter(r -> Math.floorDiv(r.getTimestamp(), DAY) * DAY == windowStart)
        .reduce(
            (a, b) -> {
              throw new AssertionError("two batches of " + subject + " in one window");
            })
        .orElseThrow();
  }

  private static List<Double> valuesOut(List<MonitoredBatch> batches) {
    List<Double> out = new ArrayList<>();
    for (MonitoredBatch b : batches) {
      Arrays.stream(b.values).forEach(out::add);
    }
    return out;
  }

  private static List<Double> range(int from, int to) {
    List<Double> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add((double) i);
    }
    return out;
  }
}

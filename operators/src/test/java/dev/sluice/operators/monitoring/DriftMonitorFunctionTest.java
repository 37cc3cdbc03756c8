package dev.sluice.operators.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.DriftResult;
import dev.sluice.avro.models.RegistryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The drift monitor against a champion's reference profile of a standard normal feature {@code f0}
 * and a 0/1 feature {@code f1} (20% ones): a day from the same distributions is not drifted, a day
 * with f0 shifted by one standard deviation (Wasserstein distance 1 exactly, analytically) and f1
 * at 60% ones is. Every scenario runs with one value per batch and with batches as large as the
 * job's ({@link MonitoredValueBundler}): how values are bundled must not change any result.
 */
class DriftMonitorFunctionTest {

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T0 = Instant.parse("2018-05-01T00:00:00Z").toEpochMilli();
  private static final String MODEL = "fraud";

  private final SplittableRandom random = new SplittableRandom(11);

  /** The most values {@link #feed} puts in one batch. */
  private int batchSize = 1;

  private KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult>
      harness(DriftSettings settings) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
        new DriftMonitorFunction(settings),
        b -> b.subject,
        Types.STRING,
        DriftMonitorFunction.REGISTRY_LOG);
  }

  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {1, 37, 512}) // one value per batch, uneven splits, the job's size
  void aShiftedDayDriftsAndAnUnchangedOneDoesNot(int batchSize) throws Exception {
    this.batchSize = batchSize;
    var harness = harness(DriftSettings.defaults(MODEL));
    registerChampion(harness);
    feed(harness, "f0", T0, 3_000, random::nextGaussian);
    feed(harness, "f1", T0, 3_000, () -> random.nextDouble() < 0.2 ? 1 : 0);
    feed(harness, "f0", T0 + DAY, 3_000, () -> 1 + random.nextGaussian());
    feed(harness, "f1", T0 + DAY, 3_000, () -> random.nextDouble() < 0.6 ? 1 : 0);
    feed(harness, "not-profiled", T0, 10, () -> 1);
    harness.processWatermark(new Watermark(T0 + 2 * DAY + Duration.ofHours(1).toMillis()));

    List<DriftResult> results = results(harness);
    assertThat(results).hasSize(4);
    DriftResult f0Same = find(results, "f0", 0);
    DriftResult f0Shift = find(results, "f0", 1);
    DriftResult f1Same = find(results, "f1", 0);
    DriftResult f1Shift = find(results, "f1", 1);
    assertThat(f0Same.getDrifted()).isFalse();
    assertThat(f1Same.getDrifted()).isFalse();
    assertThat(f0Shift.getDrifted()).isTrue();
    assertThat(f0Shift.getDecidedBy()).isEqualTo("wasserstein_norm");
    assertThat(f0Shift.getStatistics().get("wasserstein_norm")).isCloseTo(1.0, within(0.1));
    assertThat(f1Shift.getDrifted()).isTrue();
    assertThat(f0Shift.getCount()).isEqualTo(3_000);
    assertThat(f0Shift.getModelVersion()).isEqualTo(1);
    assertThat(f0Shift.getWindowStart().toEpochMilli()).isEqualTo(T0 + DAY);
    assertThat(harness.numEventTimeTimers()).as("every window evaluated").isZero();
  }

  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {1, 37, 512}) // one value per batch, uneven splits, the job's size
  void valuesThatCameBeforeTheChampionJoinTheirWindow(int batchSize) throws Exception {
    this.batchSize = batchSize;
    var harness = harness(DriftSettings.defaults(MODEL));
    feed(harness, "f0", T0, 1_000, () -> 1 + random.nextGaussian());
    registerChampion(harness);
    feed(harness, "f0", T0, 1_000, () -> 1 + random.nextGaussian());
    harness.processWatermark(new Watermark(T0 + 2 * DAY));

    assertThat(results(harness))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getCount()).isEqualTo(2_000);
              assertThat(r.getDrifted()).isTrue();
            });
  }

  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {1, 37, 512}) // one value per batch, uneven splits, the job's size
  void smallWindowsAndWarmUpWindowsAreNotFlagged(int batchSize) throws Exception {
    this.batchSize = batchSize;
    var harness =
        harness(DriftSettings.defaults(MODEL).withMonitorFrom(Instant.ofEpochMilli(T0 + DAY)));
    registerChampion(harness);
    feed(harness, "f0", T0, 3_000, () -> 5 + random.nextGaussian()); // warm-up day: not evaluated
    feed(harness, "f0", T0 + DAY, 40, () -> 5 + random.nextGaussian()); // drifted, but 40 values
    harness.processWatermark(new Watermark(T0 + 3 * DAY));

    List<DriftResult> results = results(harness);
    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getWindowStart().toEpochMilli()).isEqualTo(T0 + DAY);
              assertThat(r.getStatistics().get("wasserstein_norm")).isGreaterThan(1);
              assertThat(r.getDrifted()).as("below the minimum count").isFalse();
            });
  }

  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {1, 37, 512}) // one value per batch, uneven splits, the job's size
  void theRegistryAndOpenWindowsSurviveARestore(int batchSize) throws Exception {
    this.batchSize = batchSize;
    var harness = harness(DriftSettings.defaults(MODEL));
    registerChampion(harness);
    feed(harness, "f0", T0, 1_500, () -> 1 + random.nextGaussian());
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    var restored =
        new KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult>(
            new CoBroadcastWithKeyedOperator<>(
                new DriftMonitorFunction(DriftSettings.defaults(MODEL)),
                List.of(DriftMonitorFunction.REGISTRY_LOG)),
            b -> b.subject,
            Types.STRING,
            1,
            1,
            0);
    restored.initializeState(snapshot);
    restored.open();
    restored.processBroadcastWatermark(Long.MAX_VALUE);
    feed(restored, "f0", T0, 1_500, () -> 1 + random.nextGaussian());
    restored.processWatermark(new Watermark(T0 + 2 * DAY));
    assertThat(results(restored))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getCount()).as("both halves of the window").isEqualTo(3_000);
              assertThat(r.getDrifted()).isTrue();
            });
  }

  @Test
  void theResultsDoNotDependOnHowTheValuesAreBatched() throws Exception {
    // Values before the champion (waiting), both days of both features, an unprofiled subject,
    // and values that come after their window closed (late): every path of the monitor.
    List<MonitoredValue> beforeChampion = values("f0", T0, 500, () -> 1 + random.nextGaussian());
    List<MonitoredValue> days = new ArrayList<>();
    days.addAll(values("f0", T0, 2_000, random::nextGaussian));
    days.addAll(values("f1", T0, 2_000, () -> random.nextDouble() < 0.2 ? 1 : 0));
    days.addAll(values("not-profiled", T0, 10, () -> 1));
    days.addAll(values("f0", T0 + DAY, 2_000, () -> 1 + random.nextGaussian()));
    days.addAll(values("f1", T0 + DAY, 2_000, () -> random.nextDouble() < 0.6 ? 1 : 0));
    List<MonitoredValue> afterFirstDay = new ArrayList<>();
    afterFirstDay.addAll(values("f0", T0, 300, () -> 9)); // late: would move the mean a lot
    afterFirstDay.addAll(values("f0", T0 + DAY, 300, random::nextGaussian));
    List<RegistryEvent> log = MonitoringFixtures.champion(random);

    List<List<DriftResult>> runs = new ArrayList<>();
    for (int size : new int[] {1, 7, 512, 10_000}) {
      var h = harness(DriftSettings.defaults(MODEL));
      feed(h, beforeChampion, size);
      h.processBroadcastElement(log.get(0), 0);
      h.processBroadcastWatermark(Long.MAX_VALUE);
      h.processBroadcastElement(log.get(1), 0);
      feed(h, days, size);
      h.processWatermark(new Watermark(T0 + DAY + Duration.ofHours(2).toMillis()));
      feed(h, afterFirstDay, size);
      h.processWatermark(new Watermark(T0 + 3 * DAY));
      List<DriftResult> results = results(h);
      // The emission's processing time is the only field that may differ.
      results.forEach(r -> r.setEmittedAt(Instant.EPOCH));
      runs.add(results);
      h.close();
    }

    assertThat(runs.get(0)).hasSize(4);
    assertThat(find(runs.get(0), "f0", 0).getCount())
        .as("waited and on time, not late")
        .isEqualTo(2_500);
    assertThat(find(runs.get(0), "f0", 1).getCount()).isEqualTo(2_300);
    for (List<DriftResult> run : runs.subList(1, runs.size())) {
      assertThat(run).isEqualTo(runs.get(0));
    }
  }

  // --- fixtures ---

  /** {@code n} values of a subject spread over a day. */
  private static List<MonitoredValue> values(
      String subject, long dayStart, int n, DoubleSupplier values) {
    List<MonitoredValue> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new MonitoredValue(subject, values.getAsDouble(), dayStart + (long) i * (DAY / n)));
    }
    return out;
  }

  /**
   * Feeds {@code n} values spread over a day, in batches of at most {@link #batchSize} as the
   * bundler makes them: consecutive values, stamped with the latest one's time.
   */
  private void feed(
      KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult> h,
      String subject,
      long dayStart,
      int n,
      DoubleSupplier values)
      throws Exception {
    List<MonitoredValue> day = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long time = dayStart + (long) i * (DAY / n);
      day.add(new MonitoredValue(subject, values.getAsDouble(), time));
    }
    feed(h, day, batchSize);
  }

  /**
   * Feeds values in batches of at most {@code size} consecutive values of the same subject and day
   * (a batch never spans windows), each stamped with its latest value's time.
   */
  private static void feed(
      KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult> h,
      List<MonitoredValue> values,
      int size)
      throws Exception {
    int from = 0;
    while (from < values.size()) {
      MonitoredValue first = values.get(from);
      int to = from + 1;
      while (to < values.size()
          && to - from < size
          && values.get(to).subject.equals(first.subject)
          && Math.floorDiv(values.get(to).time, DAY) == Math.floorDiv(first.time, DAY)) {
        to++;
      }
      double[] batch = new double[to - from];
      long time = Long.MIN_VALUE;
      for (int i = from; i < to; i++) {
        batch[i - from] = values.get(i).value;
        time = Math.max(time, values.get(i).time);
      }
      h.processElement(new MonitoredBatch(first.subject, time, batch), time);
      from = to;
    }
  }

  private static List<DriftResult> results(
      KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult> h) {
    List<DriftResult> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((DriftResult) r.getValue());
      }
    }
    return out;
  }

  private static DriftResult find(List<DriftResult> results, String subject, int day) {
    return results.stream()
        .filter(r -> r.getSubject().equals(subject))
        .filter(r -> r.getWindowStart().toEpochMilli() == T0 + day * DAY)
        .findFirst()
        .orElseThrow();
  }

  private void registerChampion(
      KeyedBroadcastOperatorTestHarness<String, MonitoredBatch, RegistryEvent, DriftResult> h)
      throws Exception {
    List<RegistryEvent> log = MonitoringFixtures.champion(random);
    h.processBroadcastElement(log.get(0), 0);
    // As in the job (NoEventTime): the registry's input never holds the watermark back.
    h.processBroadcastWatermark(Long.MAX_VALUE);
    h.processBroadcastElement(log.get(1), 0);
  }
}

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

/**
 * The drift monitor against a champion's reference profile of a standard normal feature {@code f0}
 * and a 0/1 feature {@code f1} (20% ones): a day from the same distributions is not drifted, a day
 * with f0 shifted by one standard deviation (Wasserstein distance 1 exactly, analytically) and f1
 * at 60% ones is.
 */
class DriftMonitorFunctionTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T0 = Instant.parse("2018-05-01T00:00:00Z").toEpochMilli();
  private static final String MODEL = "fraud";

  private final SplittableRandom random = new SplittableRandom(11);

  private KeyedBroadcastOperatorTestHarness<String, MonitoredValue, RegistryEvent, DriftResult>
      harness(DriftSettings settings) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
        new DriftMonitorFunction(settings),
        v -> v.subject,
        Types.STRING,
        DriftMonitorFunction.REGISTRY_LOG);
  }

  @Test
  void aShiftedDayDriftsAndAnUnchangedOneDoesNot() throws Exception {
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

  @Test
  void valuesThatCameBeforeTheChampionJoinTheirWindow() throws Exception {
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

  @Test
  void smallWindowsAndWarmUpWindowsAreNotFlagged() throws Exception {
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

  @Test
  void theRegistryAndOpenWindowsSurviveARestore() throws Exception {
    var harness = harness(DriftSettings.defaults(MODEL));
    registerChampion(harness);
    feed(harness, "f0", T0, 1_500, () -> 1 + random.nextGaussian());
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    var restored =
        new KeyedBroadcastOperatorTestHarness<String, MonitoredValue, RegistryEvent, DriftResult>(
            new CoBroadcastWithKeyedOperator<>(
                new DriftMonitorFunction(DriftSettings.defaults(MODEL)),
                List.of(DriftMonitorFunction.REGISTRY_LOG)),
            v -> v.subject,
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

  // --- fixtures ---

  private void feed(
      KeyedBroadcastOperatorTestHarness<String, MonitoredValue, RegistryEvent, DriftResult> h,
      String subject,
      long dayStart,
      int n,
      DoubleSupplier values)
      throws Exception {
    for (int i = 0; i < n; i++) {
      long time = dayStart + (long) i * (DAY / n);
      h.processElement(new MonitoredValue(subject, values.getAsDouble(), time), time);
    }
  }

  private static List<DriftResult> results(
      KeyedBroadcastOperatorTestHarness<String, MonitoredValue, RegistryEvent, DriftResult> h) {
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
      KeyedBroadcastOperatorTestHarness<String, MonitoredValue, RegistryEvent, DriftResult> h)
      throws Exception {
    List<RegistryEvent> log = MonitoringFixtures.champion(random);
    h.processBroadcastElement(log.get(0), 0);
    // As in the job (NoEventTime): the registry's input never holds the watermark back.
    h.processBroadcastWatermark(Long.MAX_VALUE);
    h.processBroadcastElement(log.get(1), 0);
  }
}

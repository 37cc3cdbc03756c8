package dev.sluice.operators.monitoring.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ErrorStreamFunction} driven by hand in event time with the calibrated defaults: 10,000
 * labelled rows a day, the champion wrong on 0.5% of them, as in the demo.
 */
class ErrorStreamFunctionTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long T0 = Instant.parse("2018-08-08T00:00:00Z").toEpochMilli();
  private static final int PER_DAY = 10_000;
  private static final String[] DETECTORS = {
    ErrorStreamFunction.DDM, ErrorStreamFunction.PAGE_HINKLEY, ErrorStreamFunction.ADWIN
  };

  private KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, DriftResult> harness;

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, DriftResult>
      harness(ErrorStreamSettings settings) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ErrorStreamFunction(settings)),
            LabelledPrediction::modelKey,
            Types.STRING);
    return h;
  }

  private void open(ErrorStreamSettings settings) throws Exception {
    harness = harness(settings);
    harness.open();
  }

  /** A labelled row of {@code version}, known at {@code knownAt}, wrong with probability p. */
  private static LabelledPrediction row(
      SplittableRandom random, int version, boolean shadow, long knownAt, double errorRate) {
    LabelledPrediction p = new LabelledPrediction();
    p.eventId = "tx-" + random.nextLong();
    p.modelName = "fraud";
    p.modelVersion = version;
    p.shadow = shadow;
    p.eventTime = knownAt - HOUR;
    p.cardId = "card";
    p.threshold = 0.5;
    boolean fraud = random.nextDouble() < 0.008;
    boolean wrong = random.nextDouble() < errorRate;
    p.score = fraud != wrong ? 0.9 : 0.1;
    p.status = LabelledPrediction.LabelStatus.PENDING;
    return p.labelled(fraud, knownAt);
  }

  /** {@code days} days of rows, evenly spread, with the error rate of each day. */
  private static void feed(
      KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, DriftResult> h,
      SplittableRandom random,
      int version,
      boolean shadow,
      int fromDay,
      int days,
      IntToDoubleFunction rateOfDay)
      throws Exception {
    for (int day = fromDay; day < fromDay + days; day++) {
      for (int i = 0; i < PER_DAY; i++) {
        long knownAt = T0 + day * DAY + i * (DAY / PER_DAY);
        h.processElement(
            new StreamRecord<>(
                row(random, version, shadow, knownAt, rateOfDay.applyAsDouble(day)), knownAt));
      }
    }
  }

  private static List<DriftResult> results(
      KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, DriftResult> h) {
    return h.extractOutputValues();
  }

  private static List<DriftResult> of(List<DriftResult> results, String subject) {
    return results.stream().filter(r -> r.getSubject().equals(subject)).toList();
  }

  private static int day(DriftResult r) {
    return (int) ((r.getWindowStart().toEpochMilli() - T0) / DAY);
  }

  @Test
  void aStationaryStreamGivesOneUndriftedResultPerDetectorAndDay() throws Exception {
    open(ErrorStreamSettings.DEFAULTS);
    feed(harness, new SplittableRandom(1), 3, false, 0, 3, d -> 0.005);
    harness.processWatermark(T0 + 3 * DAY - 1 + HOUR - 1);
    assertThat(results(harness)).hasSize(6); // day 2 still open: lateness
    harness.processWatermark(T0 + 3 * DAY - 1 + HOUR);

    List<DriftResult> all = results(harness);
    assertThat(all).hasSize(9);
    for (String detector : DETECTORS) {
      List<DriftResult> days = of(all, detector);
      assertThat(days).extracting(ErrorStreamFunctionTest::day).containsExactly(0, 1, 2);
      for (DriftResult r : days) {
        assertThat(r.getKind()).isEqualTo(DriftKind.ERROR_STREAM);
        assertThat(r.getModelName()).isEqualTo("fraud");
        assertThat(r.getModelVersion()).isEqualTo(3);
        assertThat(r.getWindowEnd().toEpochMilli() - r.getWindowStart().toEpochMilli())
            .isEqualTo(DAY);
        assertThat(r.getCount()).isEqualTo(PER_DAY);
        assertThat(r.getDrifted()).as("%s day %d", detector, day(r)).isFalse();
        assertThat(r.getStatistics().get("detections")).isZero();
        assertThat(r.getStatistics().get("first_detection_at")).isNaN();
        assertThat(r.getStatistics().get("error_rate"))
            .isEqualTo(r.getStatistics().get("errors") / PER_DAY)
            .isCloseTo(0.005, within(0.003));
        assertThat(r.getStatistics().get("detector_error_rate")).isCloseTo(0.005, within(0.002));
        assertThat(r.getDecidedBy()).isEqualTo("detections");
        assertThat(r.getThreshold()).isZero();
      }
      // Before the first window the detectors were fresh; then they kept every error (no reset).
      assertThat(days.get(0).getReferenceCount()).isZero();
      assertThat(days.get(2).getReferenceCount()).isEqualTo(2L * PER_DAY);
    }
    assertThat(of(all, ErrorStreamFunction.DDM).get(0).getStatistics()).containsKey("warnings");
    assertThat(of(all, ErrorStreamFunction.ADWIN).get(2).getStatistics().get("adwin_width"))
        .isEqualTo(3.0 * PER_DAY);
  }

  @Test
  void aStepToFourTimesTheErrorRateIsDetectedOnTheDayItHappens() throws Exception {
    open(ErrorStreamSettings.DEFAULTS);
    feed(harness, new SplittableRandom(2), 3, false, 0, 8, d -> d < 5 ? 0.005 : 0.02);
    harness.processWatermark(T0 + 9 * DAY);

    List<DriftResult> all = results(harness);
    assertThat(all).hasSize(3 * 8);
    for (String detector : DETECTORS) {
      List<DriftResult> days = of(all, detector);
      assertThat(days.subList(0, 5)).as(detector).noneMatch(DriftResult::getDrifted);
    }
    // Page-Hinkley and ADWIN within the day of the step (both at most ~2,800 errors measured).
    for (String fast : new String[] {ErrorStreamFunction.PAGE_HINKLEY, ErrorStreamFunction.ADWIN}) {
      DriftResult step = of(all, fast).get(5);
      assertThat(step.getDrifted()).as(fast).isTrue();
      assertThat(step.getStatistics().get("first_detection_at"))
          .isBetween((double) T0 + 5 * DAY, (double) T0 + 6 * DAY);
      assertThat(step.getStatistics().get("error_rate")).isCloseTo(0.02, within(0.006));
    }
    // DDM, whose rate is the mean since its last reset, within two days.
    assertThat(of(all, ErrorStreamFunction.DDM).subList(5, 7)).anyMatch(DriftResult::getDrifted);
  }

  @Test
  void decisionAndShadowVersionsAreDetectedSeparately() throws Exception {
    open(ErrorStreamSettings.DEFAULTS);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < PER_DAY; i++) {
      long knownAt = T0 + i * (DAY / PER_DAY);
      harness.processElement(new StreamRecord<>(row(random, 3, false, knownAt, 0.005), knownAt));
      double shadowRate = i < PER_DAY / 4 ? 0.005 : 0.05;
      harness.processElement(
          new StreamRecord<>(row(random, 4, true, knownAt, shadowRate), knownAt));
    }
    harness.processWatermark(T0 + 2 * DAY);

    List<DriftResult> all = results(harness);
    assertThat(all).hasSize(6);
    for (String detector : DETECTORS) {
      DriftResult decision = of(all, detector).get(0);
      assertThat(decision.getModelVersion()).isEqualTo(3);
      assertThat(decision.getDrifted()).as(detector).isFalse();
      DriftResult shadow = of(all, detector + ErrorStreamFunction.SHADOW_SUFFIX).get(0);
      assertThat(shadow.getModelVersion()).isEqualTo(4);
      assertThat(shadow.getDrifted()).as(detector + " shadow").isTrue();
      assertThat(shadow.getCount()).isEqualTo(PER_DAY);
    }
  }

  @Test
  void theWindowsStateAndTimersAreGoneOnceTheWatermarkPassesOnlyTheDetectorsStay()
      throws Exception {
    open(ErrorStreamSettings.DEFAULTS);
    feed(harness, new SplittableRandom(4), 3, false, 0, 2, d -> 0.005);
    feed(harness, new SplittableRandom(5), 4, true, 0, 1, d -> 0.005);
    assertThat(harness.numEventTimeTimers()).isEqualTo(3);
    // 2 keys x 3 detectors, plus each key's map of open windows.
    assertThat(harness.numKeyedStateEntries()).isEqualTo(2 * 3 + 2);

    harness.processWatermark(T0 + 2 * DAY + HOUR);
    assertThat(results(harness)).hasSize(9);
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(harness.numKeyedStateEntries()).isEqualTo(2 * 3);
  }

  @Test
  void rowsThatAreNotLabelledOrComeAfterTheirWindowWasEmittedAreIgnored() throws Exception {
    open(ErrorStreamSettings.DEFAULTS);
    SplittableRandom random = new SplittableRandom(6);
    LabelledPrediction pending = row(random, 3, false, T0 + HOUR, 0.005);
    pending.status = LabelledPrediction.LabelStatus.PENDING;
    harness.processElement(new StreamRecord<>(pending, T0 + HOUR));
    harness.processElement(
        new StreamRecord<>(row(random, 3, false, T0 + HOUR, 0.005).unlabelled(), T0 + HOUR));
    assertThat(harness.numKeyedStateEntries()).isZero();

    harness.processElement(new StreamRecord<>(row(random, 3, false, T0 + HOUR, 0.005), T0 + HOUR));
    harness.processWatermark(T0 + DAY + HOUR);
    assertThat(results(harness)).hasSize(3).allMatch(r -> r.getCount() == 1);
    // Within the lateness the window was still open; now it is emitted: a row for it is late.
    harness.processElement(new StreamRecord<>(row(random, 3, false, T0 + HOUR, 1), T0 + DAY));
    harness.processWatermark(T0 + 5 * DAY);
    assertThat(results(harness)).hasSize(3);
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void theDetectorsAndOpenWindowsSurviveASnapshotAndRestore() throws Exception {
    // Straight through: 4 days, the error rate triples on day 2.
    IntToDoubleFunction rate = d -> d < 2 ? 0.005 : 0.015;
    open(ErrorStreamSettings.DEFAULTS);
    SplittableRandom straightRandom = new SplittableRandom(7);
    feed(harness, straightRandom, 3, false, 0, 2, rate);
    feed(harness, straightRandom, 3, false, 2, 2, rate);
    harness.processWatermark(T0 + 5 * DAY);
    List<DriftResult> straight = new ArrayList<>(results(harness));
    harness.close();

    // The same rows, with a snapshot after day 1 (its window still open: lateness).
    harness = harness(ErrorStreamSettings.DEFAULTS);
    harness.open();
    SplittableRandom random = new SplittableRandom(7);
    feed(harness, random, 3, false, 0, 2, rate);
    harness.processWatermark(T0 + DAY + HOUR);
    OperatorSubtaskState snapshot = harness.snapshot(1, T0 + DAY + HOUR);
    List<DriftResult> before = new ArrayList<>(results(harness));
    harness.close();
    harness = harness(ErrorStreamSettings.DEFAULTS);
    harness.initializeState(snapshot);
    harness.open();
    feed(harness, random, 3, false, 2, 2, rate);
    harness.processWatermark(T0 + 5 * DAY);
    List<DriftResult> resumed = new ArrayList<>(before);
    resumed.addAll(results(harness));

    assertThat(straight).hasSize(12);
    assertThat(straight.stream().filter(DriftResult::getDrifted)).isNotEmpty();
    assertThat(resumed).hasSize(straight.size());
    for (int i = 0; i < straight.size(); i++) {
      DriftResult a = straight.get(i);
      DriftResult b = resumed.get(i);
      assertThat(b.getSubject()).isEqualTo(a.getSubject());
      assertThat(b.getWindowStart()).isEqualTo(a.getWindowStart());
      assertThat(b.getCount()).isEqualTo(a.getCount());
      assertThat(b.getReferenceCount()).isEqualTo(a.getReferenceCount());
      assertThat(b.getDrifted()).isEqualTo(a.getDrifted());
      assertThat(b.getStatistics()).isEqualTo(a.getStatistics());
    }
  }

  @Test
  void theErrorIsTheDecisionAtTheRowsThresholdAgainstTheLabel() {
    LabelledPrediction p = new LabelledPrediction();
    p.threshold = 0.3;
    p.score = 0.3;
    p.fraud = true;
    assertThat(ErrorStreamFunction.error(p)).isZero(); // flagged at >= threshold, and fraud
    p.fraud = false;
    assertThat(ErrorStreamFunction.error(p)).isOne(); // false positive
    p.score = 0.29;
    assertThat(ErrorStreamFunction.error(p)).isZero();
    p.fraud = true;
    assertThat(ErrorStreamFunction.error(p)).isOne(); // missed fraud
  }

  @Test
  void settingsErrorsNameTheField() {
    ErrorStreamSettings d = ErrorStreamSettings.DEFAULTS;
    assertThatThrownBy(() -> d.withWindow(Duration.ZERO, Duration.ZERO))
        .hasMessage("error-stream window must be at least 1 ms, got PT0S");
    assertThatThrownBy(() -> d.withWindow(Duration.ofDays(1), Duration.ofHours(-1)))
        .hasMessageContaining("error-stream lateness must not be negative");
    assertThatThrownBy(
            () ->
                new ErrorStreamSettings(
                    d.window(),
                    d.lateness(),
                    30,
                    3,
                    2,
                    30,
                    0.001,
                    20,
                    1,
                    PageHinkley.Mode.UP,
                    0.002,
                    5,
                    32,
                    5))
        .hasMessage(
            "error-stream ddmDriftLevel must be finite and > ddmWarningLevel (3.0), got 2.0");
    assertThatThrownBy(
            () ->
                new ErrorStreamSettings(
                    d.window(),
                    d.lateness(),
                    30,
                    2,
                    3,
                    30,
                    0.001,
                    20,
                    1.5,
                    PageHinkley.Mode.UP,
                    0.002,
                    5,
                    32,
                    5))
        .hasMessage("error-stream pageHinkleyAlpha must be in (0, 1], got 1.5");
    assertThatThrownBy(
            () ->
                new ErrorStreamSettings(
                    d.window(),
                    d.lateness(),
                    30,
                    2,
                    3,
                    30,
                    0.001,
                    20,
                    1,
                    PageHinkley.Mode.UP,
                    0,
                    5,
                    32,
                    5))
        .hasMessage("error-stream adwinDelta must be in (0, 1), got 0.0");
    assertThat(d.ddm().driftLevel).isEqualTo(d.ddmDriftLevel());
    assertThat(d.pageHinkley().mode).isEqualTo(PageHinkley.Mode.UP);
    assertThat(d.adwin().delta).isEqualTo(d.adwinDelta());
  }

  @Test
  void theWindowPojosAreSerializedWithoutKryo() {
    ErrorWindow w = new ErrorWindow();
    w.modelName = "fraud";
    w.rows = 3;
    w.ddm.detections = 1;
    w.ddm.firstDetectionAt = T0;
    w.ddm.estimate = 0.01;
    w.pageHinkley.estimate = 0.02;
    w.adwin.estimate = 0.03;
    w.adwinWidth = 5;
    ErrorWindow copy = FlinkStateRoundTrip.roundTrip(ErrorWindow.class, w);
    assertThat(copy).usingRecursiveComparison().isEqualTo(w);
  }
}

package dev.sluice.operators.monitoring.detectors;

import static dev.sluice.operators.monitoring.detectors.DetectorBehaviour.assertAllDetectedWithin;
import static dev.sluice.operators.monitoring.detectors.DetectorBehaviour.median;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ADWIN on the seeded {@link ErrorStreams}. Measured with the defaults (delta 0.002, M 5, clock 32)
 * over 100 seeds: no false alarm in 100 x 20,000 errors at rate 0.1; the 0.1 to 0.4 jump is found
 * after 55 to 119 errors (median about 87; the 32-update clock is part of it); the 2,000-error ramp
 * after about 440 to 1,015 errors. The bounds below leave a margin over these.
 */
class AdwinTest {

  @Test
  void raisesNoFalseAlarmOnAStationaryStream() {
    DetectorBehaviour.FalseAlarms alarms = DetectorBehaviour.falseAlarms(Adwin::new);
    assertThat(alarms.total()).as("false alarms in 50 x 20k").isLessThanOrEqualTo(1);
  }

  @Test
  void detectsAnAbruptChangeWithinAFewClockTicks() {
    List<Integer> delays = DetectorBehaviour.abruptDelays(Adwin::new);
    assertAllDetectedWithin(delays, 160);
    assertThat(median(delays)).isLessThanOrEqualTo(110);
  }

  @Test
  void detectsAGradualChangeBeforeTheRampEnds() {
    assertAllDetectedWithin(DetectorBehaviour.gradualDelays(Adwin::new), ErrorStreams.RAMP - 700);
  }

  @Test
  void windowShrinksAfterTheCutAndTheMeanTracksTheNewConcept() {
    Adwin adwin = new Adwin();
    double[] errors = ErrorStreams.abrupt(7, 8_000);
    for (int i = 0; i < ErrorStreams.CHANGE_AT; i++) {
      adwin.update(errors[i]);
    }
    assertThat(adwin.width()).isEqualTo(ErrorStreams.CHANGE_AT); // nothing cut yet
    assertThat(adwin.estimation()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.015));

    for (int i = ErrorStreams.CHANGE_AT; i < errors.length; i++) {
      adwin.update(errors[i]);
    }
    // 3,000 errors since the change: the window holds about those, not the 5,000 before.
    assertThat(adwin.width()).isBetween(2_500L, 3_500L);
    assertThat(adwin.estimation()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(0.04));
    assertThat(adwin.detections).isPositive();
  }

  @Test
  void histogramStaysLogarithmicAndExact() {
    Adwin adwin = new Adwin();
    double sum = 0;
    for (double e : ErrorStreams.noDrift(3)) {
      adwin.update(e);
      sum += e;
    }
    assertThat(adwin.width()).isEqualTo(ErrorStreams.NO_DRIFT_LENGTH);
    assertThat(adwin.total).isEqualTo(sum);
    long inBuckets = 0;
    for (int level = 0; level < adwin.levels; level++) {
      assertThat(adwin.sizes[level]).isBetween(1, Adwin.DEFAULT_MAX_BUCKETS);
      inBuckets += (long) adwin.sizes[level] << level;
    }
    assertThat(inBuckets).isEqualTo(adwin.width());
    assertThat(adwin.levels).isLessThanOrEqualTo(13); // ~log2(20,000 / 5) + 1
  }

  @Test
  void resetForgetsTheWindowButKeepsTheParameters() {
    Adwin adwin = new Adwin(0.01, 7, 16, 5);
    ErrorStreams.drifts(adwin, ErrorStreams.abrupt(1, 8_000));
    adwin.reset();
    assertThat(adwin.width()).isZero();
    assertThat(adwin.estimation()).isNaN();
    assertThat(adwin.state()).isEqualTo(DriftDetector.State.STABLE);
    assertThat(adwin.delta).isEqualTo(0.01);
    assertThat(adwin.maxBuckets).isEqualTo(7);
    assertThat(adwin.clock).isEqualTo(16);
    // And behaves like a fresh detector.
    double[] errors = ErrorStreams.abrupt(2, 8_000);
    assertThat(ErrorStreams.drifts(adwin, errors))
        .isEqualTo(ErrorStreams.drifts(new Adwin(0.01, 7, 16, 5), errors));
  }

  @Test
  void survivesFlinkStateSerializationMidStream() {
    double[] errors = ErrorStreams.abrupt(5, 8_000);
    Adwin straight = new Adwin();
    Adwin restored = new Adwin();
    for (int i = 0; i < 4_000; i++) {
      straight.update(errors[i]);
      restored.update(errors[i]);
    }
    restored = FlinkStateRoundTrip.roundTrip(Adwin.class, restored);
    for (int i = 4_000; i < errors.length; i++) {
      assertThat(restored.update(errors[i])).isEqualTo(straight.update(errors[i]));
    }
    assertThat(restored.width()).isEqualTo(straight.width());
  }

  @Test
  void refusesBadParametersAndErrors() {
    assertThatThrownBy(() -> new Adwin(0, 5, 32, 5)).hasMessageContaining("delta");
    assertThatThrownBy(() -> new Adwin(0.002, 1, 32, 5)).hasMessageContaining("maxBuckets");
    assertThatThrownBy(() -> new Adwin().update(1.5)).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> new Adwin().update(Double.NaN)).hasMessageContaining("NaN");
  }
}

package dev.sluice.operators.monitoring.detectors;

import static dev.sluice.operators.monitoring.detectors.DetectorBehaviour.assertAllDetectedWithin;
import static dev.sluice.operators.monitoring.detectors.DetectorBehaviour.median;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Page-Hinkley on the seeded {@link ErrorStreams}. Measured with river's defaults over 100 seeds:
 * about one run in five of 20,000 errors at rate 0.1 has a false alarm (lambda 50 against a
 * Bernoulli(0.1) random walk); the 0.1 to 0.4 jump is found after a median of about 145 errors, at
 * most about 215; the ramp after 365 to 1,010.
 */
class PageHinkleyTest {

  @Test
  void falseAlarmsAreRareOnAStationaryStream() {
    DetectorBehaviour.FalseAlarms alarms = DetectorBehaviour.falseAlarms(PageHinkley::new);
    // At most one run in three with any false alarm, i.e. well under 1 per 60,000 errors.
    assertThat(alarms.runsWithAny()).isLessThanOrEqualTo(ErrorStreams.SEEDS / 3);
    assertThat(alarms.total()).isLessThanOrEqualTo(ErrorStreams.SEEDS / 3);
  }

  @Test
  void detectsAnAbruptChange() {
    List<Integer> delays = DetectorBehaviour.abruptDelays(PageHinkley::new);
    assertAllDetectedWithin(delays, 300);
    assertThat(median(delays)).isBetween(80, 200);
  }

  @Test
  void detectsAGradualChangeBeforeTheRampEnds() {
    assertAllDetectedWithin(
        DetectorBehaviour.gradualDelays(PageHinkley::new), ErrorStreams.RAMP - 700);
  }

  @Test
  void aFallingErrorRateIsOnlyReportedWhenTheModeAsksForIt() {
    double[] falling =
        ErrorStreams.bernoulli(3, 10_000, i -> i < ErrorStreams.CHANGE_AT ? 0.4 : 0.1);
    assertThat(ErrorStreams.delay(ErrorStreams.drifts(new PageHinkley(), falling)))
        .isBetween(0, 300);
    PageHinkley upOnly = new PageHinkley(30, 0.005, 50, 1 - 0.0001, PageHinkley.Mode.UP);
    assertThat(ErrorStreams.drifts(upOnly, falling)).isEmpty();
  }

  @Test
  void startsAfreshAfterADriftAndAfterReset() {
    PageHinkley ph = new PageHinkley();
    double[] errors = ErrorStreams.abrupt(11, 10_000);
    int at = ErrorStreams.drifts(ph, errors).get(0);
    // The statistics were cleared at the drift: the next update counts as the first.
    PageHinkley fresh = new PageHinkley();
    PageHinkley again = new PageHinkley();
    for (int i = 0; i <= at; i++) {
      again.update(errors[i]);
    }
    assertThat(again.seen()).isZero();
    for (int i = at + 1; i < errors.length; i++) {
      assertThat(again.update(errors[i])).isEqualTo(fresh.update(errors[i]));
    }
    again.reset();
    assertThat(again.seen()).isZero();
    assertThat(again.mean()).isZero();
    assertThat(again.state()).isEqualTo(DriftDetector.State.STABLE);
    assertThat(again.threshold).isEqualTo(PageHinkley.DEFAULT_THRESHOLD);
  }

  @Test
  void noDriftBeforeMinInstances() {
    PageHinkley ph = new PageHinkley(30, 0.005, 1, 1, PageHinkley.Mode.BOTH);
    for (int i = 0; i < 29; i++) {
      assertThat(ph.update(i < 10 ? 0 : 1)).isEqualTo(DriftDetector.State.STABLE);
    }
    assertThat(ph.update(1)).isEqualTo(DriftDetector.State.DRIFT);
  }

  @Test
  void survivesFlinkStateSerializationMidStream() {
    double[] errors = ErrorStreams.abrupt(5, 8_000);
    PageHinkley straight = new PageHinkley();
    PageHinkley restored = new PageHinkley();
    for (int i = 0; i < 4_000; i++) {
      straight.update(errors[i]);
      restored.update(errors[i]);
    }
    restored = FlinkStateRoundTrip.roundTrip(PageHinkley.class, restored);
    for (int i = 4_000; i < errors.length; i++) {
      assertThat(restored.update(errors[i])).isEqualTo(straight.update(errors[i]));
    }
  }

  @Test
  void refusesBadParameters() {
    assertThatThrownBy(() -> new PageHinkley(30, 0.005, 0, 0.9999, PageHinkley.Mode.BOTH))
        .hasMessageContaining("threshold");
    assertThatThrownBy(() -> new PageHinkley(30, 0.005, 50, 1.5, PageHinkley.Mode.BOTH))
        .hasMessageContaining("alpha");
  }
}

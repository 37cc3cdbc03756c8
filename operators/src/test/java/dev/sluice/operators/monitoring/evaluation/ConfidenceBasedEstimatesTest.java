package dev.sluice.operators.monitoring.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * CBPE's undefined and degenerate cases, and the settings' checks; the values on real data are
 * checked against numpy in {@link EvaluationReferenceTest}.
 */
class ConfidenceBasedEstimatesTest {
  @Test
  void withoutScoresEveryEstimateIsNaN() {
    ConfidenceBasedEstimates e = ConfidenceBasedEstimates.of(new double[0], 0.5);
    assertThat(e.rocAuc()).isNaN();
    assertThat(e.precision()).isNaN();
    assertThat(e.recall()).isNaN();
    assertThat(e.f1()).isNaN();
    assertThat(e.positiveRate()).isNaN();
  }

  @Test
  void scoresThatAreAllZeroExpectNoPositive() {
    ConfidenceBasedEstimates e = ConfidenceBasedEstimates.of(new double[] {0.0, -0.0, 0.0}, 0.5);
    assertThat(e.rocAuc()).isNaN(); // no positive weight to rank
    assertThat(e.precision()).isZero(); // nothing predicted positive: 0, as sklearn
    assertThat(e.recall()).isZero();
    assertThat(e.f1()).isZero();
    assertThat(e.positiveRate()).isZero();
    assertThat(e.expectedTrueNegatives()).isEqualTo(3.0);
  }

  @Test
  void equalScoresRankHalfAndAThresholdHitIsPositive() {
    // Two rows at 0.5: each is half a positive and half a negative, all tied: AUC 0.5.
    ConfidenceBasedEstimates e = ConfidenceBasedEstimates.of(new double[] {0.5, 0.5}, 0.5);
    assertThat(e.rocAuc()).isEqualTo(0.5);
    assertThat(e.predictedPositives()).isEqualTo(2);
    assertThat(e.precision()).isEqualTo(0.5);
    assertThat(e.recall()).isEqualTo(1.0);
  }

  @Test
  void certainScoresGiveAPerfectExpectedAuc() {
    ConfidenceBasedEstimates e = ConfidenceBasedEstimates.of(new double[] {1.0, 0.0, 1.0}, 0.5);
    assertThat(e.rocAuc()).isCloseTo(1.0, within(1e-15));
    assertThat(e.f1()).isEqualTo(1.0);
  }

  @Test
  void scoresMustBeProbabilities() {
    assertThatThrownBy(() -> ConfidenceBasedEstimates.of(new double[] {1.5}, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside [0, 1]");
    assertThatThrownBy(() -> ConfidenceBasedEstimates.of(new double[] {Double.NaN}, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfidenceBasedEstimates.of(new double[] {0.5}, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settingsRejectEmptyDurationsAndNonPositiveK() {
    Duration day = Duration.ofDays(1);
    assertThatThrownBy(() -> new EvaluationSettings(Duration.ZERO, day, day, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EvaluationSettings(day, Duration.ofMillis(-1), day, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EvaluationSettings(day, day, Duration.ofNanos(10), 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EvaluationSettings(day, day, day, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(EvaluationSettings.DEFAULTS.k()).isEqualTo(100);
  }
}

package dev.sluice.operators.evaluation;

import static dev.sluice.operators.evaluation.SklearnReference.TOLERANCE;
import static dev.sluice.operators.evaluation.SklearnReference.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.operators.evaluation.SklearnReference.Scored;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@link BinaryMetrics} against scikit-learn on data with many tied scores, and edge cases. */
class BinaryMetricsTest {
  private static final Scored DATA = SklearnReference.scoredTransactions();
  private static final Properties EXPECTED = SklearnReference.expectedMetrics();

  @Test
  void matchesSklearnOnTiedScores() {
    assertThat(DATA.scores()).hasSize((int) number(EXPECTED, "rows"));
    assertThat(BinaryMetrics.rocAuc(DATA.scores(), DATA.labels()))
        .isCloseTo(number(EXPECTED, "auc_roc"), within(TOLERANCE));
    assertThat(BinaryMetrics.averagePrecision(DATA.scores(), DATA.labels()))
        .isCloseTo(number(EXPECTED, "average_precision"), within(TOLERANCE));
    assertThat(BinaryMetrics.brierScore(DATA.scores(), DATA.labels()))
        .isCloseTo(number(EXPECTED, "brier"), within(TOLERANCE));
  }

  @Test
  void logLossClipsZeroAndOneAsSklearnDoes() {
    // The first four rows are 0 and 1 on both classes: unclipped, the loss would be infinite.
    assertThat(BinaryMetrics.logLoss(DATA.scores(), DATA.labels()))
        .isCloseTo(number(EXPECTED, "log_loss"), within(TOLERANCE));
    double[] inner = Arrays.copyOfRange(DATA.scores(), 4, DATA.scores().length);
    boolean[] innerLabels = Arrays.copyOfRange(DATA.labels(), 4, DATA.labels().length);
    assertThat(BinaryMetrics.logLoss(inner, innerLabels))
        .isCloseTo(number(EXPECTED, "log_loss_without_extremes"), within(TOLERANCE));
  }

  @Test
  void precisionRecallAndF1AtTheThresholdMatchSklearn() {
    BinaryMetrics.Confusion at = BinaryMetrics.atThreshold(DATA.scores(), DATA.labels(), 0.5);
    assertThat(at.precision()).isCloseTo(number(EXPECTED, "precision_at_0.5"), within(TOLERANCE));
    assertThat(at.recall()).isCloseTo(number(EXPECTED, "recall_at_0.5"), within(TOLERANCE));
    assertThat(at.f1()).isCloseTo(number(EXPECTED, "f1_at_0.5"), within(TOLERANCE));
    assertThat(at.truePositives() + at.falseNegatives())
        .isEqualTo((long) number(EXPECTED, "positives"));
    assertThat(at.truePositives() + at.falsePositives() + at.trueNegatives() + at.falseNegatives())
        .isEqualTo(DATA.scores().length);
  }

  @Test
  void aScoreEqualToTheThresholdIsPositive() {
    BinaryMetrics.Confusion at =
        BinaryMetrics.atThreshold(new double[] {0.5, 0.49}, new boolean[] {true, false}, 0.5);
    assertThat(at.truePositives()).isEqualTo(1);
    assertThat(at.trueNegatives()).isEqualTo(1);
  }

  @Test
  void constantScoresAreAllOneTie() {
    double[] constant = new double[DATA.scores().length];
    Arrays.fill(constant, 0.3);
    assertThat(BinaryMetrics.rocAuc(constant, DATA.labels()))
        .isCloseTo(number(EXPECTED, "auc_roc_constant_scores"), within(TOLERANCE));
    assertThat(BinaryMetrics.averagePrecision(constant, DATA.labels()))
        .isCloseTo(number(EXPECTED, "average_precision_constant_scores"), within(TOLERANCE));
  }

  @Test
  void perfectAndReversedRankings() {
    double[] scores = {0.9, 0.8, 0.2, 0.1};
    boolean[] labels = {true, true, false, false};
    assertThat(BinaryMetrics.rocAuc(scores, labels)).isEqualTo(1.0);
    assertThat(BinaryMetrics.averagePrecision(scores, labels)).isEqualTo(1.0);
    boolean[] reversed = {false, false, true, true};
    assertThat(BinaryMetrics.rocAuc(scores, reversed)).isEqualTo(0.0);
    // Positives at ranks 3 and 4: (1/2)(1/3) + (1/2)(2/4).
    assertThat(BinaryMetrics.averagePrecision(scores, reversed))
        .isCloseTo(0.5 / 3 + 0.25, within(1e-15));
  }

  @Test
  void oneClassOnlyLeavesTheRankingMetricsUndefined() {
    double[] scores = {0.9, 0.4, 0.1};
    boolean[] negatives = {false, false, false};
    boolean[] positives = {true, true, true};
    assertThat(BinaryMetrics.rocAuc(scores, negatives)).isNaN();
    assertThat(BinaryMetrics.rocAuc(scores, positives)).isNaN();
    assertThat(BinaryMetrics.averagePrecision(scores, negatives)).isNaN();
    assertThat(BinaryMetrics.averagePrecision(scores, positives)).isEqualTo(1.0);
    // Still defined: the mean loss of each row.
    assertThat(BinaryMetrics.brierScore(scores, negatives))
        .isCloseTo((0.81 + 0.16 + 0.01) / 3, within(1e-15));
    assertThat(BinaryMetrics.logLoss(scores, positives))
        .isCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.1)) / 3, within(1e-15));
    BinaryMetrics.Confusion none = BinaryMetrics.atThreshold(scores, negatives, 0.95);
    assertThat(none.precision()).isZero();
    assertThat(none.recall()).isZero();
    assertThat(none.f1()).isZero();
  }

  @Test
  void emptyInputIsNaNNotAnError() {
    double[] none = {};
    boolean[] noLabels = {};
    assertThat(BinaryMetrics.rocAuc(none, noLabels)).isNaN();
    assertThat(BinaryMetrics.averagePrecision(none, noLabels)).isNaN();
    assertThat(BinaryMetrics.logLoss(none, noLabels)).isNaN();
    assertThat(BinaryMetrics.brierScore(none, noLabels)).isNaN();
    BinaryMetrics.Confusion at = BinaryMetrics.atThreshold(none, noLabels, 0.5);
    assertThat(at.truePositives() + at.falsePositives() + at.trueNegatives() + at.falseNegatives())
        .isZero();
  }

  @Test
  void badInputIsRejectedWithAReason() {
    assertThatThrownBy(() -> BinaryMetrics.rocAuc(new double[] {0.1}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 scores for 2 labels");
    assertThatThrownBy(
            () -> BinaryMetrics.averagePrecision(new double[] {Double.NaN}, new boolean[] {true}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("score 0 is NaN");
    assertThatThrownBy(() -> BinaryMetrics.logLoss(new double[] {1.5}, new boolean[] {true}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside [0, 1]");
  }
}

package dev.sluice.operators.monitoring.evaluation;

import java.util.Arrays;
import java.util.Objects;

/**
 * Confidence-based performance estimation (CBPE, as NannyML defines it): what the metrics are
 * expected to be once the labels arrive, from the scores alone, assuming they are calibrated
 * probabilities (a score {@code p} is a positive with probability {@code p}).
 *
 * <ul>
 *   <li>Expected confusion matrix at the threshold ("positive when {@code score >= threshold}"):
 *       {@code E[TP]} is the sum of {@code p} over predicted positives, {@code E[FP]} the sum of
 *       {@code 1 - p} over them, {@code E[FN]} the sum of {@code p} over predicted negatives,
 *       {@code E[TN]} the sum of {@code 1 - p} over them. Precision, recall and F1 are taken from
 *       it (0 for a zero denominator, as {@link dev.sluice.operators.evaluation.BinaryMetrics}).
 *   <li>Expected ROC AUC: every score counts as a positive of weight {@code p} and a negative of
 *       weight {@code 1 - p}; the result is the weighted trapezoidal ROC AUC (ties at one point),
 *       i.e. sklearn's {@code roc_auc_score} over the doubled rows with those sample weights. NaN
 *       when all weight is on one class (every score 0, or every score 1).
 *   <li>Positive rate: predicted positives over predictions (exact, no expectation needed).
 * </ul>
 *
 * <p>Without scores every value is NaN. Scores must be in {@code [0, 1]}.
 *
 * @param predictions rows the estimate is over
 * @param predictedPositives rows with {@code score >= threshold}
 * @param expectedTruePositives {@code E[TP]}
 * @param expectedFalsePositives {@code E[FP]}
 * @param expectedTrueNegatives {@code E[TN]}
 * @param expectedFalseNegatives {@code E[FN]}
 * @param rocAuc the expected ROC AUC
 */
public record ConfidenceBasedEstimates(
    long predictions,
    long predictedPositives,
    double expectedTruePositives,
    double expectedFalsePositives,
    double expectedTrueNegatives,
    double expectedFalseNegatives,
    double rocAuc) {

  /**
   * Estimates from calibrated scores.
   *
   * @param scores probabilities of the positive class, in {@code [0, 1]}; not modified
   * @param threshold positive when {@code score >= threshold}; not NaN
   */
  public static ConfidenceBasedEstimates of(double[] scores, double threshold) {
    Objects.requireNonNull(scores, "scores");
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold is NaN");
    }
    long positives = 0;
    double tp = 0;
    double fp = 0;
    double tn = 0;
    double fn = 0;
    for (int i = 0; i < scores.length; i++) {
      double p = scores[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("score " + i + " is " + p + ", outside [0, 1]");
      }
      if (p >= threshold) {
        positives++;
        tp += p;
        fp += 1 - p;
      } else {
        fn += p;
        tn += 1 - p;
      }
    }
    return new ConfidenceBasedEstimates(
        scores.length, positives, tp, fp, tn, fn, expectedRocAuc(scores));
  }

  /** {@code E[TP] / (E[TP] + E[FP])}; NaN without predictions. */
  public double precision() {
    return ratio(expectedTruePositives, expectedTruePositives + expectedFalsePositives);
  }

  /** {@code E[TP] / (E[TP] + E[FN])}; NaN without predictions. */
  public double recall() {
    return ratio(expectedTruePositives, expectedTruePositives + expectedFalseNegatives);
  }

  /** {@code 2 E[TP] / (2 E[TP] + E[FP] + E[FN])}; NaN without predictions. */
  public double f1() {
    return ratio(
        2 * expectedTruePositives,
        2 * expectedTruePositives + expectedFalsePositives + expectedFalseNegatives);
  }

  /** Share of predictions that are positive at the threshold; NaN without predictions. */
  public double positiveRate() {
    return predictions == 0 ? Double.NaN : predictedPositives / (double) predictions;
  }

  private double ratio(double numerator, double denominator) {
    if (predictions == 0) {
      return Double.NaN;
    }
    return denominator == 0 ? 0.0 : numerator / denominator;
  }

  private static double expectedRocAuc(double[] scores) {
    int n = scores.length;
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    // From the highest distinct score down: cumulative positive weight (tp) and negative (fp).
    double tp = 0;
    double fp = 0;
    double twiceArea = 0;
    int i = n - 1;
    while (i >= 0) {
      double value = sorted[i];
      double nextTp = tp;
      double nextFp = fp;
      // -0.0 == 0.0, so both zeros fall in one bucket, as in sklearn.
      while (i >= 0 && sorted[i] == value) {
        nextTp += sorted[i];
        nextFp += 1 - sorted[i];
        i--;
      }
      twiceArea += (nextFp - fp) * (nextTp + tp);
      tp = nextTp;
      fp = nextFp;
    }
    if (tp == 0 || fp == 0) {
      return Double.NaN;
    }
    return twiceArea / (2 * tp * fp);
  }
}

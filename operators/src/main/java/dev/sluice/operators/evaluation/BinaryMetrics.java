package dev.sluice.operators.evaluation;

import java.util.Arrays;

/**
 * Binary-classification metrics over scored, labelled rows, defined as scikit-learn defines them so
 * that a number printed here can be put beside one from a notebook:
 *
 * <ul>
 *   <li>{@link #rocAuc}: {@code roc_auc_score}, the trapezoidal area under the ROC curve with one
 *       point per distinct score, so tied scores count half (Mann-Whitney).
 *   <li>{@link #averagePrecision}: {@code average_precision_score}, the step-wise sum {@code sum_n
 *       (R_n - R_{n-1}) P_n} over distinct scores (no interpolation).
 *   <li>{@link #logLoss}: {@code log_loss}, probabilities clipped to {@code [eps, 1 - eps]} with
 *       {@code eps} the double machine epsilon (sklearn's {@code eps="auto"}).
 *   <li>{@link #brierScore}: {@code brier_score_loss}, the mean squared error of the probability.
 *   <li>{@link #atThreshold}: the confusion matrix of "positive when score &gt;= threshold" (the
 *       registry's threshold rule) with precision, recall and F1.
 * </ul>
 *
 * <p><b>Undefined cases return NaN</b> (and never throw), so that an online evaluation window with
 * one class only reports "not measurable" instead of failing the job:
 *
 * <ul>
 *   <li>empty input: every metric is NaN;
 *   <li>one class only: ROC AUC is NaN (there is no positive-negative pair to rank; sklearn raises
 *       an error); average precision is NaN without positives (recall has no denominator; sklearn
 *       warns and returns 0, which would read as "a useless model" when there was nothing to find)
 *       and 1 with positives only; log loss and Brier score are defined.
 * </ul>
 *
 * <p>Precision, recall and F1 with a zero denominator are 0, as sklearn's default ({@code
 * zero_division="warn"}) returns.
 *
 * <p>Inputs are checked: equal lengths, no NaN score, probabilities in {@code [0, 1]} for the
 * probability metrics. Arrays are not modified.
 */
public final class BinaryMetrics {
  /** sklearn's {@code np.finfo(np.float64).eps}, the clipping bound of {@code log_loss}. */
  public static final double LOG_LOSS_EPS = Math.ulp(1.0);

  private BinaryMetrics() {}

  /** Area under the ROC curve; NaN when empty or one class only. */
  public static double rocAuc(double[] scores, boolean[] labels) {
    Curve curve = Curve.of(scores, labels);
    if (curve.positives == 0 || curve.negatives == 0) {
      return Double.NaN;
    }
    // Twice the trapezoid area in integer counts, exact below 2^63; one rounding at the end.
    long twiceArea = 0;
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < curve.steps; i++) {
      long nextTp = curve.truePositives[i];
      long nextFp = curve.falsePositives[i];
      twiceArea += (nextFp - fp) * (nextTp + tp);
      tp = nextTp;
      fp = nextFp;
    }
    return twiceArea / (2.0 * curve.positives * (double) curve.negatives);
  }

  /** Average precision; NaN when empty or without positives. */
  public static double averagePrecision(double[] scores, boolean[] labels) {
    Curve curve = Curve.of(scores, labels);
    if (curve.positives == 0) {
      return Double.NaN;
    }
    double sum = 0;
    long tp = 0;
    for (int i = 0; i < curve.steps; i++) {
      long nextTp = curve.truePositives[i];
      if (nextTp != tp) {
        double precision = nextTp / (double) (nextTp + curve.falsePositives[i]);
        sum += (nextTp / (double) curve.positives - tp / (double) curve.positives) * precision;
        tp = nextTp;
      }
    }
    return sum;
  }

  /**
   * Mean negative log-likelihood of the labels under the probabilities, each clipped to {@code
   * [eps, 1 - eps]} ({@link #LOG_LOSS_EPS}) and renormalised with its complement as sklearn does;
   * NaN when empty.
   */
  public static double logLoss(double[] probabilities, boolean[] labels) {
    checkProbabilities(probabilities, labels);
    if (probabilities.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double p = Math.min(Math.max(probabilities[i], LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
      double complement = 1 - p;
      double total = complement + p;
      sum -= Math.log((labels[i] ? p : complement) / total);
    }
    return sum / probabilities.length;
  }

  /** Mean of {@code (probability - label)^2}; NaN when empty. */
  public static double brierScore(double[] probabilities, boolean[] labels) {
    checkProbabilities(probabilities, labels);
    if (probabilities.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double error = probabilities[i] - (labels[i] ? 1 : 0);
      sum += error * error;
    }
    return sum / probabilities.length;
  }

  /** The confusion matrix of "positive when {@code score >= threshold}". */
  public static Confusion atThreshold(double[] scores, boolean[] labels, double threshold) {
    checkScores(scores, labels);
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold is NaN");
    }
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean predicted = scores[i] >= threshold;
      if (predicted && labels[i]) {
        tp++;
      } else if (predicted) {
        fp++;
      } else if (labels[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(threshold, tp, fp, tn, fn);
  }

  /**
   * Counts at one threshold.
   *
   * @param threshold rows with a score at or above it are predicted positive
   * @param truePositives predicted positive, labelled positive
   * @param falsePositives predicted positive, labelled negative
   * @param trueNegatives predicted negative, labelled negative
   * @param falseNegatives predicted negative, labelled positive
   */
  public record Confusion(
      double threshold,
      long truePositives,
      long falsePositives,
      long trueNegatives,
      long falseNegatives) {

    /** TP / (TP + FP); 0 when nothing is predicted positive (sklearn's default). */
    public double precision() {
      return ratio(truePositives, truePositives + falsePositives);
    }

    /** TP / (TP + FN); 0 when there is no positive (sklearn's default). */
    public double recall() {
      return ratio(truePositives, truePositives + falseNegatives);
    }

    /** 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall; 0 when undefined. */
    public double f1() {
      return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
    }

    private static double ratio(long numerator, long denominator) {
      return denominator == 0 ? 0.0 : numerator / (double) denominator;
    }
  }

  /**
   * Cumulative true and false positives at each distinct score, from the highest score down: the
   * thresholds of sklearn's {@code _binary_clf_curve}.
   */
  private static final class Curve {
    final long positives;
    final long negatives;
    final int steps;
    final long[] truePositives;
    final long[] falsePositives;

    private Curve(long positives, long negatives, int steps, long[] tps, long[] fps) {
      this.positives = positives;
      this.negatives = negatives;
      this.steps = steps;
      this.truePositives = tps;
      this.falsePositives = fps;
    }

    static Curve of(double[] scores, boolean[] labels) {
      checkScores(scores, labels);
      int n = scores.length;
      long positives = 0;
      for (boolean label : labels) {
        if (label) {
          positives++;
        }
      }
      // The distinct scores, ascending; each row is then counted in its score's bucket.
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = canonical(scores[i]);
      }
      Arrays.sort(values);
      int distinct = 0;
      for (int i = 0; i < n; i++) {
        if (i == 0 || values[i] != values[distinct - 1]) {
          values[distinct++] = values[i];
        }
      }
      long[] tpAt = new long[distinct];
      long[] fpAt = new long[distinct];
      for (int i = 0; i < n; i++) {
        int bucket = Arrays.binarySearch(values, 0, distinct, canonical(scores[i]));
        if (labels[i]) {
          tpAt[bucket]++;
        } else {
          fpAt[bucket]++;
        }
      }
      // Accumulate from the highest score down.
      long[] tps = new long[distinct];
      long[] fps = new long[distinct];
      long tp = 0;
      long fp = 0;
      for (int s = 0; s < distinct; s++) {
        int bucket = distinct - 1 - s;
        tp += tpAt[bucket];
        fp += fpAt[bucket];
        tps[s] = tp;
        fps[s] = fp;
      }
      return new Curve(positives, n - positives, distinct, tps, fps);
    }

    /** -0.0 and 0.0 are the same score (sklearn compares with ==). */
    private static double canonical(double score) {
      return score == 0.0 ? 0.0 : score;
    }
  }

  private static void checkScores(double[] scores, boolean[] labels) {
    if (scores == null || labels == null) {
      throw new IllegalArgumentException("scores and labels are required");
    }
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + labels.length + " labels: give one score per label");
    }
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
    }
  }

  private static void checkProbabilities(double[] probabilities, boolean[] labels) {
    checkScores(probabilities, labels);
    for (int i = 0; i < probabilities.length; i++) {
      if (probabilities[i] < 0 || probabilities[i] > 1) {
        throw new IllegalArgumentException(
            "probability " + i + " is " + probabilities[i] + ", outside [0, 1]");
      }
    }
  }
}

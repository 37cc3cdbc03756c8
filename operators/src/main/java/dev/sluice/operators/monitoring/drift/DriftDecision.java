package dev.sluice.operators.monitoring.drift;

/**
 * Whether a window drifted, and why.
 *
 * <p>Rules (Evidently's defaults, the documented starting point; {@link DriftPolicy} overrides):
 *
 * <ul>
 *   <li>{@link DriftMethod#AUTO}: numeric, reference of at most {@value #SMALL_REFERENCE} values:
 *       drift when {@code ks_p_value < 0.05}; larger: when {@code wasserstein_norm >= 0.1}.
 *       Categorical, at most {@value #SMALL_REFERENCE}: {@code chi2_p_value < 0.05}; larger: {@code
 *       js_distance >= 0.1}. (Evidently uses a two-sample proportion z-test for small binary
 *       references; the one-sample chi-square here is the same test against the reference's
 *       proportion treated as known.)
 *   <li>A named method: its statistic ({@link DriftMethod#statistic()}) against the policy's
 *       threshold; a p-value drifts below it, a distance at or above it.
 *   <li>PSI is always graded as well: {@link PsiLevel#MODERATE} from {@value #PSI_MODERATE}, {@link
 *       PsiLevel#SIGNIFICANT} from {@value #PSI_SIGNIFICANT}.
 *   <li>A NaN statistic (empty window) never drifts.
 * </ul>
 *
 * <p>Caveats measured by {@code DriftStatisticsTest}: for small windows (tens of values) the
 * normalised Wasserstein distance of a window from the reference distribution itself is often above
 * 0.1, so AUTO on a large reference flags sampling noise; give the monitoring job a minimum window
 * count.
 *
 * @param drifted whether the deciding statistic crossed its threshold
 * @param method the method that decided (never AUTO)
 * @param decidedBy the key of the deciding statistic, e.g. {@code wasserstein_norm}
 * @param statistic its value
 * @param threshold its threshold
 * @param psi the PSI grade
 */
public record DriftDecision(
    boolean drifted,
    DriftMethod method,
    String decidedBy,
    double statistic,
    double threshold,
    PsiLevel psi) {
  /** Reference size up to which AUTO uses a test's p-value rather than a distance. */
  public static final long SMALL_REFERENCE = 1000;

  /** PSI from which a shift is moderate. */
  public static final double PSI_MODERATE = 0.1;

  /** PSI from which a shift is significant. */
  public static final double PSI_SIGNIFICANT = 0.2;

  /** The conventional PSI grades. */
  public enum PsiLevel {
    /** Below {@value DriftDecision#PSI_MODERATE} (or NaN). */
    NONE,
    /** From {@value DriftDecision#PSI_MODERATE} to below {@value DriftDecision#PSI_SIGNIFICANT}. */
    MODERATE,
    /** {@value DriftDecision#PSI_SIGNIFICANT} or more. */
    SIGNIFICANT
  }

  /**
   * Decides.
   *
   * @throws IllegalArgumentException if the policy's method does not apply to the variable's kind
   */
  public static DriftDecision decide(DriftStatistics statistics, DriftPolicy policy) {
    DriftMethod method = policy.method();
    double threshold = policy.threshold();
    if (method == DriftMethod.AUTO) {
      boolean small = statistics.referenceCount() <= SMALL_REFERENCE;
      if (statistics.isCategorical()) {
        method = small ? DriftMethod.CHI2 : DriftMethod.JS;
      } else {
        method = small ? DriftMethod.KS : DriftMethod.WASSERSTEIN;
      }
      threshold = method.defaultThreshold();
    } else if (!method.appliesTo(statistics.isCategorical())) {
      throw new IllegalArgumentException(
          method.id()
              + " does not apply to the "
              + (statistics.isCategorical() ? "categorical" : "numeric")
              + " variable "
              + statistics.subject());
    }
    double value = statistics.get(method.statistic());
    boolean drifted = method.isPValue() ? value < threshold : value >= threshold;
    return new DriftDecision(
        drifted,
        method,
        method.statistic(),
        value,
        threshold,
        grade(statistics.get(DriftStatistics.PSI)));
  }

  private static PsiLevel grade(double psi) {
    if (psi >= PSI_SIGNIFICANT) {
      return PsiLevel.SIGNIFICANT;
    }
    return psi >= PSI_MODERATE ? PsiLevel.MODERATE : PsiLevel.NONE;
  }
}

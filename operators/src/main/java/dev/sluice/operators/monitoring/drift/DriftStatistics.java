package dev.sluice.operators.monitoring.drift;

import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.operators.evaluation.ProfileBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The drift statistics of one variable: a window's {@link WindowSketch} against the reference
 * {@link DistributionProfile} it was built for. Values are keyed as in {@code
 * DriftResult.statistics}.
 *
 * <p>Notation: {@code n} reference values, {@code m} window values; reference CDF {@code F} is the
 * piecewise linear function through its 101 quantiles (an atom where quantiles repeat, see {@code
 * QuantileGrid}); the window's CDF {@code G} is known at the grid edges from the bin counts. Within
 * a grid interval {@code [e_i, e_i+1)} the window is assumed to have the reference's shape (its
 * atom at {@code e_i} in the reference's proportion, the rest spread linearly); below {@code e_0}
 * and above {@code e_k} only the bins' sums are used. So the statistics below are exact on the grid
 * and approximate between its points.
 *
 * <h2>Numeric</h2>
 *
 * <ul>
 *   <li>{@value #PSI}: {@code sum_b (c_b - r_b) ln(c_b / r_b)} over the reference's decile bins
 *       ({@code binEdges}, values outside in the first or last bin), {@code r_b} from {@code
 *       binCounts}, {@code c_b} the window's grid counts re-binned (exact: the deciles are grid
 *       edges); a proportion of 0 on either side is replaced by {@value #PSI_EPSILON} (Evidently).
 *   <li>{@value #KS}: {@code max |F - G|} at every edge, just left of it and at it (the extremes
 *       under the within-bin assumption). Compared with {@code scipy.stats.ks_2samp} on the raw
 *       values it can miss an extremum inside a bin: the error is bounded by about one reference
 *       percentile (0.01) plus one window value ({@code 1 / m}); measured at most 0.009 on the
 *       fixtures of {@code DriftStatisticsTest}.
 *   <li>{@value #KS_P_VALUE}: {@code Q_KS((sqrt(e) + 0.12 + 0.11 / sqrt(e)) D)}, {@code Q_KS} the
 *       asymptotic Kolmogorov survival function ({@code scipy.stats.kstwobign.sf}), {@code e = n m
 *       / (n + m)}, with Stephens' small-sample correction (Numerical Recipes' {@code probks}),
 *       which brings it closer to scipy's exact two-sample p-value for small windows. Ties in the
 *       data are not corrected for.
 *   <li>{@value #JS_DISTANCE}: {@code sqrt((KL(P||M) + KL(Q||M)) / 2)} with {@code M = (P + Q) /
 *       2}, log base 2 ({@code scipy.spatial.distance.jensenshannon(p, q, base=2)}), on the fine
 *       grid's {@code k + 3} bins; the reference's mass per bin comes from its quantiles (0.01 per
 *       interval, 0 outside {@code [e_0, e_k]}); empty bins need no epsilon. On 100 bins its noise
 *       floor is high (about 0.15 for 1000 values from the reference distribution itself), so its
 *       0.1 default is for categorical variables; AUTO never uses it for numeric ones.
 *   <li>{@value #WASSERSTEIN_NORM}: {@code integral |F - G| dx} (the Wasserstein-1 distance, equal
 *       to the integral of the quantile functions' difference) divided by {@code max(std, 0.001)}
 *       of the reference (Evidently's {@code wasserstein_distance_norm}); exact on the tails (from
 *       the underflow and overflow sums) and integrated piecewise linearly inside. The error is
 *       mostly on the reference side: interpolation spreads each percentile's mass evenly, which
 *       misplaces the widest (tail) percentiles of a skewed or discrete variable; measured at most
 *       0.023 (about 6 % relative) against {@code scipy.stats.wasserstein_distance / std}.
 * </ul>
 *
 * <h2>Categorical</h2>
 *
 * Over the union of the reference's and the window's categories, {@code p_j} the reference
 * proportions and {@code o_j} the window counts:
 *
 * <ul>
 *   <li>{@value #CHI2}: {@code sum (o_j - p_j m)^2 / (p_j m)} over the categories the reference has
 *       ({@code scipy.stats.chisquare(o, p m)}); a window category the reference never saw makes it
 *       {@code +Infinity} (p-value 0: a new category is drift), a category neither has is skipped.
 *   <li>{@value #CHI2_P_VALUE}: chi-square survival with (reference categories with {@code p_j >
 *       0}) {@code - 1} degrees of freedom; with one such category, 1 when the statistic is 0, else
 *       0.
 *   <li>{@value #PSI} and {@value #JS_DISTANCE}: as above, over the categories.
 * </ul>
 *
 * <p>An empty window ({@code m = 0}) has NaN statistics, and no decision flags it.
 */
public final class DriftStatistics {
  /** Population stability index. */
  public static final String PSI = "psi";

  /** Kolmogorov–Smirnov statistic. */
  public static final String KS = "ks";

  /** Kolmogorov–Smirnov p-value. */
  public static final String KS_P_VALUE = "ks_p_value";

  /** Jensen–Shannon distance, base 2. */
  public static final String JS_DISTANCE = "js_distance";

  /** Wasserstein-1 distance over the reference standard deviation. */
  public static final String WASSERSTEIN_NORM = "wasserstein_norm";

  /** Chi-square statistic. */
  public static final String CHI2 = "chi2";

  /** Chi-square p-value. */
  public static final String CHI2_P_VALUE = "chi2_p_value";

  /** Replaces a zero proportion in PSI (Evidently's value). */
  public static final double PSI_EPSILON = 0.0001;

  /** Lower bound of the standard deviation that normalises the Wasserstein distance (Evidently). */
  public static final double STD_FLOOR = 0.001;

  private final String subject;
  private final boolean categorical;
  private final long count;
  private final long referenceCount;
  private final Map<String, Double> values;

  private DriftStatistics(
      String subject,
      boolean categorical,
      long count,
      long referenceCount,
      Map<String, Double> values) {
    this.subject = subject;
    this.categorical = categorical;
    this.count = count;
    this.referenceCount = referenceCount;
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Compares a window with the reference.
   *
   * @throws IllegalArgumentException if the sketch was not built for this reference (other kind or
   *     grid)
   */
  public static DriftStatistics compare(DistributionProfile reference, WindowSketch window) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(window, "window");
    boolean categorical = reference.getKind() == DistributionKind.CATEGORICAL;
    if (categorical != window.categorical) {
      throw new IllegalArgumentException(
          reference.getName()
              + ": a "
              + (window.categorical ? "categorical" : "numeric")
              + " sketch"
              + " for a "
              + reference.getKind()
              + " reference");
    }
    Map<String, Double> values =
        categorical ? categorical(reference, window) : numeric(reference, window);
    return new DriftStatistics(
        reference.getName(), categorical, window.count, reference.getCount(), values);
  }

  /** The variable's name (the profile's). */
  public String subject() {
    return subject;
  }

  /** Whether the variable is categorical. */
  public boolean isCategorical() {
    return categorical;
  }

  /** Values in the window. */
  public long count() {
    return count;
  }

  /** Values in the reference. */
  public long referenceCount() {
    return referenceCount;
  }

  /** The statistics by key, in the order of {@code DriftResult.statistics}'s doc. */
  public Map<String, Double> values() {
    return values;
  }

  /**
   * One statistic.
   *
   * @throws IllegalArgumentException if it does not apply to this kind of variable
   */
  public double get(String key) {
    Double v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(subject + " has no statistic " + key);
    }
    return v;
  }

  @Override
  public String toString() {
    return "DriftStatistics{" + subject + ", count=" + count + ", " + values + "}";
  }

  private static Map<String, Double> numeric(DistributionProfile reference, WindowSketch window) {
    QuantileGrid grid = QuantileGrid.of(reference.getQuantiles());
    if (!Arrays.equals(grid.edges, window.edges)) {
      throw new IllegalArgumentException(
          reference.getName() + ": the sketch's grid is not this reference's quantiles");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    long m = window.count;
    if (m == 0) {
      for (String key : List.of(PSI, KS, KS_P_VALUE, JS_DISTANCE, WASSERSTEIN_NORM)) {
        values.put(key, Double.NaN);
      }
      return values;
    }
    int k = grid.last();
    double[] w = new double[window.counts.length];
    for (int b = 0; b < w.length; b++) {
      w[b] = window.counts[b] / (double) m;
    }
    // G just left of each edge and at it.
    double[] gBelow = new double[k + 1];
    double[] gAt = new double[k + 1];
    double cumulative = w[0];
    for (int i = 0; i <= k; i++) {
      gBelow[i] = cumulative;
      if (i < k) {
        double share = (grid.at[i] - grid.below[i]) / (grid.below[i + 1] - grid.below[i]);
        gAt[i] = cumulative + w[1 + i] * share;
        cumulative += w[1 + i];
      } else {
        gAt[i] = cumulative + w[k + 1];
      }
    }
    double ks = 0;
    for (int i = 0; i <= k; i++) {
      ks = Math.max(ks, Math.abs(grid.below[i] - gBelow[i]));
      ks = Math.max(ks, Math.abs(grid.at[i] - gAt[i]));
    }
    double wasserstein =
        (window.counts[0] * grid.edges[0] - window.underflowSum) / m
            + (window.overflowSum - window.counts[k + 2] * grid.edges[k]) / m;
    for (int i = 0; i < k; i++) {
      double d0 = grid.at[i] - gAt[i];
      double d1 = grid.below[i + 1] - gBelow[i + 1];
      wasserstein += (grid.edges[i + 1] - grid.edges[i]) * meanAbsoluteOfLinear(d0, d1);
    }
    values.put(PSI, psi(referenceDeciles(reference), windowDeciles(reference, grid, window)));
    values.put(KS, ks);
    values.put(KS_P_VALUE, ksPValue(ks, reference.getCount(), m));
    values.put(JS_DISTANCE, jensenShannon(grid.referenceMass(), w));
    values.put(WASSERSTEIN_NORM, wasserstein / Math.max(reference.getStd(), STD_FLOOR));
    return values;
  }

  private static Map<String, Double> categorical(
      DistributionProfile reference, WindowSketch window) {
    List<String> keys = new ArrayList<>(reference.getCategories().keySet());
    for (String c : window.categories) {
      if (!keys.contains(c)) {
        keys.add(c);
      }
    }
    double n = 0;
    for (long c : reference.getCategories().values()) {
      n += c;
    }
    double[] p = new double[keys.size()];
    double[] o = new double[keys.size()];
    for (int j = 0; j < keys.size(); j++) {
      p[j] = reference.getCategories().getOrDefault(keys.get(j), 0L) / n;
    }
    for (int i = 0; i < window.categories.length; i++) {
      o[keys.indexOf(window.categories[i])] += window.categoryCounts[i];
    }
    Map<String, Double> values = new LinkedHashMap<>();
    long m = window.count;
    if (m == 0) {
      for (String key : List.of(PSI, CHI2, CHI2_P_VALUE, JS_DISTANCE)) {
        values.put(key, Double.NaN);
      }
      return values;
    }
    double chi2 = 0;
    int referenced = 0;
    for (int j = 0; j < p.length; j++) {
      if (p[j] > 0) {
        double expected = p[j] * m;
        chi2 += (o[j] - expected) * (o[j] - expected) / expected;
        referenced++;
      } else if (o[j] > 0) {
        chi2 = Double.POSITIVE_INFINITY;
      }
    }
    double pValue;
    if (referenced >= 2) {
      pValue = Distributions.chiSquareSurvival(chi2, referenced - 1);
    } else {
      pValue = chi2 > 0 ? 0 : 1;
    }
    double[] q = new double[o.length];
    for (int j = 0; j < o.length; j++) {
      q[j] = o[j] / m;
    }
    values.put(PSI, psi(p, q));
    values.put(CHI2, chi2);
    values.put(CHI2_P_VALUE, pValue);
    values.put(JS_DISTANCE, jensenShannon(p, q));
    return values;
  }

  /**
   * The asymptotic two-sample Kolmogorov–Smirnov p-value of statistic {@code d} for samples of
   * {@code n} and {@code m} values, with Stephens' correction (see the class doc).
   */
  public static double ksPValue(double d, long n, long m) {
    if (n <= 0 || m <= 0) {
      return Double.NaN;
    }
    double e = Math.sqrt(n * (double) m / (n + (double) m));
    return Distributions.kolmogorovSurvival((e + 0.12 + 0.11 / e) * d);
  }

  /** Evidently's PSI of two proportion vectors, zeros replaced by {@value #PSI_EPSILON}. */
  static double psi(double[] reference, double[] current) {
    double psi = 0;
    for (int j = 0; j < reference.length; j++) {
      double r = reference[j] == 0 ? PSI_EPSILON : reference[j];
      double c = current[j] == 0 ? PSI_EPSILON : current[j];
      psi += (c - r) * Math.log(c / r);
    }
    return psi;
  }

  /** scipy's {@code jensenshannon(p, q, base=2)} of two proportion vectors. */
  static double jensenShannon(double[] p, double[] q) {
    double divergence = 0;
    for (int j = 0; j < p.length; j++) {
      double mid = (p[j] + q[j]) / 2;
      if (p[j] > 0) {
        divergence += p[j] * Math.log(p[j] / mid);
      }
      if (q[j] > 0) {
        divergence += q[j] * Math.log(q[j] / mid);
      }
    }
    return Math.sqrt(Math.max(0, divergence / 2 / Math.log(2)));
  }

  /** The mean of {@code |d|} for {@code d} linear from {@code d0} to {@code d1}. */
  private static double meanAbsoluteOfLinear(double d0, double d1) {
    if ((d0 >= 0) == (d1 >= 0)) {
      return Math.abs(d0 + d1) / 2;
    }
    return (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
  }

  private static double[] referenceDeciles(DistributionProfile reference) {
    List<Long> counts = reference.getBinCounts();
    if (counts.isEmpty() || reference.getBinEdges().size() != counts.size() + 1) {
      throw new IllegalArgumentException(reference.getName() + ": the profile has no histogram");
    }
    double total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] r = new double[counts.size()];
    for (int b = 0; b < r.length; b++) {
      r[b] = counts.get(b) / total;
    }
    return r;
  }

  /** The window's proportions in the reference's decile bins, re-binned from the fine grid. */
  private static double[] windowDeciles(
      DistributionProfile reference, QuantileGrid grid, WindowSketch window) {
    double[] binEdges = reference.getBinEdges().stream().mapToDouble(Double::doubleValue).toArray();
    int bins = binEdges.length - 1;
    int k = grid.last();
    double[] c = new double[bins];
    c[0] += window.counts[0];
    for (int i = 0; i < k; i++) {
      c[ProfileBuilder.bin(binEdges, grid.edges[i])] += window.counts[1 + i];
    }
    c[bins - 1] += window.counts[k + 1] + window.counts[k + 2];
    for (int b = 0; b < bins; b++) {
      c[b] /= window.count;
    }
    return c;
  }
}

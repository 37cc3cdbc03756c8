package dev.sluice.operators.monitoring.drift;

/**
 * The two survival functions the drift tests need, without a numerics dependency; both are checked
 * against scipy in {@code DriftStatisticsTest}.
 */
final class Distributions {
  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  private Distributions() {}

  /**
   * {@code P(K > lambda)} of the Kolmogorov distribution ({@code scipy.stats.kstwobign.sf}): {@code
   * 2 sum_k>=1 (-1)^(k-1) exp(-2 k^2 lambda^2)} for {@code lambda >= 1}, and one minus the Jacobi
   * form of the CDF {@code sqrt(2 pi) / lambda sum_k>=1 exp(-(2k-1)^2 pi^2 / (8 lambda^2))} below,
   * where that series converges fast. Both are summed until terms stop mattering (at most 100).
   */
  static double kolmogorovSurvival(double lambda) {
    if (Double.isNaN(lambda)) {
      return Double.NaN;
    }
    if (lambda <= 0) {
      return 1;
    }
    if (lambda < 1) {
      double cdf = 0;
      double c = -Math.PI * Math.PI / (8 * lambda * lambda);
      for (int k = 1; k <= 100; k++) {
        double term = Math.exp(c * (2 * k - 1) * (2 * k - 1));
        cdf += term;
        if (term < 1e-17 * cdf) {
          break;
        }
      }
      return 1 - Math.sqrt(2 * Math.PI) / lambda * cdf;
    }
    double sf = 0;
    for (int k = 1; k <= 100; k++) {
      double term = Math.exp(-2.0 * k * k * lambda * lambda);
      sf += (k % 2 == 1 ? 2 : -2) * term;
      if (term < 1e-17 * Math.abs(sf) || term == 0) {
        break;
      }
    }
    return Math.min(1, Math.max(0, sf));
  }

  /**
   * {@code P(X > x)} of the chi-square distribution with {@code dof} degrees of freedom ({@code
   * scipy.stats.chi2.sf}), the regularized upper incomplete gamma {@code Q(dof / 2, x / 2)}: by its
   * series below {@code a + 1}, by its continued fraction (modified Lentz) above (Numerical
   * Recipes, 6.2).
   */
  static double chiSquareSurvival(double x, int dof) {
    if (Double.isNaN(x) || dof < 1) {
      throw new IllegalArgumentException("chi-square of " + x + " with " + dof + " dof");
    }
    if (x <= 0) {
      return 1;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return 0;
    }
    double a = dof / 2.0;
    double z = x / 2;
    double logPrefactor = a * Math.log(z) - z - logGamma(a);
    if (z < a + 1) {
      double term = 1 / a;
      double series = term;
      for (int n = 1; n < 10_000; n++) {
        term *= z / (a + n);
        series += term;
        if (Math.abs(term) < Math.abs(series) * 1e-16) {
          break;
        }
      }
      return Math.max(0, 1 - series * Math.exp(logPrefactor));
    }
    double tiny = 1e-300;
    double b = z + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10_000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      d = Math.abs(d) < tiny ? tiny : d;
      c = b + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return Math.exp(logPrefactor) * h;
  }

  /** {@code ln Gamma(x)} for {@code x > 0} (Lanczos, g = 7, relative error about 1e-15). */
  static double logGamma(double x) {
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    x -= 1;
    double sum = LANCZOS[0];
    double t = x + 7.5;
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
  }
}

package dev.sluice.operators.monitoring.drift;

import dev.sluice.operators.evaluation.ProfileBuilder;
import java.util.Arrays;
import java.util.List;

/**
 * The fine grid of a numeric reference and its cumulative distribution on it, derived from the
 * reference's {@value ProfileBuilder#QUANTILES} quantiles {@code q_j} at {@code p_j = j / 100}.
 *
 * <p>Edges are the distinct quantiles {@code e_0 < ... < e_k} ({@code k <= 100}). The reference CDF
 * {@code F} is the piecewise linear function through the points {@code (q_j, p_j)}: at an edge
 * repeated for {@code j = a..b} (an atom, e.g. a discrete variable), {@code F} jumps from {@link
 * #below}{@code [i] = p_a} just left of it to {@link #at}{@code [i] = p_b} at it, and is linear
 * between consecutive edges. So {@code F(e_0^-) = 0} and {@code F(e_k) = 1}.
 */
final class QuantileGrid {
  /** Distinct quantiles, ascending. */
  final double[] edges;

  /** {@code F(e_i^-)}: the reference mass strictly below edge i. */
  final double[] below;

  /** {@code F(e_i)}: the reference mass at or below edge i. */
  final double[] at;

  private QuantileGrid(double[] edges, double[] below, double[] at) {
    this.edges = edges;
    this.below = below;
    this.at = at;
  }

  /**
   * The grid of a profile's quantiles.
   *
   * @throws IllegalArgumentException unless there are {@value ProfileBuilder#QUANTILES} finite,
   *     ascending quantiles
   */
  static QuantileGrid of(List<Double> quantiles) {
    if (quantiles == null || quantiles.size() != ProfileBuilder.QUANTILES) {
      throw new IllegalArgumentException(
          "a numeric reference needs "
              + ProfileBuilder.QUANTILES
              + " quantiles, got "
              + (quantiles == null ? "none" : quantiles.size()));
    }
    int n = quantiles.size();
    double[] edges = new double[n];
    double[] below = new double[n];
    double[] at = new double[n];
    int k = -1;
    for (int j = 0; j < n; j++) {
      double q = quantiles.get(j);
      double p = j / (double) (n - 1);
      if (!Double.isFinite(q) || (k >= 0 && q < edges[k])) {
        throw new IllegalArgumentException("quantile " + j + " is " + q + ": not finite ascending");
      }
      if (k < 0 || q != edges[k]) {
        k++;
        edges[k] = q;
        below[k] = p;
      }
      at[k] = p;
    }
    int distinct = k + 1;
    return new QuantileGrid(
        Arrays.copyOf(edges, distinct),
        Arrays.copyOf(below, distinct),
        Arrays.copyOf(at, distinct));
  }

  /** Index of the last edge, {@code k}. */
  int last() {
    return edges.length - 1;
  }

  /** Bins of the grid: underflow, {@code k} intervals, the atom at {@code e_k}, overflow. */
  int bins() {
    return edges.length + 2;
  }

  /**
   * The reference's mass in each bin of the grid ({@link WindowSketch#counts}'s layout): 0 outside
   * {@code [e_0, e_k]}, {@code F(e_i+1^-) - F(e_i^-)} in {@code [e_i, e_i+1)}, {@code 1 - F(e_k^-)}
   * at {@code e_k}.
   */
  double[] referenceMass() {
    int k = last();
    double[] mass = new double[bins()];
    for (int i = 0; i < k; i++) {
      mass[1 + i] = below[i + 1] - below[i];
    }
    mass[k + 1] = 1 - below[k];
    return mass;
  }
}

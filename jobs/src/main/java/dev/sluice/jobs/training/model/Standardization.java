package dev.sluice.jobs.training.model;

import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Per-column standardisation {@code x' = (x - mean) / std}, fitted on the training rows only (the
 * handbook fits its {@code StandardScaler} on the training period): means and population standard
 * deviations, a zero deviation (a constant column) replaced by 1 so that the column becomes 0
 * instead of NaN, as scikit-learn's scaler does.
 *
 * @param features column names, in the order of {@code means} and {@code scales}
 * @param means per column, the training mean
 * @param scales per column, the training population standard deviation, or 1 where it is 0
 */
public record Standardization(List<String> features, double[] means, double[] scales) {

  public Standardization {
    features = List.copyOf(features);
    means = means.clone();
    scales = scales.clone();
    if (means.length != features.size() || scales.length != features.size()) {
      throw new IllegalArgumentException(
          features.size()
              + " features but "
              + means.length
              + " means and "
              + scales.length
              + " scales");
    }
    for (int i = 0; i < scales.length; i++) {
      if (!(scales[i] > 0) || !Double.isFinite(scales[i]) || !Double.isFinite(means[i])) {
        throw new IllegalArgumentException(
            "feature " + features.get(i) + ": mean " + means[i] + ", scale " + scales[i]);
      }
    }
  }

  /**
   * Fits on rows of raw values.
   *
   * @param features column names
   * @param rows at least one row, each with one value per column
   */
  public static Standardization fit(List<String> features, List<double[]> rows) {
    Objects.requireNonNull(rows, "rows");
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("cannot fit a standardisation on no rows");
    }
    int width = features.size();
    double[] means = new double[width];
    for (double[] row : rows) {
      if (row.length != width) {
        throw new IllegalArgumentException(row.length + " values for " + width + " features");
      }
      for (int c = 0; c < width; c++) {
        means[c] += row[c];
      }
    }
    for (int c = 0; c < width; c++) {
      means[c] /= rows.size();
    }
    double[] scales = new double[width];
    for (double[] row : rows) {
      for (int c = 0; c < width; c++) {
        double d = row[c] - means[c];
        scales[c] += d * d;
      }
    }
    for (int c = 0; c < width; c++) {
      double std = Math.sqrt(scales[c] / rows.size());
      scales[c] = std == 0 ? 1 : std;
    }
    return new Standardization(features, means, scales);
  }

  /** Standardised copy of a row in this object's column order. */
  public double[] apply(double[] raw) {
    if (raw.length != means.length) {
      throw new IllegalArgumentException(raw.length + " values for " + means.length + " features");
    }
    double[] out = new double[raw.length];
    for (int c = 0; c < raw.length; c++) {
      out[c] = (raw[c] - means[c]) / scales[c];
    }
    return out;
  }

  /**
   * The same statistics with the columns in {@code order} (e.g. the ONNX model's input order).
   *
   * @throws IllegalArgumentException if {@code order} is not a permutation of {@link #features}
   */
  public Standardization reorder(List<String> order) {
    if (order.size() != features.size() || !order.containsAll(features)) {
      throw new IllegalArgumentException(
          "column order " + order + " is not a permutation of " + features);
    }
    double[] m = new double[order.size()];
    double[] s = new double[order.size()];
    for (int i = 0; i < order.size(); i++) {
      int from = features.indexOf(order.get(i));
      m[i] = means[from];
      s[i] = scales[from];
    }
    return new Standardization(order, m, s);
  }

  /** The registry's form: STANDARDIZE with shift = means, scale = scales, in this order. */
  public Preprocessing toPreprocessing() {
    List<Double> shift = new ArrayList<>(means.length);
    List<Double> scale = new ArrayList<>(scales.length);
    for (int i = 0; i < means.length; i++) {
      shift.add(means[i]);
      scale.add(scales[i]);
    }
    return Preprocessing.newBuilder()
        .setKind(PreprocessingKind.STANDARDIZE)
        .setShift(shift)
        .setScale(scale)
        .build();
  }

  @Override
  public double[] means() {
    return means.clone();
  }

  @Override
  public double[] scales() {
    return scales.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardization other
        && features.equals(other.features)
        && Arrays.equals(means, other.means)
        && Arrays.equals(scales, other.scales);
  }

  @Override
  public int hashCode() {
    return features.hashCode() * 31 + Arrays.hashCode(means) * 17 + Arrays.hashCode(scales);
  }

  @Override
  public String toString() {
    return "Standardization[features="
        + features
        + ", means="
        + Arrays.toString(means)
        + ", scales="
        + Arrays.toString(scales)
        + "]";
  }
}

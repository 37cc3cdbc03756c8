package dev.sluice.operators.evaluation;

import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ReferenceProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the reference profile that drift monitoring compares live data with ({@link
 * ReferenceProfile}, see the field docs in {@code model_registry.avsc}), from columns of values.
 *
 * <p>Per variable ({@link DistributionProfile}):
 *
 * <ul>
 *   <li>count of non-missing (non-NaN) values, mean, population standard deviation ({@code ddof =
 *       0}), min, max;
 *   <li>NUMERIC: {@value #QUANTILES} quantiles at probabilities {@code 0, 0.01, ..., 1} by linear
 *       interpolation between order statistics (numpy's default {@code method="linear"}), and a
 *       histogram of {@value #BINS} quantile bins: edges are the deciles, duplicates removed (a
 *       discrete variable has fewer bins); bin {@code i} is {@code [edge i, edge i+1)}, the last
 *       bin includes its upper edge ({@code np.histogram}'s rule). A constant variable has the one
 *       bin {@code [v, v]};
 *   <li>CATEGORICAL, for a feature whose values are all 0 or 1 (flags such as {@code
 *       TX_DURING_WEEKEND}) and for the label: counts of {@code "0"} and {@code "1"} (both keys
 *       present, also when a count is 0); no quantiles, no histogram.
 * </ul>
 *
 * <p>Without any non-missing value, count is 0, the moments are NaN and the lists are empty.
 */
public final class ProfileBuilder {
  /** Quantiles per numeric profile: probabilities 0, 0.01, ..., 1. */
  public static final int QUANTILES = 101;

  /** Histogram bins before duplicate edges are removed. */
  public static final int BINS = 10;

  /** The profile name of the model's score. */
  public static final String SCORE = "score";

  /** The profile name of the label. */
  public static final String LABEL = "label";

  private ProfileBuilder() {}

  /**
   * A reference profile.
   *
   * @param source which rows were profiled, e.g. {@code train split 2018-07-25..2018-07-31}
   * @param names feature names, in signature order
   * @param columns one array of values per feature, in the order of {@code names}, each with one
   *     value per row
   * @param scores the model's score per row, or null
   * @param labels the label per row, or null
   */
  public static ReferenceProfile reference(
      String source,
      List<String> names,
      List<double[]> columns,
      double[] scores,
      boolean[] labels) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(columns, "columns");
    if (names.size() != columns.size()) {
      throw new IllegalArgumentException(
          names.size() + " feature names for " + columns.size() + " columns");
    }
    long rows = -1;
    List<DistributionProfile> features = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      double[] column = Objects.requireNonNull(columns.get(i), "column " + names.get(i));
      rows = checkRows(rows, column.length, names.get(i));
      features.add(feature(names.get(i), column));
    }
    DistributionProfile prediction = null;
    if (scores != null) {
      rows = checkRows(rows, scores.length, SCORE);
      prediction = numeric(SCORE, scores);
    }
    DistributionProfile label = null;
    if (labels != null) {
      rows = checkRows(rows, labels.length, LABEL);
      double[] values = new double[labels.length];
      for (int i = 0; i < labels.length; i++) {
        values[i] = labels[i] ? 1 : 0;
      }
      label = categorical(LABEL, values);
    }
    return ReferenceProfile.newBuilder()
        .setSource(source)
        .setRows(Math.max(rows, 0))
        .setFeatures(features)
        .setPrediction(prediction)
        .setLabel(label)
        .build();
  }

  private static long checkRows(long rows, int length, String name) {
    if (rows >= 0 && rows != length) {
      throw new IllegalArgumentException(
          name + " has " + length + " values, the other columns " + rows);
    }
    return length;
  }

  /** CATEGORICAL when every non-missing value is 0 or 1 (and there is one), NUMERIC otherwise. */
  public static DistributionProfile feature(String name, double[] values) {
    boolean binary = false;
    for (double v : values) {
      if (Double.isNaN(v)) {
        continue;
      }
      if (v != 0 && v != 1) {
        return numeric(name, values);
      }
      binary = true;
    }
    return binary ? categorical(name, values) : numeric(name, values);
  }

  /** A NUMERIC profile: moments, quantiles and quantile-bin histogram. */
  public static DistributionProfile numeric(String name, double[] values) {
    double[] sorted = present(values);
    DistributionProfile.Builder profile = moments(name, DistributionKind.NUMERIC, sorted);
    if (sorted.length == 0) {
      return profile.build();
    }
    List<Double> quantiles = new ArrayList<>(QUANTILES);
    for (int i = 0; i < QUANTILES; i++) {
      quantiles.add(quantile(sorted, i / (double) (QUANTILES - 1)));
    }
    double[] edges = binEdges(sorted);
    long[] counts = histogram(sorted, edges);
    List<Double> edgeList = new ArrayList<>(edges.length);
    for (double e : edges) {
      edgeList.add(e);
    }
    List<Long> countList = new ArrayList<>(counts.length);
    for (long c : counts) {
      countList.add(c);
    }
    return profile.setQuantiles(quantiles).setBinEdges(edgeList).setBinCounts(countList).build();
  }

  /**
   * A CATEGORICAL profile of a 0/1 variable: moments and the counts of {@code "0"} and {@code "1"}.
   *
   * @throws IllegalArgumentException if a value is neither 0, 1 nor NaN
   */
  public static DistributionProfile categorical(String name, double[] values) {
    double[] present = present(values);
    long ones = 0;
    for (double v : present) {
      if (v != 0 && v != 1) {
        throw new IllegalArgumentException(name + " is not a 0/1 variable: it has the value " + v);
      }
      ones += v == 1 ? 1 : 0;
    }
    Map<String, Long> categories = new LinkedHashMap<>();
    categories.put("0", present.length - ones);
    categories.put("1", ones);
    return moments(name, DistributionKind.CATEGORICAL, present).setCategories(categories).build();
  }

  /**
   * The quantile at probability {@code p} of ascending {@code sorted} values, by numpy's linear
   * interpolation (including its choice of formula on either side of {@code t = 0.5}, so results
   * match it to the last bit in most cases).
   */
  public static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double position = p * (sorted.length - 1);
    int below = (int) Math.floor(position);
    if (below >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    double t = position - below;
    double a = sorted[below];
    double b = sorted[below + 1];
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  /** Deciles of ascending values, duplicates removed; {@code [v, v]} for a constant variable. */
  static double[] binEdges(double[] sorted) {
    double[] edges = new double[BINS + 1];
    int distinct = 0;
    for (int i = 0; i <= BINS; i++) {
      double edge = quantile(sorted, i / (double) BINS);
      if (distinct == 0 || edge != edges[distinct - 1]) {
        edges[distinct++] = edge;
      }
    }
    if (distinct == 1) {
      return new double[] {edges[0], edges[0]};
    }
    return Arrays.copyOf(edges, distinct);
  }

  /**
   * Counts per bin: {@code [edge i, edge i+1)}, the last bin closed; values outside fall into the
   * first or last bin (the rule drift monitoring applies to live values).
   */
  public static long[] histogram(double[] values, double[] edges) {
    int bins = edges.length - 1;
    if (bins < 1) {
      throw new IllegalArgumentException("a histogram needs at least 2 edges, got " + edges.length);
    }
    long[] counts = new long[bins];
    for (double v : values) {
      if (!Double.isNaN(v)) {
        counts[bin(edges, v)]++;
      }
    }
    return counts;
  }

  /** The bin of {@code value} under {@link #histogram}'s rule. */
  public static int bin(double[] edges, double value) {
    int bins = edges.length - 1;
    // Last i with edges[i] <= value, within [0, bins - 1].
    int lo = 0;
    int hi = bins - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (edges[mid] <= value) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private static DistributionProfile.Builder moments(
      String name, DistributionKind kind, double[] values) {
    int n = values.length;
    double mean = Double.NaN;
    double std = Double.NaN;
    double min = Double.NaN;
    double max = Double.NaN;
    if (n > 0) {
      double sum = 0;
      min = Double.POSITIVE_INFINITY;
      max = Double.NEGATIVE_INFINITY;
      for (double v : values) {
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      mean = sum / n;
      double squares = 0;
      for (double v : values) {
        squares += (v - mean) * (v - mean);
      }
      std = Math.sqrt(squares / n);
    }
    return DistributionProfile.newBuilder()
        .setName(name)
        .setKind(kind)
        .setCount(n)
        .setMean(mean)
        .setStd(std)
        .setMin(min)
        .setMax(max)
        .setQuantiles(List.of())
        .setBinEdges(List.of())
        .setBinCounts(List.of())
        .setCategories(Map.of());
  }

  /** The non-NaN values, sorted ascending (a copy). */
  private static double[] present(double[] values) {
    Objects.requireNonNull(values, "values");
    double[] copy = new double[values.length];
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        copy[n++] = v;
      }
    }
    double[] sorted = Arrays.copyOf(copy, n);
    Arrays.sort(sorted);
    return sorted;
  }
}

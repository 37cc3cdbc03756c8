package dev.sluice.operators.monitoring.drift;

import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.operators.evaluation.ProfileBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The bounded, mergeable summary of one variable over one window, kept in Flink keyed state instead
 * of the raw values; {@link DriftStatistics} compares it with the reference profile it was built
 * for.
 *
 * <p><b>Numeric</b> ({@link #numeric}, {@link #forReference} of a NUMERIC profile): the grid is the
 * reference's {@value ProfileBuilder#QUANTILES} quantiles with duplicates removed, {@code e_0 < ...
 * < e_k} ({@code k <= 100}, fewer for a discrete variable; {@link #edges}). {@link #counts} has
 * {@code k + 3} bins:
 *
 * <pre>
 *   0          x &lt; e_0                  (underflow)
 *   1 + i      e_i &lt;= x &lt; e_i+1, i &lt; k   (one percent of the reference each, more at an atom)
 *   k + 1      x == e_k                  (the reference maximum)
 *   k + 2      x &gt; e_k                  (overflow)
 * </pre>
 *
 * plus the sums of the values in the underflow and overflow bins ({@link #underflowSum}, {@link
 * #overflowSum}: they make the tails' contribution to the Wasserstein distance exact). The interval
 * bins are a refinement of the reference's decile bins (deciles are quantiles 0, 10, ..., 100), so
 * re-binning for PSI is exact.
 *
 * <p><b>Categorical</b> ({@link #categorical}, {@link #forReference} of a CATEGORICAL profile):
 * counts per category text ({@link #categories}, {@link #categoryCounts}), seeded with the
 * reference's categories (always tracked). At most {@code max(maxCategories, reference categories)}
 * categories are tracked; further new categories are counted under {@value #OTHER}. A double value
 * is a category by its text: integral values as integers ({@code 1.0 -> "1"}, the profile's
 * convention for 0/1 variables), others by {@link Double#toString}.
 *
 * <p><b>Both</b>: {@link #count} of non-missing values, {@link #missing} (NaN or null), and the
 * moments of the double values added ({@link #sum}, {@link #sumOfSquares}, {@link #min}, {@link
 * #max}; the mean of a 0/1 label added as doubles is its rate).
 *
 * <p>Size: a numeric sketch holds at most 101 edges and 103 counts, about 1.7 KB serialised however
 * many values it saw ({@code WindowSketchTest} measures it); a categorical one a few bytes per
 * category.
 *
 * <p>{@link #merge} adds counts and sums, so it is associative and commutative up to floating-point
 * rounding of the sums; for categorical sketches only while the tracked categories fit (beyond the
 * cap, which new categories keep their own entry depends on arrival order; totals never do). A
 * Flink POJO: public no-arg constructor, public fields, no Kryo.
 */
public class WindowSketch {
  /** The category that counts new categories beyond the cap. */
  public static final String OTHER = "__other__";

  /** Default cap on tracked categories. */
  public static final int DEFAULT_MAX_CATEGORIES = 64;

  /** Whether this is a categorical sketch. */
  public boolean categorical;

  /** Numeric: the grid edges {@code e_0 < ... < e_k}; empty for categorical. */
  public double[] edges = new double[0];

  /** Numeric: counts per grid bin ({@code edges.length + 2}); empty for categorical. */
  public long[] counts = new long[0];

  /** Numeric: sum of the values below {@code e_0}. */
  public double underflowSum;

  /** Numeric: sum of the values above {@code e_k}. */
  public double overflowSum;

  /** Categorical: tracked categories, reference ones first. */
  public String[] categories = new String[0];

  /** Categorical: count per entry of {@link #categories}. */
  public long[] categoryCounts = new long[0];

  /** Categorical: cap on tracked categories (besides {@value #OTHER}). */
  public int maxCategories;

  /** Non-missing values. */
  public long count;

  /** Missing values (NaN, null), not in {@link #count}. */
  public long missing;

  /** Sum of the double values added. */
  public double sum;

  /** Sum of their squares. */
  public double sumOfSquares;

  /** Smallest double value added; +Infinity before any. */
  public double min = Double.POSITIVE_INFINITY;

  /** Largest double value added; -Infinity before any. */
  public double max = Double.NEGATIVE_INFINITY;

  /** For Flink's POJO serializer; use the factories. */
  public WindowSketch() {}

  /**
   * An empty sketch for a reference profile: numeric on the grid of its quantiles, categorical
   * seeded with its categories (cap {@value #DEFAULT_MAX_CATEGORIES}).
   *
   * @throws IllegalArgumentException if a numeric profile has no 101 ascending quantiles (e.g. a
   *     reference without values)
   */
  public static WindowSketch forReference(DistributionProfile reference) {
    Objects.requireNonNull(reference, "reference");
    if (reference.getKind() == DistributionKind.CATEGORICAL) {
      return categorical(reference.getCategories().keySet(), DEFAULT_MAX_CATEGORIES);
    }
    return numeric(reference.getQuantiles());
  }

  /** An empty numeric sketch on the grid of {@code quantiles} (101, ascending). */
  public static WindowSketch numeric(List<Double> quantiles) {
    QuantileGrid grid = QuantileGrid.of(quantiles);
    WindowSketch s = new WindowSketch();
    s.edges = grid.edges;
    s.counts = new long[grid.bins()];
    return s;
  }

  /** An empty categorical sketch tracking {@code referenceCategories} and up to a cap of others. */
  public static WindowSketch categorical(Iterable<String> referenceCategories, int maxCategories) {
    if (maxCategories < 1) {
      throw new IllegalArgumentException("maxCategories must be positive, got " + maxCategories);
    }
    List<String> seeded = new ArrayList<>();
    for (String c : referenceCategories) {
      if (!seeded.contains(Objects.requireNonNull(c, "category"))) {
        seeded.add(c);
      }
    }
    WindowSketch s = new WindowSketch();
    s.categorical = true;
    s.categories = seeded.toArray(new String[0]);
    s.categoryCounts = new long[s.categories.length];
    s.maxCategories = Math.max(maxCategories, seeded.size());
    return s;
  }

  /** Adds a value: into its grid bin (numeric) or as the category of its text (categorical). */
  public WindowSketch add(double value) {
    if (Double.isNaN(value)) {
      missing++;
      return this;
    }
    count++;
    sum += value;
    sumOfSquares += value * value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (categorical) {
      addCategory(categoryOf(value), 1);
    } else {
      counts[bin(value)]++;
      if (value < edges[0]) {
        underflowSum += value;
      } else if (value > edges[edges.length - 1]) {
        overflowSum += value;
      }
    }
    return this;
  }

  /**
   * Adds a category (null is missing).
   *
   * @throws IllegalStateException on a numeric sketch
   */
  public WindowSketch add(String category) {
    if (!categorical) {
      throw new IllegalStateException("a numeric sketch takes numbers, not '" + category + "'");
    }
    if (category == null) {
      missing++;
      return this;
    }
    count++;
    addCategory(category, 1);
    return this;
  }

  /**
   * Adds {@code other} into this sketch.
   *
   * @throws IllegalArgumentException if the two were built for different grids or kinds
   */
  public WindowSketch merge(WindowSketch other) {
    if (other.categorical != categorical || (!categorical && !Arrays.equals(edges, other.edges))) {
      throw new IllegalArgumentException("cannot merge sketches of different references");
    }
    count += other.count;
    missing += other.missing;
    sum += other.sum;
    sumOfSquares += other.sumOfSquares;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    if (categorical) {
      for (int i = 0; i < other.categories.length; i++) {
        addCategory(other.categories[i], other.categoryCounts[i]);
      }
    } else {
      for (int i = 0; i < counts.length; i++) {
        counts[i] += other.counts[i];
      }
      underflowSum += other.underflowSum;
      overflowSum += other.overflowSum;
    }
    return this;
  }

  /** A deep copy (Flink's aggregate functions may reuse accumulators). */
  public WindowSketch copy() {
    WindowSketch c = new WindowSketch();
    c.categorical = categorical;
    c.edges = edges.clone();
    c.counts = counts.clone();
    c.underflowSum = underflowSum;
    c.overflowSum = overflowSum;
    c.categories = categories.clone();
    c.categoryCounts = categoryCounts.clone();
    c.maxCategories = maxCategories;
    c.count = count;
    c.missing = missing;
    c.sum = sum;
    c.sumOfSquares = sumOfSquares;
    c.min = min;
    c.max = max;
    return c;
  }

  /** The category text of a double: {@code "1"} for 1.0, {@link Double#toString} if fractional. */
  public static String categoryOf(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /**
   * {@link #sum} over {@link #count}, NaN without values: the mean when every value was added as a
   * double (categories added as text count but add nothing to the sum).
   */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  /** The grid bin of a value ({@link #counts}'s layout). */
  int bin(double value) {
    int k = edges.length - 1;
    if (value < edges[0]) {
      return 0;
    }
    if (value > edges[k]) {
      return k + 2;
    }
    if (value == edges[k]) {
      return k + 1;
    }
    // e_0 <= value < e_k: the histogram rule of the profile, on the fine edges.
    return 1 + ProfileBuilder.bin(edges, value);
  }

  private void addCategory(String category, long n) {
    int i = indexOf(category);
    if (i < 0) {
      boolean full = trackedExcludingOther() >= maxCategories;
      String entry = full || OTHER.equals(category) ? OTHER : category;
      i = indexOf(entry);
      if (i < 0) {
        i = categories.length;
        categories = Arrays.copyOf(categories, i + 1);
        categoryCounts = Arrays.copyOf(categoryCounts, i + 1);
        categories[i] = entry;
      }
    }
    categoryCounts[i] += n;
  }

  private int trackedExcludingOther() {
    int n = categories.length;
    return indexOf(OTHER) >= 0 ? n - 1 : n;
  }

  private int indexOf(String category) {
    for (int i = 0; i < categories.length; i++) {
      if (categories[i].equals(category)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return categorical
        ? "WindowSketch{categorical, count="
            + count
            + ", categories="
            + Arrays.toString(categories)
            + ", counts="
            + Arrays.toString(categoryCounts)
            + "}"
        : "WindowSketch{numeric, count=" + count + ", bins=" + counts.length + "}";
  }
}

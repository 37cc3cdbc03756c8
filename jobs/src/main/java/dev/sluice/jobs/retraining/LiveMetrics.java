package dev.sluice.jobs.retraining;

import dev.sluice.avro.ModelMetrics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The latest online metrics per model version, role (decisions or shadow) and event-time window, as
 * the monitoring topic reports them: a window's PROVISIONAL records repeat as its labels arrive and
 * its FINAL one comes last, so the latest record of a window is the most complete. Compares two
 * models on the windows both scored, which in a shadow deployment are the same transactions: a
 * window counts only when both records have the same labelled predictions.
 */
public final class LiveMetrics {
  /** Windows older than this, before the newest one seen, are forgotten. */
  static final long KEEP_MILLIS = 120L * 86_400_000L;

  private final String model;
  private final Map<Key, ModelMetrics> latest = new HashMap<>();
  private long newestWindowStart = Long.MIN_VALUE;

  public LiveMetrics(String model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  private record Key(int version, boolean shadow, long windowStart) {}

  /** Keeps {@code m} if it is for this model; returns whether it was. */
  public boolean add(ModelMetrics m) {
    if (!model.equals(m.getModelName())) {
      return false;
    }
    long start = m.getWindowStart().toEpochMilli();
    latest.put(new Key(m.getModelVersion(), m.getShadow(), start), m);
    if (start > newestWindowStart) {
      newestWindowStart = start;
      latest.keySet().removeIf(k -> k.windowStart < newestWindowStart - KEEP_MILLIS);
    }
    return true;
  }

  /** Labelled decisions (not shadow) of any version in windows starting in [from, to). */
  public long labelledDecisions(long from, long to) {
    long sum = 0;
    for (Map.Entry<Key, ModelMetrics> e : latest.entrySet()) {
      Key k = e.getKey();
      if (!k.shadow && k.windowStart >= from && k.windowStart < to) {
        sum += e.getValue().getLabelled();
      }
    }
    return sum;
  }

  /** Labelled decisions (not shadow) of any version in every window kept. */
  public long labelledDecisions() {
    return labelledDecisions(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /**
   * {@code a} against {@code b} on the windows starting at or after {@code fromWindowStart} that
   * both have: labelled counts summed, the metric averaged over the windows weighted by their
   * labelled predictions (windows where either value is undefined are left out).
   */
  public Comparison compare(Role a, Role b, long fromWindowStart, String metric) {
    long labelledA = 0;
    long positivesA = 0;
    long labelledB = 0;
    long positivesB = 0;
    double weightedA = 0;
    double weightedB = 0;
    long weightA = 0;
    long weightB = 0;
    int windows = 0;
    for (Map.Entry<Key, ModelMetrics> e : latest.entrySet()) {
      Key k = e.getKey();
      if (k.version != a.version || k.shadow != a.shadow || k.windowStart < fromWindowStart) {
        continue;
      }
      ModelMetrics ma = e.getValue();
      ModelMetrics mb = latest.get(new Key(b.version, b.shadow, k.windowStart));
      if (mb == null || !sameRows(ma, mb)) {
        continue;
      }
      windows++;
      labelledA += ma.getLabelled();
      positivesA += ma.getPositives();
      labelledB += mb.getLabelled();
      positivesB += mb.getPositives();
      Double va = ma.getRealized().get(metric);
      Double vb = mb.getRealized().get(metric);
      if (va != null && vb != null && Double.isFinite(va) && Double.isFinite(vb)) {
        weightedA += va * ma.getLabelled();
        weightA += ma.getLabelled();
        weightedB += vb * mb.getLabelled();
        weightB += mb.getLabelled();
      }
    }
    return new Comparison(
        a,
        b,
        metric,
        windows,
        labelledA,
        positivesA,
        labelledB,
        positivesB,
        weightA == 0 ? Double.NaN : weightedA / weightA,
        weightB == 0 ? Double.NaN : weightedB / weightB);
  }

  /**
   * Whether two records of a window describe the same labelled predictions: a shadow model scores
   * every transaction the champion decides, so the counts agree once both records of a day boundary
   * have arrived (the first of a pair comes a moment before the other, and a model that started in
   * the middle of a window never catches up). Within 1% for rows one of them could not score.
   */
  static boolean sameRows(ModelMetrics a, ModelMetrics b) {
    long la = a.getLabelled();
    long lb = b.getLabelled();
    return Math.abs(la - lb) <= Math.max(la, lb) / 100;
  }

  /** A model version's decisions ({@code shadow} false) or shadow scores. */
  public record Role(int version, boolean shadow) {
    public static Role decisions(int version) {
      return new Role(version, false);
    }

    public static Role shadowOf(int version) {
      return new Role(version, true);
    }

    @Override
    public String toString() {
      return "v" + version + (shadow ? " (shadow)" : " (decisions)");
    }
  }

  /** What {@link #compare} found. */
  public record Comparison(
      Role a,
      Role b,
      String metric,
      int windows,
      long labelledA,
      long positivesA,
      long labelledB,
      long positivesB,
      double valueA,
      double valueB) {

    /** Whether both sides have enough labels to judge. */
    public boolean enough(long minLabelled, long minPositives) {
      return Math.min(labelledA, labelledB) >= minLabelled
          && Math.min(positivesA, positivesB) >= minPositives
          && Double.isFinite(valueA)
          && Double.isFinite(valueB);
    }

    /** E.g. {@code v5 (shadow) auc_roc 0.912 vs v1 (decisions) 0.640 over 3 windows, ...}. */
    public String describe() {
      return String.format(
          Locale.ROOT,
          "%s %s %.4f vs %s %.4f over %d day windows (%,d and %,d labelled, %d and %d frauds)",
          a,
          metric,
          valueA,
          b,
          valueB,
          windows,
          labelledA,
          labelledB,
          positivesA,
          positivesB);
    }

    /** The numbers, for an event's metrics map, keyed by {@code prefix}. */
    public Map<String, Double> asMetrics(String prefixA, String prefixB) {
      Map<String, Double> m = new HashMap<>();
      m.put(prefixA + "." + metric, valueA);
      m.put(prefixB + "." + metric, valueB);
      m.put(prefixA + ".labelled", (double) labelledA);
      m.put(prefixB + ".labelled", (double) labelledB);
      m.put(prefixA + ".positives", (double) positivesA);
      m.put(prefixB + ".positives", (double) positivesB);
      m.put("windows", (double) windows);
      return m;
    }
  }
}

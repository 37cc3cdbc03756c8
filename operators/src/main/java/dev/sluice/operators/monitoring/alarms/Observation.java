package dev.sluice.operators.monitoring.alarms;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * One rule's view of one window: the value its statistic took for a (model, subject), ready for
 * {@link AlarmEvaluator}. Made from {@code DriftResult}s and {@code ModelMetrics} by {@link
 * AlarmRules}, keyed by {@link #key()}.
 *
 * <p>For the dataset-level rule ({@link AlarmRule#DRIFTED_SHARE}) each drift result gives a partial
 * observation naming one feature (and whether it drifted); partials of a window are {@link #merge
 * merged}, as sets, so a replayed result is not counted twice, and {@link #share()} is the value.
 *
 * <p>A Flink POJO (public fields, no-arg constructor, arrays rather than collections) so neither
 * the stream nor the function's state falls back to Kryo.
 */
public final class Observation {
  public String rule;
  public String modelName;
  public int modelVersion;

  /**
   * Feature name, {@code score} or {@code label}; the metric for metrics rules; {@code *} for the
   * dataset rule.
   */
  public String subject;

  public long windowStart;
  public long windowEnd;

  /** The statistic's value; NaN for a dataset partial until it is complete. */
  public double value = Double.NaN;

  /** Values (drift) or predictions (metrics) in the window; 0 when unknown. */
  public long count;

  /** Values in the reference profile (drift); 0 when not applicable. */
  public long referenceCount;

  /** Dataset rule: features seen in the window, sorted. */
  public String[] features = new String[0];

  /** Dataset rule: of which drifted, sorted. */
  public String[] driftedFeatures = new String[0];

  public Observation() {}

  Observation(
      String rule,
      String modelName,
      int modelVersion,
      String subject,
      long windowStart,
      long windowEnd,
      double value) {
    this.rule = rule;
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.subject = subject;
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.value = value;
  }

  /** The key an {@link AlarmFunction} keeps state under: rule, model and subject. */
  public String key() {
    return key(rule, modelName, subject);
  }

  static String key(String rule, String modelName, String subject) {
    return rule + '|' + modelName + '|' + subject;
  }

  /** Share of the window's features that drifted; NaN when none were seen. */
  public double share() {
    return features.length == 0 ? Double.NaN : (double) driftedFeatures.length / features.length;
  }

  /**
   * Adds the features of another partial of the same window and model version to this one (set
   * union); the value becomes the share.
   */
  void merge(Observation other) {
    features = union(features, other.features);
    driftedFeatures = union(driftedFeatures, other.driftedFeatures);
    count += other.count;
    value = share();
  }

  private static String[] union(String[] a, String[] b) {
    TreeSet<String> all = new TreeSet<>(Arrays.asList(a));
    all.addAll(Arrays.asList(b));
    return all.toArray(new String[0]);
  }

  @Override
  public String toString() {
    return key() + " v" + modelVersion + " [" + windowStart + ", " + windowEnd + ") = " + value;
  }
}

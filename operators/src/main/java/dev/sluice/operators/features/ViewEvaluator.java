package dev.sluice.operators.features;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes a view's feature values as of time {@code t} from its observation log: an observation
 * counts for a feature when it belongs to the feature's input, its time is in the feature's window
 * relative to {@code t}, and it was known at or before {@code t}. Nothing else is read, so the
 * result depends only on the set of observations, never on the order they arrived in.
 */
final class ViewEvaluator implements Serializable {
  private final List<Feature> features;
  private final int[] inputIndex;
  private final double[] scale;

  ViewEvaluator(FeatureView view) {
    this.features = view.features();
    int aggregates = 0;
    for (Feature f : features) {
      aggregates += FeatureView.aggregates(f).size();
    }
    this.inputIndex = new int[aggregates];
    this.scale = new double[aggregates];
    int k = 0;
    for (Feature f : features) {
      for (Feature.Aggregate a : FeatureView.aggregates(f)) {
        inputIndex[k] = view.inputIndex(a.input());
        scale[k++] = Math.pow(10, view.inputs().get(view.inputIndex(a.input())).scale());
      }
    }
  }

  double[] evaluate(ObservationLog log, long t) {
    double[] values = new double[features.size()];
    int k = 0;
    for (int i = 0; i < values.length; i++) {
      Feature f = features.get(i);
      if (f instanceof Feature.Ratio r) {
        double numerator = aggregate(r.numerator(), k++, log, t);
        double denominator = aggregate(r.denominator(), k++, log, t);
        values[i] = denominator == 0 ? 0 : numerator / denominator;
      } else {
        values[i] = aggregate((Feature.Aggregate) f, k++, log, t);
      }
    }
    return values;
  }

  private double aggregate(Feature.Aggregate a, int k, ObservationLog log, long t) {
    int input = inputIndex[k];
    long count = 0;
    long sum = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long lastTime = Long.MIN_VALUE;
    long last = 0;
    Set<Long> categories = a.aggregation() == Aggregation.DISTINCT_COUNT ? new HashSet<>() : null;
    for (int i = 0; i < log.size(); i++) {
      if (log.input[i] != input || log.knownAt[i] > t || !a.window().contains(t, log.time[i])) {
        continue;
      }
      long v = log.value[i];
      count++;
      sum = Math.addExact(sum, v);
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (log.time[i] > lastTime || (log.time[i] == lastTime && v > last)) {
        lastTime = log.time[i];
        last = v;
      }
      if (categories != null) {
        categories.add(log.category[i]);
      }
    }
    double s = scale[k];
    return switch (a.aggregation()) {
      case COUNT -> count;
      case DISTINCT_COUNT -> categories.size();
      case SUM -> sum / s;
      case MEAN -> count == 0 ? 0 : sum / s / count;
      case MIN -> count == 0 ? 0 : min / s;
      case MAX -> count == 0 ? 0 : max / s;
      case LAST -> count == 0 ? 0 : last / s;
    };
  }
}

package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * Flink gauges of the online evaluation, one metric group per model version and role ({@code
 * model_<name>_<version>_<decision|shadow>}), so the web UI shows them on the {@code
 * evaluation-windows} vertex: {@code finalAucRoc}, {@code finalAveragePrecision}, {@code
 * finalLabelCoverage}, {@code finalEstimatedAucRoc} (of the last FINAL window) and {@code
 * provisionalAucRoc}, {@code provisionalLabelCoverage} (of the last PROVISIONAL one), with {@code
 * finalWindowStart} and {@code provisionalWindowStart} (epoch milliseconds) saying which day each
 * belongs to: windows are spread over the subtasks, so each subtask shows the latest window it
 * computed, and an older window emitted later does not replace a newer one. NaN until the first
 * such window of the task (also after a restart).
 */
final class MetricGauges {
  private final MetricGroup group;
  private final Map<String, double[]> values = new HashMap<>();

  private static final String[] NAMES = {
    "finalAucRoc",
    "finalAveragePrecision",
    "finalLabelCoverage",
    "finalEstimatedAucRoc",
    "provisionalAucRoc",
    "provisionalLabelCoverage",
    "finalWindowStart",
    "provisionalWindowStart"
  };

  MetricGauges(MetricGroup group) {
    this.group = group;
  }

  void update(String modelKey, ModelMetrics m) {
    double[] v = values.computeIfAbsent(modelKey, this::register);
    double auc = m.getRealized().getOrDefault("auc_roc", Double.NaN);
    double start = m.getWindowStart().toEpochMilli();
    if (m.getStatus() == MetricsStatus.FINAL) {
      if (start >= v[6] || Double.isNaN(v[6])) {
        v[0] = auc;
        v[1] = m.getRealized().getOrDefault("average_precision", Double.NaN);
        v[2] = m.getLabelCoverage();
        v[3] = m.getEstimated().getOrDefault("auc_roc", Double.NaN);
        v[6] = start;
      }
    } else if (start >= v[7] || Double.isNaN(v[7])) {
      v[4] = auc;
      v[5] = m.getLabelCoverage();
      v[7] = start;
    }
  }

  private double[] register(String modelKey) {
    double[] v = new double[NAMES.length];
    java.util.Arrays.fill(v, Double.NaN);
    MetricGroup model = group.addGroup("model_" + modelKey.replaceAll("[^A-Za-z0-9_-]", "_"));
    for (int i = 0; i < NAMES.length; i++) {
      int index = i;
      model.gauge(NAMES[i], () -> v[index]);
    }
    return v;
  }
}

package dev.sluice.operators.monitoring.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** The web UI's evaluation gauges: per model key, the latest window's values and which day. */
class MetricGaugesTest {
  private static final Instant DAY_1 = Instant.parse("2018-05-01T00:00:00Z");
  private static final Instant DAY_2 = DAY_1.plus(Duration.ofDays(1));

  /** Records gauges by their dotted name. */
  private static final class Capturing extends UnregisteredMetricsGroup {
    final Map<String, Gauge<?>> gauges;
    final String prefix;

    Capturing(Map<String, Gauge<?>> gauges, String prefix) {
      this.gauges = gauges;
      this.prefix = prefix;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      gauges.put(prefix + name, gauge);
      return gauge;
    }

    @Override
    public MetricGroup addGroup(String name) {
      return new Capturing(gauges, prefix + name + ".");
    }
  }

  private static ModelMetrics metrics(Instant start, MetricsStatus status, double auc) {
    return ModelMetrics.newBuilder()
        .setModelName("fraud")
        .setModelVersion(3)
        .setShadow(false)
        .setWindowStart(start)
        .setWindowEnd(start.plus(Duration.ofDays(1)))
        .setStatus(status)
        .setPredictions(100)
        .setLabelled(90)
        .setPositives(2)
        .setLabelCoverage(0.9)
        .setMeanLabelLagMillis(0.0)
        .setRealized(Map.of("auc_roc", auc))
        .setEstimated(Map.of("auc_roc", auc + 0.01))
        .setThreshold(0.5)
        .setK(100)
        .setEmittedAt(start)
        .build();
  }

  @Test
  void aNewerFinalWindowReplacesTheValuesAndAnOlderOneDoesNot() {
    Map<String, Gauge<?>> gauges = new HashMap<>();
    MetricGauges metricGauges = new MetricGauges(new Capturing(gauges, ""));
    String prefix = "model_fraud_3_decision.";

    metricGauges.update("fraud/3/decision", metrics(DAY_2, MetricsStatus.FINAL, 0.6));
    metricGauges.update("fraud/3/decision", metrics(DAY_1, MetricsStatus.FINAL, 0.9));
    metricGauges.update("fraud/3/decision", metrics(DAY_2, MetricsStatus.PROVISIONAL, 0.7));

    assertThat(gauges.get(prefix + "finalAucRoc").getValue()).isEqualTo(0.6);
    assertThat(gauges.get(prefix + "finalEstimatedAucRoc").getValue()).isEqualTo(0.61);
    assertThat(gauges.get(prefix + "finalWindowStart").getValue())
        .isEqualTo((double) DAY_2.toEpochMilli());
    assertThat(gauges.get(prefix + "provisionalAucRoc").getValue()).isEqualTo(0.7);
    assertThat(gauges.get(prefix + "provisionalWindowStart").getValue())
        .isEqualTo((double) DAY_2.toEpochMilli());
  }
}

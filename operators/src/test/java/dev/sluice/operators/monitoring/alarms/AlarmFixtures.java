package dev.sluice.operators.monitoring.alarms;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Named windows, a model and record factories shared by the alarm tests. */
final class AlarmFixtures {
  static final String MODEL = "fraud";
  static final int VERSION = 3;
  static final long HOUR = Duration.ofHours(1).toMillis();
  static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();

  /** The rules of the examples in {@link AlarmRules}' Javadoc. */
  static final String RULES_TEXT =
      """
      # per-feature, dataset-level and performance rules
      feature-psi    drift    psi            >  0.2  fire_after=3 resolve_after=2 runbook="Check the feature's upstream"
      many-drifted   drift    drifted_share  >  0.5  severity=CRITICAL
      auc-drop       metrics  auc_roc        <  0.8  model=fraud fire_after=2 severity=CRITICAL
      labels-missing metrics  label_coverage <  0.5  kind=DATA_QUALITY
      """;

  private AlarmFixtures() {}

  static long windowStart(int window) {
    return T0 + window * HOUR;
  }

  static DriftResult drift(String subject, int window, double psi, boolean drifted) {
    return drift(subject, window, psi, drifted, VERSION);
  }

  static DriftResult drift(String subject, int window, double psi, boolean drifted, int version) {
    return DriftResult.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(version)
        .setSubject(subject)
        .setKind(DriftKind.NUMERIC)
        .setWindowStart(Instant.ofEpochMilli(windowStart(window)))
        .setWindowEnd(Instant.ofEpochMilli(windowStart(window + 1)))
        .setCount(1_000)
        .setReferenceCount(50_000)
        .setStatistics(Map.of("psi", psi, "ks", 0.1, "ks_p_value", 0.3))
        .setDrifted(drifted)
        .setDecidedBy("psi")
        .setThreshold(0.2)
        .setEmittedAt(Instant.ofEpochMilli(windowStart(window + 1)))
        .build();
  }

  static ModelMetrics metrics(int window, MetricsStatus status, double auc, double coverage) {
    return ModelMetrics.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(VERSION)
        .setShadow(false)
        .setWindowStart(Instant.ofEpochMilli(windowStart(window)))
        .setWindowEnd(Instant.ofEpochMilli(windowStart(window + 1)))
        .setStatus(status)
        .setPredictions(2_000)
        .setLabelled((long) (2_000 * coverage))
        .setPositives(20)
        .setLabelCoverage(coverage)
        .setMeanLabelLagMillis(HOUR)
        .setRealized(Map.of("auc_roc", auc, "f1", 0.4))
        .setEstimated(Map.of("auc_roc", 0.9))
        .setThreshold(0.5)
        .setK(100)
        .setEmittedAt(Instant.ofEpochMilli(windowStart(window + 2)))
        .build();
  }

  /** A per-subject observation of {@code value} for {@code rule} in window {@code window}. */
  static Observation observation(String rule, String subject, int window, double value) {
    return new Observation(
        rule, MODEL, VERSION, subject, windowStart(window), windowStart(window + 1), value);
  }
}

package dev.sluice.cli.report;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertKind;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A model, day windows of simulated 2018 time, and factories of the four topics' records. */
final class ReportFixtures {
  static final String MODEL = "fraud";
  static final long DAY = Duration.ofDays(1).toMillis();
  static final Instant START = Instant.parse("2018-04-01T00:00:00Z");

  private ReportFixtures() {}

  /** {@code days} (fractional: 45.25 is 06:00 on day 45) after {@link #START}. */
  static Instant day(double days) {
    return START.plusMillis(Math.round(days * DAY));
  }

  /** Metrics of day window {@code day}, emitted {@code emittedHours} after the window's end. */
  static ModelMetrics metrics(
      int version,
      boolean shadow,
      int day,
      MetricsStatus status,
      double auc,
      double averagePrecision,
      double emittedHours) {
    return ModelMetrics.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(version)
        .setShadow(shadow)
        .setWindowStart(day(day))
        .setWindowEnd(day(day + 1))
        .setStatus(status)
        .setPredictions(9_000)
        .setLabelled(status == MetricsStatus.FINAL ? 9_000 : 4_000)
        .setPositives(60)
        .setLabelCoverage(status == MetricsStatus.FINAL ? 1 : 0.44)
        .setMeanLabelLagMillis(3 * DAY)
        .setRealized(Map.of("auc_roc", auc, "average_precision", averagePrecision, "f1", 0.5))
        .setEstimated(Map.of("auc_roc", 0.9))
        .setThreshold(0.5)
        .setK(100)
        .setEmittedAt(day(day + 1 + emittedHours / 24))
        .build();
  }

  /** A feature's (or the score's) drift result of day window {@code day}, decided by psi. */
  static DriftResult drift(String subject, int day, double psi, double threshold) {
    return DriftResult.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(3)
        .setSubject(subject)
        .setKind(DriftKind.NUMERIC)
        .setWindowStart(day(day))
        .setWindowEnd(day(day + 1))
        .setCount(9_000)
        .setReferenceCount(200_000)
        .setStatistics(Map.of("psi", psi, "ks", psi / 3, "ks_p_value", 0.5))
        .setDrifted(psi > threshold)
        .setDecidedBy("psi")
        .setThreshold(threshold)
        .setEmittedAt(day(day + 1.1))
        .build();
  }

  /** An error-stream detector's result of day window {@code day}. */
  static DriftResult errors(String subject, int version, int day, double detections) {
    return DriftResult.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(version)
        .setSubject(subject)
        .setKind(DriftKind.ERROR_STREAM)
        .setWindowStart(day(day))
        .setWindowEnd(day(day + 1))
        .setCount(9_000)
        .setReferenceCount(100)
        .setStatistics(
            Map.of("detections", detections, "errors", 120.0, "error_rate", 120 / 9000.0))
        .setDrifted(detections > 0)
        .setDecidedBy("detections")
        .setThreshold(0)
        .setEmittedAt(day(day + 1.1))
        .build();
  }

  /** An alarm on window {@code day}, raised at the window's end. */
  static Alert alert(String rule, String subject, int day, AlertState state, int version) {
    return Alert.newBuilder()
        .setAlertId(rule + "/" + subject + "/" + day)
        .setRaisedAt(day(day + 1))
        .setSeverity(Severity.WARNING)
        .setKind(rule.startsWith("auc") ? AlertKind.PERFORMANCE : AlertKind.FEATURE_DRIFT)
        .setRule(rule)
        .setSubject(subject)
        .setModelName(MODEL)
        .setModelVersion(version)
        .setStatistic("psi")
        .setValue(0.4)
        .setThreshold(0.2)
        .setWindowStart(day(day))
        .setWindowEnd(day(day + 1))
        .setMessage(
            rule
                + " of '"
                + subject
                + "' "
                + (state == AlertState.FIRING ? "crossed" : "back under")
                + " its threshold")
        .setState(state)
        .build();
  }

  /** A step of the closed loop at event time {@code day}. */
  static RetrainingEvent retraining(
      RetrainingEventType type, double day, Integer version, int champion, String reason) {
    return RetrainingEvent.newBuilder()
        .setEventId("fraud-run-" + version + "/" + type)
        .setModelName(MODEL)
        .setRunId(version == null ? null : "fraud-run-" + version)
        .setType(type)
        .setTrigger(RetrainingTrigger.ALERT)
        .setTriggerDetail("alert auc-drop")
        .setAsOf(day(day))
        .setAt(Instant.parse("2025-01-01T00:00:00Z"))
        .setVersion(version)
        .setChampionVersion(champion)
        .setReason(reason)
        .build();
  }
}

package dev.sluice.jobs.retraining;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertKind;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The monitoring records and requests the loop's tests feed a controller, for model fraud. */
final class LoopFixtures {
  static final String MODEL = "fraud";
  static final Instant DAY0 = Instant.parse("2018-05-01T00:00:00Z");

  private LoopFixtures() {}

  static Instant day(int d) {
    return DAY0.plus(Duration.ofDays(d));
  }

  /** An error-rate-rise alert on the day window {@code windowDay}. */
  static Alert alert(int windowDay, Integer version, boolean retrain, AlertState state) {
    return Alert.newBuilder()
        .setAlertId("error-rate-rise/errors/page_hinkley/" + windowDay)
        .setRaisedAt(day(windowDay + 1))
        .setSeverity(Severity.WARNING)
        .setKind(AlertKind.PERFORMANCE)
        .setRule("error-rate-rise")
        .setSubject("errors/page_hinkley")
        .setModelName(MODEL)
        .setModelVersion(version)
        .setStatistic("detections")
        .setValue(1)
        .setThreshold(0)
        .setWindowStart(day(windowDay))
        .setWindowEnd(day(windowDay + 1))
        .setMessage("error rate rose")
        .setState(state)
        .setRetrain(retrain)
        .build();
  }

  /** A PROVISIONAL metrics record of the day window {@code windowDay}. */
  static ModelMetrics metrics(
      int version, boolean shadow, int windowDay, long labelled, long positives, double auc) {
    return ModelMetrics.newBuilder()
        .setModelName(MODEL)
        .setModelVersion(version)
        .setShadow(shadow)
        .setWindowStart(day(windowDay))
        .setWindowEnd(day(windowDay + 1))
        .setStatus(MetricsStatus.PROVISIONAL)
        .setPredictions(2_000)
        .setLabelled(labelled)
        .setPositives(positives)
        .setLabelCoverage(labelled / 2_000.0)
        .setMeanLabelLagMillis(1.0)
        .setRealized(new HashMap<>(Map.of("auc_roc", auc, "average_precision", auc / 2)))
        .setEstimated(new HashMap<>())
        .setThreshold(0.5)
        .setK(100)
        .setEmittedAt(Instant.EPOCH)
        .build();
  }

  /** A request as {@code sluice retrain request} writes it. */
  static RetrainingEvent request(String id) {
    return RetrainingEvent.newBuilder()
        .setEventId(id)
        .setModelName(MODEL)
        .setRunId(null)
        .setType(RetrainingEventType.REQUESTED)
        .setTrigger(RetrainingTrigger.MANUAL)
        .setTriggerDetail("alice@host")
        .setAsOf(Instant.EPOCH)
        .setAt(Instant.EPOCH)
        .setReason("new fraud pattern reported")
        .setMetrics(new HashMap<>())
        .setDetails(new HashMap<>())
        .build();
  }
}

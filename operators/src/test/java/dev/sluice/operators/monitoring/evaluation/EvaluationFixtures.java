package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.Label;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import java.time.Duration;
import java.time.Instant;

/** Named predictions, labels and times shared by the online evaluation tests. */
final class EvaluationFixtures {
  static final long HOUR = Duration.ofHours(1).toMillis();
  static final long DAY = Duration.ofDays(1).toMillis();

  /** Midnight UTC starting the test day. */
  static final long T0 = Instant.parse("2018-08-08T00:00:00Z").toEpochMilli();

  static final String MODEL = "fraud";
  static final int CHAMPION = 3;
  static final int CHALLENGER = 4;
  static final double THRESHOLD = 0.5;

  private EvaluationFixtures() {}

  /** The decision prediction of the champion. */
  static Prediction decision(String eventId, long eventTime, String card, double score) {
    return prediction(eventId, eventTime, card, CHAMPION, false, score);
  }

  /** The challenger's shadow prediction. */
  static Prediction shadow(String eventId, long eventTime, String card, double score) {
    return prediction(eventId, eventTime, card, CHALLENGER, true, score);
  }

  static Prediction prediction(
      String eventId, long eventTime, String card, int version, boolean shadow, double score) {
    return Prediction.newBuilder()
        .setEventId(eventId)
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .setEntityId(card)
        .setModelName(MODEL)
        .setModelVersion(version)
        .setRole(shadow ? ModelRole.CHALLENGER : ModelRole.CHAMPION)
        .setShadow(shadow)
        .setScore(score)
        .setThreshold(THRESHOLD)
        .setPositive(score >= THRESHOLD)
        .setScoredAt(Instant.ofEpochMilli(eventTime))
        .build();
  }

  /**
   * The label of transaction {@code eventId} (at {@code transactionTime}), known at {@code
   * knownAt}.
   */
  static Label label(String eventId, long transactionTime, long knownAt, boolean fraud) {
    return Label.newBuilder()
        .setTransactionId(eventId)
        .setTransactionTime(Instant.ofEpochMilli(transactionTime))
        .setEventTime(Instant.ofEpochMilli(knownAt))
        .setCustomerId("customer")
        .setTerminalId("terminal")
        .setFraud(fraud)
        .build();
  }
}

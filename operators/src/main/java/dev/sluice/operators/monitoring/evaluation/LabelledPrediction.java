package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.Prediction;
import java.util.Objects;

/**
 * One prediction with what is known of its ground truth, the input of {@link WindowEvaluator}.
 *
 * <p>{@link LabelJoinFunction} emits exactly one per prediction, {@link LabelStatus#LABELLED} or
 * {@link LabelStatus#UNLABELLED}. Jobs that want estimates before labels arrive also feed the raw
 * predictions through {@link #pending(Prediction)} ({@link LabelStatus#PENDING}); the evaluator
 * merges the two by {@link #eventId}.
 *
 * <p>A Flink POJO (public fields, no-argument constructor), so it is serialized without Kryo.
 */
public class LabelledPrediction {
  /** What is known of the prediction's label. */
  public enum LabelStatus {
    /** Just scored: its label may still arrive. */
    PENDING,
    /**
     * Joined with its label: {@link #fraud}, {@link #labelTime} and {@link #labelLagMillis} set.
     */
    LABELLED,
    /** No label arrived within the maximum label delay; final. */
    UNLABELLED
  }

  /** Id of the scored event (the transaction). */
  public String eventId;

  /** Registered model name. */
  public String modelName;

  /** Model version that produced the score. */
  public int modelVersion;

  /** Whether the prediction was logged for evaluation only (not the decision). */
  public boolean shadow;

  /** Event time of the scored event, epoch milliseconds. */
  public long eventTime;

  /** The card (customer) the event belongs to; Card Precision@k groups by it. */
  public String cardId;

  /** Probability of the positive class. */
  public double score;

  /** Decision threshold of the model version at scoring time. */
  public double threshold;

  /** Whether and how the label is known. */
  public LabelStatus status;

  /** The label when {@link #status} is LABELLED; false otherwise. */
  public boolean fraud;

  /** Event time at which the label became known when LABELLED; 0 otherwise. */
  public long labelTime;

  /** {@code labelTime - eventTime} when LABELLED; 0 otherwise. */
  public long labelLagMillis;

  /** For Flink's POJO serializer. */
  public LabelledPrediction() {}

  /** The prediction with its label still unknown. */
  public static LabelledPrediction pending(Prediction p) {
    LabelledPrediction lp = new LabelledPrediction();
    lp.eventId = p.getEventId();
    lp.modelName = p.getModelName();
    lp.modelVersion = p.getModelVersion();
    lp.shadow = p.getShadow();
    lp.eventTime = p.getEventTime().toEpochMilli();
    lp.cardId = p.getEntityId();
    lp.score = p.getScore();
    lp.threshold = p.getThreshold();
    lp.status = LabelStatus.PENDING;
    return lp;
  }

  /** A copy with the label, known at {@code labelTime}. */
  public LabelledPrediction labelled(boolean isFraud, long knownAt) {
    LabelledPrediction lp = copy();
    lp.status = LabelStatus.LABELLED;
    lp.fraud = isFraud;
    lp.labelTime = knownAt;
    lp.labelLagMillis = knownAt - eventTime;
    return lp;
  }

  /** A copy marked as never labelled. */
  public LabelledPrediction unlabelled() {
    LabelledPrediction lp = copy();
    lp.status = LabelStatus.UNLABELLED;
    lp.fraud = false;
    lp.labelTime = 0;
    lp.labelLagMillis = 0;
    return lp;
  }

  /**
   * The key of {@link WindowEvaluator}: model name, version and whether shadow, e.g. {@code
   * fraud/3/shadow}.
   */
  public String modelKey() {
    return modelKey(modelName, modelVersion, shadow);
  }

  /** See {@link #modelKey()}. */
  public static String modelKey(String modelName, int modelVersion, boolean shadow) {
    return modelName + "/" + modelVersion + "/" + (shadow ? "shadow" : "decision");
  }

  private LabelledPrediction copy() {
    LabelledPrediction lp = new LabelledPrediction();
    lp.eventId = eventId;
    lp.modelName = modelName;
    lp.modelVersion = modelVersion;
    lp.shadow = shadow;
    lp.eventTime = eventTime;
    lp.cardId = cardId;
    lp.score = score;
    lp.threshold = threshold;
    lp.status = status;
    lp.fraud = fraud;
    lp.labelTime = labelTime;
    lp.labelLagMillis = labelLagMillis;
    return lp;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelledPrediction that
        && modelVersion == that.modelVersion
        && shadow == that.shadow
        && eventTime == that.eventTime
        && Double.compare(score, that.score) == 0
        && Double.compare(threshold, that.threshold) == 0
        && fraud == that.fraud
        && labelTime == that.labelTime
        && labelLagMillis == that.labelLagMillis
        && Objects.equals(eventId, that.eventId)
        && Objects.equals(modelName, that.modelName)
        && Objects.equals(cardId, that.cardId)
        && status == that.status;
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, modelName, modelVersion, shadow, status);
  }

  @Override
  public String toString() {
    return modelKey()
        + " "
        + eventId
        + "@"
        + eventTime
        + " card="
        + cardId
        + " score="
        + score
        + " "
        + status
        + (status == LabelStatus.LABELLED ? " fraud=" + fraud + " lag=" + labelLagMillis : "");
  }
}

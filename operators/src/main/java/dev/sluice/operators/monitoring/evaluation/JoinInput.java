package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.Label;
import dev.sluice.avro.Prediction;
import java.util.Objects;

/**
 * The input of {@link LabelJoinFunction}: a prediction or a label (exactly one of the two fields is
 * set). Jobs map both topics to it and union them; {@link #eventId()} is the key.
 */
public class JoinInput {
  /** The prediction, or null for a label. */
  public Prediction prediction;

  /** The label, or null for a prediction. */
  public Label label;

  /** For Flink's POJO serializer. */
  public JoinInput() {}

  /** Wraps a prediction. */
  public static JoinInput of(Prediction prediction) {
    JoinInput in = new JoinInput();
    in.prediction = Objects.requireNonNull(prediction, "prediction");
    return in;
  }

  /** Wraps a label. */
  public static JoinInput of(Label label) {
    JoinInput in = new JoinInput();
    in.label = Objects.requireNonNull(label, "label");
    return in;
  }

  /** The id of the event (transaction) the prediction or label is about: the join key. */
  public String eventId() {
    return prediction != null ? prediction.getEventId() : label.getTransactionId();
  }

  /**
   * The event time of the record: the prediction's event time or the time the label became known.
   */
  public long timestamp() {
    return prediction != null
        ? prediction.getEventTime().toEpochMilli()
        : label.getEventTime().toEpochMilli();
  }

  @Override
  public String toString() {
    return prediction != null ? "prediction " + prediction : "label " + label;
  }
}

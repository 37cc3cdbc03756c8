package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.Label;

/**
 * A label {@link LabelJoinFunction} could not join, on its side output {@link
 * LabelJoinFunction#UNMATCHED_LABELS}, with the reason.
 */
public class UnmatchedLabel {
  /** Why a label was not joined. */
  public enum Reason {
    /**
     * Known more than the maximum label delay after its transaction, or arrived after the watermark
     * passed the transaction's deadline: its predictions are (or will be) final unlabelled.
     */
    TOO_LATE,
    /** No prediction for its transaction arrived before the deadline. */
    UNKNOWN_PREDICTION,
    /** A second label for a transaction that already has one; the first one counts. */
    DUPLICATE
  }

  /** Why it was not joined. */
  public Reason reason;

  /** The label as received. */
  public Label label;

  /** For Flink's POJO serializer. */
  public UnmatchedLabel() {}

  /** A label not joined for {@code reason}. */
  public UnmatchedLabel(Reason reason, Label label) {
    this.reason = reason;
    this.label = label;
  }

  @Override
  public String toString() {
    return reason + " " + label;
  }
}

package dev.sluice.operators.scoring;

/**
 * Scoring a batch failed at run time: the runtime threw, or a score is NaN or outside [0, 1].
 *
 * <p>When one row is to blame (a NaN or out-of-range score), {@link #row()} is its index within the
 * batch, so a caller can route that record to the dead-letter queue and score the rest again; it is
 * -1 when the whole batch failed (the runtime threw).
 */
public class ScoringException extends Exception {
  private final int row;

  public ScoringException(String message) {
    this(message, -1);
  }

  public ScoringException(String message, Throwable cause) {
    super(message, cause);
    this.row = -1;
  }

  /**
   * @param message names the row, the score and the model
   * @param row index of the offending row within the batch
   */
  public ScoringException(String message, int row) {
    super(message);
    this.row = row;
  }

  /** Index within the batch of the first row whose score is unusable, or -1 for the whole batch. */
  public int row() {
    return row;
  }
}

package dev.sluice.operators.scoring;

/** Scoring a batch failed at run time: the runtime threw, or a score is NaN or outside [0, 1]. */
public class ScoringException extends Exception {
  public ScoringException(String message) {
    super(message);
  }

  public ScoringException(String message, Throwable cause) {
    super(message, cause);
  }
}

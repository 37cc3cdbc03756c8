package dev.sluice.operators.monitoring.detectors;

import java.io.Serializable;

/**
 * A streaming concept-drift detector over a stream of per-prediction errors: 0/1 for a
 * misclassification, or an absolute error scaled to [0, 1].
 *
 * <p>Feed one error at a time with {@link #update(double)}; each call returns the detector's state
 * after that error. Implementations are single-threaded, hold O(1) or O(log n) memory, and are
 * Flink POJOs (public fields, public no-arg constructor giving the paper's defaults), so one can be
 * kept as-is in a {@code ValueState} without Kryo; their parameters are fields too, so they survive
 * a restore.
 */
public interface DriftDetector extends Serializable {

  /** What a detector concludes after an update. */
  enum State {
    /** No evidence of change. */
    STABLE,
    /** The error is rising but not yet significantly (DDM's warning zone); start buffering. */
    WARNING,
    /** A change was detected at this update. */
    DRIFT
  }

  /**
   * Adds one error, in [0, 1], and returns the state after it.
   *
   * @throws IllegalArgumentException if {@code error} is NaN or outside [0, 1]
   */
  State update(double error);

  /** The state returned by the last {@link #update}, {@link State#STABLE} before any. */
  State state();

  /** Errors seen since construction or the last {@link #reset()}. */
  long seen();

  /** Forgets everything learnt; the parameters are kept. */
  void reset();

  /** Validates an input error. */
  static double checkError(double error) {
    if (!(error >= 0.0 && error <= 1.0)) {
      throw new IllegalArgumentException("error must be in [0, 1], got " + error);
    }
    return error;
  }
}

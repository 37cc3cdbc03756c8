package dev.sluice.operators.monitoring.detectors;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * Seeded synthetic error streams and a runner, shared by the detector tests. All streams are 0/1
 * misclassifications drawn with a given error rate per position, so every run is reproducible.
 */
final class ErrorStreams {
  /**
   * Seeds per experiment: enough to see rates, few enough to keep the tests well under a second.
   */
  static final int SEEDS = 50;

  static final int NO_DRIFT_LENGTH = 20_000;
  static final double BASE_RATE = 0.1;
  static final double DRIFTED_RATE = 0.4;

  /** Where the abrupt and gradual changes start. */
  static final int CHANGE_AT = 5_000;

  /**
   * Length of the gradual change's linear ramp from {@link #BASE_RATE} to {@link #DRIFTED_RATE}.
   */
  static final int RAMP = 2_000;

  private ErrorStreams() {}

  static double[] bernoulli(long seed, int length, IntToDoubleFunction rateAt) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] errors = new double[length];
    for (int i = 0; i < length; i++) {
      errors[i] = random.nextDouble() < rateAt.applyAsDouble(i) ? 1 : 0;
    }
    return errors;
  }

  static double[] noDrift(long seed) {
    return bernoulli(seed, NO_DRIFT_LENGTH, i -> BASE_RATE);
  }

  static double[] abrupt(long seed, int length) {
    return bernoulli(seed, length, i -> i < CHANGE_AT ? BASE_RATE : DRIFTED_RATE);
  }

  static double[] gradual(long seed, int length) {
    return bernoulli(
        seed,
        length,
        i ->
            i < CHANGE_AT
                ? BASE_RATE
                : Math.min(
                    DRIFTED_RATE,
                    BASE_RATE + (DRIFTED_RATE - BASE_RATE) * (i - CHANGE_AT) / (double) RAMP));
  }

  /** Positions at which the detector reported DRIFT. */
  static List<Integer> drifts(DriftDetector detector, double[] errors) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < errors.length; i++) {
      if (detector.update(errors[i]) == DriftDetector.State.DRIFT) {
        at.add(i);
      }
    }
    return at;
  }

  /** Errors from {@link #CHANGE_AT} to the first DRIFT at or after it, -1 if none. */
  static int delay(List<Integer> drifts) {
    return drifts.stream()
        .filter(i -> i >= CHANGE_AT)
        .findFirst()
        .map(i -> i - CHANGE_AT)
        .orElse(-1);
  }
}

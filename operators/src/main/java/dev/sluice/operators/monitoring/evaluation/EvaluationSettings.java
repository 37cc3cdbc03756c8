package dev.sluice.operators.monitoring.evaluation;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link WindowEvaluator} (and the label delay of {@link LabelJoinFunction}).
 *
 * @param windowSize length of the tumbling event-time windows, aligned to the epoch (UTC midnight
 *     for whole days); default 1 day
 * @param maxLabelDelay how long after an event its label may become known; a window is final once
 *     the watermark reaches its end plus this; default 7 days (the handbook's delay period)
 * @param provisionalInterval PROVISIONAL metrics of a window whose rows changed are emitted when
 *     the watermark reaches the next multiple of this (event time, aligned to the epoch); default 1
 *     day, i.e. at each day boundary
 * @param k cards checked per day for Card Precision@k; default 100
 */
public record EvaluationSettings(
    Duration windowSize, Duration maxLabelDelay, Duration provisionalInterval, int k)
    implements Serializable {
  /** One-day windows, 7-day label delay, provisional at each day boundary, k = 100. */
  public static final EvaluationSettings DEFAULTS =
      new EvaluationSettings(Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(1), 100);

  public EvaluationSettings {
    positive(windowSize, "windowSize");
    positive(maxLabelDelay, "maxLabelDelay");
    positive(provisionalInterval, "provisionalInterval");
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, got " + d);
    }
  }
}

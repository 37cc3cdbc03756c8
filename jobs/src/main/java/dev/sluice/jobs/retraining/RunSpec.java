package dev.sluice.jobs.retraining;

import dev.sluice.avro.RetrainingTrigger;
import java.time.Instant;
import java.util.Objects;

/**
 * One retraining run as the controller starts it: which model, why, and the data it trains on.
 *
 * @param runId e.g. {@code fraud-run-3}
 * @param asOf event time of the trigger: a row counts only with a label known by then
 * @param windowStart first instant of the training window (inclusive)
 * @param windowEnd end of the training window (exclusive), {@code labelMaturity} before {@code
 *     asOf}
 * @param holdoutStart the holdout is the rows from here to {@code windowEnd} whose card is in the
 *     holdout share
 * @param championVersion the champion the candidate must beat (null: none)
 */
public record RunSpec(
    String runId,
    String model,
    RetrainingTrigger trigger,
    String triggerDetail,
    Instant asOf,
    Instant windowStart,
    Instant windowEnd,
    Instant holdoutStart,
    double holdoutShare,
    long minLabelledRows,
    long minPositives,
    Integer championVersion) {

  public RunSpec {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(asOf, "asOf");
    if (!windowStart.isBefore(holdoutStart) || holdoutStart.isAfter(windowEnd)) {
      throw new IllegalArgumentException(
          "expected windowStart < holdoutStart <= windowEnd, got "
              + windowStart
              + ", "
              + holdoutStart
              + ", "
              + windowEnd);
    }
  }

  /** The spec the policy gives a run triggered at {@code asOf}. */
  static RunSpec of(
      String runId,
      String model,
      RetrainingTrigger trigger,
      String detail,
      Instant asOf,
      RetrainingPolicy policy,
      Integer champion) {
    Instant end = asOf.minus(policy.labelMaturity());
    Instant start = end.minus(java.time.Duration.ofDays(policy.trainDays()));
    Instant holdout = end.minus(java.time.Duration.ofDays(policy.holdoutDays()));
    return new RunSpec(
        runId,
        model,
        trigger,
        detail,
        asOf,
        start,
        end,
        holdout,
        policy.holdoutShare(),
        policy.minLabelledRows(),
        policy.minPositives(),
        champion);
  }
}

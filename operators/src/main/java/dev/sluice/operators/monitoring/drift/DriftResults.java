package dev.sluice.operators.monitoring.drift;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import java.time.Instant;
import java.util.LinkedHashMap;

/** Turns statistics and a decision into the {@code DriftResult} record of the drift topic. */
public final class DriftResults {
  private DriftResults() {}

  /**
   * The record of one variable over one window.
   *
   * @param modelName the model whose reference profile was used
   * @param modelVersion its version
   * @param windowStart start of the window (inclusive)
   * @param windowEnd end of the window (exclusive)
   * @param statistics the comparison; its subject, counts and every statistic are copied
   * @param decision the decision; {@code decidedBy} and {@code threshold} are copied
   * @param emittedAt processing time of emission
   */
  public static DriftResult toAvro(
      String modelName,
      int modelVersion,
      Instant windowStart,
      Instant windowEnd,
      DriftStatistics statistics,
      DriftDecision decision,
      Instant emittedAt) {
    return DriftResult.newBuilder()
        .setModelName(modelName)
        .setModelVersion(modelVersion)
        .setSubject(statistics.subject())
        .setKind(statistics.isCategorical() ? DriftKind.CATEGORICAL : DriftKind.NUMERIC)
        .setWindowStart(windowStart)
        .setWindowEnd(windowEnd)
        .setCount(statistics.count())
        .setReferenceCount(statistics.referenceCount())
        .setStatistics(new LinkedHashMap<>(statistics.values()))
        .setDrifted(decision.drifted())
        .setDecidedBy(decision.decidedBy())
        .setThreshold(decision.threshold())
        .setEmittedAt(emittedAt)
        .build();
  }
}

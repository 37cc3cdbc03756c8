package dev.sluice.jobs.retraining;

import java.util.Map;
import java.util.Objects;

/** How a retraining run ended. */
public sealed interface RunResult {
  String runId();

  /** Extra facts for the run's event (rows, data range, wall-clock time). */
  Map<String, String> details();

  /**
   * The run registered {@code version}, whose holdout metrics are {@code candidate}; {@code
   * champion} are the champion's on the same holdout rows (empty without a champion).
   */
  record Succeeded(
      String runId,
      int version,
      Map<String, Double> candidate,
      Map<String, Double> champion,
      Map<String, String> details)
      implements RunResult {
    public Succeeded {
      candidate = Map.copyOf(candidate);
      champion = Map.copyOf(champion);
      details = Map.copyOf(details);
    }
  }

  /** Too little labelled data in the window: nothing was trained. */
  record NotEnoughData(String runId, String reason, Map<String, String> details)
      implements RunResult {
    public NotEnoughData {
      Objects.requireNonNull(reason, "reason");
      details = Map.copyOf(details);
    }
  }

  /** The run failed; {@code reason} names the error. */
  record Failed(String runId, String reason, Map<String, String> details) implements RunResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      details = Map.copyOf(details);
    }
  }
}

package dev.sluice.operators.monitoring;

import dev.sluice.operators.monitoring.drift.DriftPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link DriftMonitorFunction} windows and judges a variable.
 *
 * @param modelName the model whose champion's reference profile the windows are compared with
 * @param window tumbling event-time window length, aligned to the epoch (UTC midnight for days)
 * @param lateness how long after a window's end values are still added (the window is evaluated
 *     when the watermark passes end + lateness)
 * @param policy which statistic decides and its threshold ({@link DriftPolicy#auto()}: Evidently's
 *     defaults)
 * @param minCount windows with fewer values are reported but never flagged as drifted (a tiny
 *     window drifts by chance: 40 values from the reference itself reach Wasserstein 0.14)
 * @param monitorFrom windows ending before this event time are not evaluated (e.g. the weeks a
 *     feature pipeline needs to fill its 30-day windows after a cold start); null for none
 * @param ignored variables not monitored at all, e.g. calendar features, which a daily window
 *     compares with a week-long reference (a day is all weekend or all weekday) and so always
 *     "drift"
 */
public record DriftSettings(
    String modelName,
    Duration window,
    Duration lateness,
    DriftPolicy policy,
    long minCount,
    Instant monitorFrom,
    Set<String> ignored)
    implements Serializable {
  public DriftSettings {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(lateness, "lateness");
    Objects.requireNonNull(policy, "policy");
    if (window.toMillis() <= 0) {
      throw new IllegalArgumentException("drift window must be at least 1 ms, got " + window);
    }
    if (lateness.isNegative()) {
      throw new IllegalArgumentException("drift lateness must not be negative, got " + lateness);
    }
    ignored = Set.copyOf(Objects.requireNonNull(ignored, "ignored"));
    if (minCount < 0) {
      throw new IllegalArgumentException("drift min count must be >= 0, got " + minCount);
    }
  }

  /** Daily windows, 1 hour of lateness, Evidently's defaults, at least 100 values, no warm-up. */
  public static DriftSettings defaults(String modelName) {
    return new DriftSettings(
        modelName,
        Duration.ofDays(1),
        Duration.ofHours(1),
        DriftPolicy.auto(),
        100,
        null,
        Set.of());
  }

  public DriftSettings withMonitorFrom(Instant from) {
    return new DriftSettings(modelName, window, lateness, policy, minCount, from, ignored);
  }

  /** These settings, not monitoring {@code subjects} (feature names). */
  public DriftSettings withIgnored(Set<String> subjects) {
    return new DriftSettings(modelName, window, lateness, policy, minCount, monitorFrom, subjects);
  }
}

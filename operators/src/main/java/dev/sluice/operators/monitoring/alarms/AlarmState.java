package dev.sluice.operators.monitoring.alarms;

/**
 * The hysteresis of one (rule, model, subject): whether its alarm is firing and how many windows in
 * a row have gone the other way. Updated in place by {@link AlarmEvaluator}. A Flink POJO, kept in
 * an {@link AlarmFunction}'s {@code ValueState}.
 */
public final class AlarmState {
  /** Whether a FIRING alert was sent and not yet RESOLVED. */
  public boolean firing;

  /**
   * Not firing: windows in a row in which the condition held. Firing: windows in a row in which it
   * did not.
   */
  public int streak;

  /** Start of the first window of the current streak (when not firing: the condition's onset). */
  public long streakStart;

  /** Start of the latest window evaluated; earlier or equal windows are ignored. */
  public long lastWindowStart = Long.MIN_VALUE;

  /** Id of the firing alert, reused by its RESOLVED alert; null when not firing. */
  public String alertId;

  /** Start of the window in which the alert fired. */
  public long firedWindowStart;

  /** Model version the alert fired for. */
  public int firedModelVersion;

  public AlarmState() {}

  /** Nothing worth keeping: not firing and no streak under way. */
  public boolean idle() {
    return !firing && streak == 0;
  }
}

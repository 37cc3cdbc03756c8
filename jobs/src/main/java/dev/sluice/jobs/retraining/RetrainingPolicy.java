package dev.sluice.jobs.retraining;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the retraining controller decides: when a trigger may start a run (guards), which data a run
 * trains on, and when its model is promoted, rejected or rolled back. Durations are event time (the
 * monitoring topics' clock: simulated time in the demo), so the loop behaves the same at any replay
 * speed.
 *
 * @param cooldown after a run starts, triggers other than a manual request are skipped for this
 *     long
 * @param minLabelledRows a run needs at least this many labelled rows in its training window
 * @param minPositives ... and at least this many frauds among them
 * @param trainDays days of the training window, which ends {@code labelMaturity} before the trigger
 * @param holdoutDays the last days of the window hold the holdout
 * @param holdoutShare share of the cards (customers, by a stable hash) of those days in the
 *     holdout; the other cards' rows of those days are trained on
 * @param labelMaturity the window ends this long before the trigger: the labels of the last hours
 *     are too few to be worth it; a row counts only with a label known at the trigger
 * @param schedule retrain this long after the last run's start, whatever the alarms (null: off)
 * @param labelVolume retrain after this many new labelled decisions since the last run (0: off)
 * @param gateMetric realized metric the gates compare (auc_roc or average_precision)
 * @param offlineMargin the candidate becomes challenger if its holdout metric beats the champion's
 *     by more than this
 * @param liveMinLabelled the live gate and the rollback watch judge once the compared windows hold
 *     this many labelled predictions of each model ...
 * @param liveMinPositives ... with this many frauds
 * @param liveMargin the challenger is promoted if its live shadow metric beats the champion's by
 *     more than this (on the same windows, same transactions); otherwise it is rejected
 * @param rollbackMargin a promoted model is rolled back if its live metric falls below the previous
 *     champion's (now scoring in shadow) by more than this
 * @param maxWait a challenger without enough labels after this long is rejected; a watch without
 *     enough labels after this long is confirmed
 * @param retrainOnRules alarm rules whose FIRING alerts start a run besides those declared with
 *     {@code retrain=true} (empty: only those)
 */
public record RetrainingPolicy(
    Duration cooldown,
    long minLabelledRows,
    long minPositives,
    int trainDays,
    int holdoutDays,
    double holdoutShare,
    Duration labelMaturity,
    Duration schedule,
    long labelVolume,
    String gateMetric,
    double offlineMargin,
    long liveMinLabelled,
    long liveMinPositives,
    double liveMargin,
    double rollbackMargin,
    Duration maxWait,
    Set<String> retrainOnRules) {

  /** The realized metrics a gate can compare. */
  public static final Set<String> GATE_METRICS = Set.of("auc_roc", "average_precision");

  /**
   * Defaults for ~2,000-10,000 transactions a day at 1-4% fraud: a run at most every 5 days, at
   * least 2,000 labelled rows and 30 frauds, 14 days of data ending 1 day before the trigger, a
   * holdout of 30% of the cards of the last 3 days, promotion on AUC after 1,500 labelled shadow
   * predictions with 15 frauds.
   */
  public static final RetrainingPolicy DEFAULTS =
      new RetrainingPolicy(
          Duration.ofDays(5),
          2_000,
          30,
          14,
          3,
          0.3,
          Duration.ofDays(1),
          null,
          0,
          "auc_roc",
          0.0,
          1_500,
          15,
          0.0,
          0.02,
          Duration.ofDays(10),
          Set.of());

  public RetrainingPolicy {
    nonNegative("cooldown", cooldown);
    nonNegative("label maturity", labelMaturity);
    nonNegative("max wait", maxWait);
    if (schedule != null && (schedule.isNegative() || schedule.isZero())) {
      throw new IllegalArgumentException("schedule must be > 0 (or off), got " + schedule);
    }
    atLeast("min labelled rows", minLabelledRows, 1);
    atLeast("min positives", minPositives, 1);
    atLeast("train days", trainDays, 1);
    atLeast("holdout days", holdoutDays, 1);
    if (holdoutDays > trainDays) {
      throw new IllegalArgumentException(
          "holdout days ("
              + holdoutDays
              + ") must not exceed train days ("
              + trainDays
              + "): the holdout is the last days of the window");
    }
    if (!(holdoutShare > 0 && holdoutShare < 1)) {
      throw new IllegalArgumentException(
          "holdout share must be strictly between 0 and 1, got " + holdoutShare);
    }
    atLeast("label volume", labelVolume, 0);
    if (!GATE_METRICS.contains(gateMetric)) {
      throw new IllegalArgumentException(
          "gate metric must be one of " + GATE_METRICS + ", got '" + gateMetric + "'");
    }
    finite("offline margin", offlineMargin);
    finite("live margin", liveMargin);
    finite("rollback margin", rollbackMargin);
    atLeast("live min labelled", liveMinLabelled, 1);
    atLeast("live min positives", liveMinPositives, 1);
    retrainOnRules = Set.copyOf(Objects.requireNonNull(retrainOnRules, "retrainOnRules"));
  }

  /** The same policy with another cool-down. */
  public RetrainingPolicy withCooldown(Duration d) {
    return new Builder(this).cooldown(d).build();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A one-line summary for logs and the demo's banner. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "cool-down %s, >= %,d labelled rows and %d frauds, %d days of data ending %s before the"
            + " trigger, holdout %.0f%% of the cards of the last %d days; promote on live %s"
            + " after %,d labelled shadow predictions (%d frauds); roll back %.2f below the"
            + " previous champion",
        cooldown,
        minLabelledRows,
        minPositives,
        trainDays,
        labelMaturity,
        holdoutShare * 100,
        holdoutDays,
        gateMetric,
        liveMinLabelled,
        liveMinPositives,
        rollbackMargin);
  }

  private static void nonNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + d);
    }
  }

  private static void atLeast(String what, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
    }
  }

  private static void finite(String what, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " must be a finite number, got " + value);
    }
  }

  /** Changes some settings of a policy; {@link #build()} validates. */
  public static final class Builder {
    private Duration cooldown;
    private long minLabelledRows;
    private long minPositives;
    private int trainDays;
    private int holdoutDays;
    private double holdoutShare;
    private Duration labelMaturity;
    private Duration schedule;
    private long labelVolume;
    private String gateMetric;
    private double offlineMargin;
    private long liveMinLabelled;
    private long liveMinPositives;
    private double liveMargin;
    private double rollbackMargin;
    private Duration maxWait;
    private Set<String> retrainOnRules;

    private Builder(RetrainingPolicy p) {
      cooldown = p.cooldown;
      minLabelledRows = p.minLabelledRows;
      minPositives = p.minPositives;
      trainDays = p.trainDays;
      holdoutDays = p.holdoutDays;
      holdoutShare = p.holdoutShare;
      labelMaturity = p.labelMaturity;
      schedule = p.schedule;
      labelVolume = p.labelVolume;
      gateMetric = p.gateMetric;
      offlineMargin = p.offlineMargin;
      liveMinLabelled = p.liveMinLabelled;
      liveMinPositives = p.liveMinPositives;
      liveMargin = p.liveMargin;
      rollbackMargin = p.rollbackMargin;
      maxWait = p.maxWait;
      retrainOnRules = p.retrainOnRules;
    }

    public Builder cooldown(Duration v) {
      cooldown = v;
      return this;
    }

    public Builder minLabelledRows(long v) {
      minLabelledRows = v;
      return this;
    }

    public Builder minPositives(long v) {
      minPositives = v;
      return this;
    }

    public Builder trainDays(int v) {
      trainDays = v;
      return this;
    }

    public Builder holdoutDays(int v) {
      holdoutDays = v;
      return this;
    }

    public Builder holdoutShare(double v) {
      holdoutShare = v;
      return this;
    }

    public Builder labelMaturity(Duration v) {
      labelMaturity = v;
      return this;
    }

    public Builder schedule(Duration v) {
      schedule = v;
      return this;
    }

    public Builder labelVolume(long v) {
      labelVolume = v;
      return this;
    }

    public Builder gateMetric(String v) {
      gateMetric = v;
      return this;
    }

    public Builder offlineMargin(double v) {
      offlineMargin = v;
      return this;
    }

    public Builder liveMinLabelled(long v) {
      liveMinLabelled = v;
      return this;
    }

    public Builder liveMinPositives(long v) {
      liveMinPositives = v;
      return this;
    }

    public Builder liveMargin(double v) {
      liveMargin = v;
      return this;
    }

    public Builder rollbackMargin(double v) {
      rollbackMargin = v;
      return this;
    }

    public Builder maxWait(Duration v) {
      maxWait = v;
      return this;
    }

    public Builder retrainOnRules(Set<String> v) {
      retrainOnRules = v;
      return this;
    }

    public RetrainingPolicy build() {
      return new RetrainingPolicy(
          cooldown,
          minLabelledRows,
          minPositives,
          trainDays,
          holdoutDays,
          holdoutShare,
          labelMaturity,
          schedule,
          labelVolume,
          gateMetric,
          offlineMargin,
          liveMinLabelled,
          liveMinPositives,
          liveMargin,
          rollbackMargin,
          maxWait,
          retrainOnRules);
    }
  }
}

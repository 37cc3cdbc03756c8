package dev.sluice.cli;

import dev.sluice.jobs.retraining.RetrainingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The retraining controller's policy on the command line ({@code retrain controller} and {@code
 * demo}). Every option defaults to {@link RetrainingPolicy#DEFAULTS}; durations are event time.
 */
public final class RetrainingOptions {
  private static final RetrainingPolicy D = RetrainingPolicy.DEFAULTS;

  @Option(
      names = "--cooldown",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "After a run starts, skip alarm, schedule and volume triggers for this long (event time;"
              + " default 5d).")
  Duration cooldown = D.cooldown();

  @Option(
      names = "--min-labelled-rows",
      paramLabel = "N",
      description = "A run needs this many labelled training rows (default: 2000).")
  long minLabelledRows = D.minLabelledRows();

  @Option(
      names = "--min-frauds",
      paramLabel = "N",
      description = "... and this many frauds among them (default: 30).")
  long minPositives = D.minPositives();

  @Option(
      names = "--train-days",
      paramLabel = "DAYS",
      description = "Days of data a run trains on (default: 14).")
  int trainDays = D.trainDays();

  @Option(
      names = "--holdout-days",
      paramLabel = "DAYS",
      description = "The holdout is taken from the window's last DAYS days (default: 3).")
  int holdoutDays = D.holdoutDays();

  @Option(
      names = "--holdout-share",
      paramLabel = "FRACTION",
      description =
          "Share of the cards of those days held out (not trained on) to compare the candidate"
              + " with the champion (default: 0.3).")
  double holdoutShare = D.holdoutShare();

  @Option(
      names = "--label-maturity",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "The training window ends this long before the trigger; only labels known at the trigger"
              + " count (default: 1d).")
  Duration labelMaturity = D.labelMaturity();

  @Option(
      names = "--schedule",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Also retrain this long after the last run (event time; default: off).")
  Duration schedule = D.schedule();

  @Option(
      names = "--label-volume",
      paramLabel = "N",
      description =
          "Also retrain after N new labelled decisions since the last run (default: 0 = off).")
  long labelVolume = D.labelVolume();

  @Option(
      names = "--gate-metric",
      paramLabel = "METRIC",
      description = "auc_roc or average_precision: what the gates compare (default: auc_roc).")
  String gateMetric = D.gateMetric();

  @Option(
      names = "--live-min-labelled",
      paramLabel = "N",
      description =
          "Promote or reject a challenger (and confirm or roll back a promotion) once each side"
              + " has N labelled live predictions on the same days (default: 1500) ...")
  long liveMinLabelled = D.liveMinLabelled();

  @Option(
      names = "--live-min-frauds",
      paramLabel = "N",
      description = "... with N frauds (default: 15).")
  long liveMinPositives = D.liveMinPositives();

  @Option(
      names = "--live-margin",
      paramLabel = "DELTA",
      description =
          "Promote when the challenger's live metric is better by more than this (default: 0).")
  double liveMargin = D.liveMargin();

  @Option(
      names = "--rollback-margin",
      paramLabel = "DELTA",
      description =
          "Roll back a promoted model whose live metric falls below the previous champion's by"
              + " more than this (default: 0.02).")
  double rollbackMargin = D.rollbackMargin();

  @Option(
      names = "--max-wait",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "Reject a challenger (confirm a promotion) still without enough labels after this long"
              + " (default: 10d).")
  Duration maxWait = D.maxWait();

  @Option(
      names = "--retrain-on",
      split = ",",
      paramLabel = "RULE",
      description =
          "Alarm rules whose FIRING alerts also start a run, besides those declared retrain=true.")
  List<String> retrainOn = List.of();

  /** The policy, or an IllegalArgumentException naming the setting that is wrong. */
  RetrainingPolicy policy() {
    // The offline margin has no option: it stays at the default.
    return D.toBuilder()
        .cooldown(cooldown)
        .minLabelledRows(minLabelledRows)
        .minPositives(minPositives)
        .trainDays(trainDays)
        .holdoutDays(holdoutDays)
        .holdoutShare(holdoutShare)
        .labelMaturity(labelMaturity)
        .schedule(schedule)
        .labelVolume(labelVolume)
        .gateMetric(gateMetric)
        .liveMinLabelled(liveMinLabelled)
        .liveMinPositives(liveMinPositives)
        .liveMargin(liveMargin)
        .rollbackMargin(rollbackMargin)
        .maxWait(maxWait)
        .retrainOnRules(Set.copyOf(retrainOn))
        .build();
  }
}

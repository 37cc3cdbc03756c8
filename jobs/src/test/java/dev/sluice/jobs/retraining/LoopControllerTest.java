package dev.sluice.jobs.retraining;

import static dev.sluice.jobs.retraining.LoopFixtures.alert;
import static dev.sluice.jobs.retraining.LoopFixtures.day;
import static dev.sluice.jobs.retraining.LoopFixtures.metrics;
import static dev.sluice.jobs.retraining.LoopFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.jobs.retraining.LoopController.Action;
import dev.sluice.jobs.retraining.LoopController.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoopControllerTest {
  private static final Clock WALL =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final RetrainingPolicy POLICY =
      RetrainingPolicy.DEFAULTS.toBuilder()
          .cooldown(Duration.ofDays(5))
          .minLabelledRows(1_000)
          .liveMinLabelled(1_000)
          .liveMinPositives(10)
          .liveMargin(0.0)
          .rollbackMargin(0.02)
          .maxWait(Duration.ofDays(10))
          .build();

  private final List<Step> log = new ArrayList<>();

  private LoopController controller(RetrainingPolicy policy) {
    LoopController c = new LoopController("fraud", policy, WALL);
    c.champion(1);
    return c;
  }

  /** Days of champion decisions with plenty of labels, so the data pre-check passes. */
  private void history(LoopController c, int fromDay, int toDay) {
    for (int d = fromDay; d < toDay; d++) {
      log.addAll(c.onMetrics(metrics(1, false, d, 1_900, 40, 0.9)));
    }
  }

  private static List<RetrainingEventType> types(List<Step> steps) {
    return steps.stream().map(s -> s.event().getType()).toList();
  }

  private static RunResult.Succeeded succeeded(
      String runId, int version, double mine, double champ) {
    return new RunResult.Succeeded(
        runId, version, Map.of("auc_roc", mine), Map.of("auc_roc", champ), Map.of("rows", "5000"));
  }

  @Test
  void aRetrainAlertOnTheChampionStartsARunOverTheMatureWindow() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    List<Step> steps = c.onAlert(alert(20, 1, true, AlertState.FIRING));

    assertThat(types(steps)).containsExactly(RetrainingEventType.STARTED);
    Step start = steps.get(0);
    assertThat(start.action()).isEqualTo(Action.START_RUN);
    RunSpec run = start.run();
    assertThat(run.runId()).isEqualTo("fraud-run-1");
    assertThat(run.trigger()).isEqualTo(RetrainingTrigger.ALERT);
    assertThat(run.triggerDetail()).contains("error-rate-rise/errors/page_hinkley/20");
    assertThat(run.asOf()).isEqualTo(day(21));
    assertThat(run.windowEnd()).isEqualTo(day(20)); // 1 day of label maturity
    assertThat(run.windowStart()).isEqualTo(day(6)); // 14 days
    assertThat(run.holdoutStart()).isEqualTo(day(17)); // last 3 days
    assertThat(run.championVersion()).isEqualTo(1);
    assertThat(start.event().getDetails()).containsEntry("labels_known_by", day(21).toString());
  }

  @Test
  void alertsThatDoNotAskForRetrainingOrAreResolvedOrForAnotherModelDoNothing() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    assertThat(c.onAlert(alert(20, 1, false, AlertState.FIRING))).isEmpty();
    assertThat(c.onAlert(alert(20, 1, true, AlertState.RESOLVED))).isEmpty();
    Alert other = alert(20, 1, true, AlertState.FIRING);
    other.setModelName("other");
    assertThat(c.onAlert(other)).isEmpty();

    LoopController byName =
        controller(POLICY.toBuilder().retrainOnRules(java.util.Set.of("error-rate-rise")).build());
    history(byName, 0, 20);
    assertThat(types(byName.onAlert(alert(20, 1, false, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.STARTED);
  }

  @Test
  void anAlertDeliveredTwiceIsHandledOnce() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    assertThat(types(c.onAlert(alert(20, 1, true, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.STARTED);
    assertThat(c.onAlert(alert(20, 1, true, AlertState.FIRING))).isEmpty();
  }

  @Test
  void anAlertAboutAnotherVersionThanTheChampionIsSkippedWithTheReason() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    List<Step> steps = c.onAlert(alert(20, 7, true, AlertState.FIRING));
    assertThat(types(steps)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(steps.get(0).event().getReason()).contains("v7").contains("champion is v1");
  }

  @Test
  void oneRunAtATime() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    assertThat(types(c.onAlert(alert(20, 1, true, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.STARTED);
    // A manual request ignores the cool-down, but not the run in progress.
    List<Step> steps = c.onRequest(request("r-1"));
    assertThat(types(steps)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(steps.get(0).event().getReason())
        .contains("one run at a time")
        .contains("fraud-run-1");
    assertThat(steps.get(0).event().getTrigger()).isEqualTo(RetrainingTrigger.MANUAL);
    assertThat(steps.get(0).event().getDetails()).containsEntry("request", "r-1");
  }

  @Test
  void coolDownSkipsAlertsButNotManualRequestsAndEndsOnTime() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(new RunResult.Failed("fraud-run-1", "boom", Map.of()));

    List<Step> early = c.onAlert(alert(24, 1, true, AlertState.FIRING)); // 4 days after day 21
    assertThat(types(early)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(early.get(0).event().getReason()).contains("cool-down").contains(day(26).toString());

    LoopController manual = controller(POLICY);
    history(manual, 0, 20);
    manual.onAlert(alert(20, 1, true, AlertState.FIRING));
    manual.onRunFinished(new RunResult.Failed("fraud-run-1", "boom", Map.of()));
    history(manual, 20, 22);
    assertThat(types(manual.onRequest(request("r-2"))))
        .containsExactly(RetrainingEventType.STARTED);

    history(c, 24, 25); // now day 25: still cooling
    assertThat(types(c.onAlert(alert(23, 1, true, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.SKIPPED);
    List<Step> onTime = c.onAlert(alert(25, 1, true, AlertState.FIRING)); // day 26
    assertThat(types(onTime)).containsExactly(RetrainingEventType.STARTED);
    assertThat(onTime.get(0).run().runId()).isEqualTo("fraud-run-2");
  }

  @Test
  void tooFewLabelledDecisionsInTheWindowSkipTheRun() {
    LoopController c = controller(POLICY);
    for (int d = 0; d < 20; d++) {
      c.onMetrics(metrics(1, false, d, 50, 1, 0.9)); // 14 days x 50 = 700 < 1,000
    }
    List<Step> steps = c.onAlert(alert(20, 1, true, AlertState.FIRING));
    assertThat(types(steps)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(steps.get(0).event().getReason()).contains("too little data").contains("700");
    assertThat(c.running()).isFalse();
  }

  @Test
  void aRunWithTooLittleDataDoesNotStartTheCoolDown() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    List<Step> end =
        c.onRunFinished(
            new RunResult.NotEnoughData("fraud-run-1", "only 12 frauds (minimum 30)", Map.of()));
    assertThat(types(end)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(end.get(0).event().getRunId()).isEqualTo("fraud-run-1");
    assertThat(types(c.onAlert(alert(21, 1, true, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.STARTED);
  }

  @Test
  void offlineGateRejectsACandidateThatDoesNotBeatTheChampionOnTheHoldout() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    List<Step> steps = c.onRunFinished(succeeded("fraud-run-1", 3, 0.80, 0.82));
    assertThat(types(steps))
        .containsExactly(RetrainingEventType.SUCCEEDED, RetrainingEventType.REJECTED);
    assertThat(steps.get(1).action()).isEqualTo(Action.NONE);
    assertThat(steps.get(1).event().getReason())
        .contains("offline gate")
        .contains("0.8000")
        .contains("0.8200");
    assertThat(steps.get(0).event().getMetrics())
        .containsEntry("holdout.auc_roc", 0.80)
        .containsEntry("champion.holdout.auc_roc", 0.82);
  }

  @Test
  void liveGatePromotesAChallengerThatBeatsTheChampionOnTheSameWindows() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    history(c, 20, 22); // now day 22
    List<Step> offline = c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60));
    assertThat(types(offline))
        .containsExactly(RetrainingEventType.SUCCEEDED, RetrainingEventType.CHALLENGER);
    assertThat(offline.get(1).action()).isEqualTo(Action.SET_CHALLENGER);

    assertThat(offline.get(1).event().getDetails())
        .containsEntry(LoopController.COMPARED_FROM, day(23).toString());
    // The window the alias moved in (day 22: the job was somewhere in it) and earlier ones do not
    // count, even with shadow records: the challenger scored only part of them.
    assertThat(c.onMetrics(metrics(3, true, 21, 5_000, 100, 0.99))).isEmpty();
    assertThat(c.onMetrics(metrics(1, false, 22, 5_000, 100, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(3, true, 22, 5_000, 100, 0.99))).isEmpty();
    // Day 23 and 24: enough labels on both sides of the pair, challenger better.
    assertThat(c.onMetrics(metrics(1, false, 23, 600, 12, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(3, true, 23, 600, 12, 0.91))).isEmpty(); // 600 < 1,000
    c.onMetrics(metrics(1, false, 24, 500, 10, 0.64));
    List<Step> promoted = c.onMetrics(metrics(3, true, 24, 500, 10, 0.89));
    assertThat(types(promoted)).containsExactly(RetrainingEventType.PROMOTED);
    Step p = promoted.get(0);
    assertThat(p.action()).isEqualTo(Action.PROMOTE);
    assertThat(p.event().getVersion()).isEqualTo(3);
    assertThat(p.event().getChampionVersion()).isEqualTo(1);
    // Weighted by labelled: (0.91*600 + 0.89*500) / 1100 and (0.62*600 + 0.64*500) / 1100.
    assertThat(p.event().getMetrics().get("live.auc_roc"))
        .isCloseTo((0.91 * 600 + 0.89 * 500) / 1100, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(p.event().getMetrics().get("champion.live.auc_roc"))
        .isCloseTo((0.62 * 600 + 0.64 * 500) / 1100, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(c.champion()).isEqualTo(3);
  }

  @Test
  void aWindowCountsOnlyOnceBothModelsReportTheSameLabelledPredictions() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60)); // compared from day 22
    assertThat(c.onMetrics(metrics(1, false, 22, 400, 10, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(3, true, 22, 400, 10, 0.91))).isEmpty();
    assertThat(c.onMetrics(metrics(1, false, 23, 300, 10, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(3, true, 23, 300, 10, 0.91))).isEmpty(); // 700 < 1,000
    // The next day boundary updates both windows, champion's records first. After the
    // challenger's day-22 record, day 23 still pairs a new record (500) with an old one (300):
    // mixing them would judge on 1,300 against 1,100 labelled predictions of different rows.
    assertThat(c.onMetrics(metrics(1, false, 22, 800, 20, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(1, false, 23, 500, 12, 0.62))).isEmpty();
    assertThat(c.onMetrics(metrics(3, true, 22, 800, 20, 0.91))).isEmpty();
    List<Step> steps = c.onMetrics(metrics(3, true, 23, 500, 12, 0.91));
    assertThat(types(steps)).containsExactly(RetrainingEventType.PROMOTED);
    assertThat(steps.get(0).event().getMetrics())
        .containsEntry("live.labelled", 1_300.0)
        .containsEntry("champion.live.labelled", 1_300.0);
  }

  @Test
  void liveGateRejectsAChallengerThatIsNotBetterLive() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60));
    c.onMetrics(metrics(1, false, 22, 1_200, 20, 0.88));
    List<Step> steps = c.onMetrics(metrics(3, true, 22, 1_200, 20, 0.86));
    assertThat(types(steps)).containsExactly(RetrainingEventType.REJECTED);
    assertThat(steps.get(0).action()).isEqualTo(Action.REJECT_CHALLENGER);
    assertThat(steps.get(0).event().getReason()).contains("live gate").contains("0.8600");
    assertThat(c.champion()).isEqualTo(1);
  }

  @Test
  void aChallengerWithoutEnoughLabelsIsRejectedAfterTheMaximumWait() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60)); // compared from day 22
    for (int d = 21; d < 32; d++) {
      assertThat(c.onMetrics(metrics(1, false, d, 20, 1, 0.7))).isEmpty();
      assertThat(c.onMetrics(metrics(3, true, d, 20, 1, 0.9))).isEmpty();
    }
    List<Step> steps = c.onMetrics(metrics(1, false, 32, 20, 1, 0.7)); // day 33 > 22 + 10
    assertThat(types(steps)).containsExactly(RetrainingEventType.REJECTED);
    assertThat(steps.get(0).event().getReason()).contains("not enough labels");
  }

  @Test
  void aPromotedModelThatFallsBelowThePreviousChampionIsRolledBack() {
    LoopController c = promotedV3();
    // v3 decides, v1 scores in shadow: v1 is better by more than the 0.02 margin.
    c.onMetrics(metrics(3, false, 25, 1_100, 20, 0.80));
    List<Step> steps = c.onMetrics(metrics(1, true, 25, 1_100, 20, 0.85));
    assertThat(types(steps)).containsExactly(RetrainingEventType.ROLLED_BACK);
    assertThat(steps.get(0).action()).isEqualTo(Action.ROLLBACK);
    assertThat(steps.get(0).event().getChampionVersion()).isEqualTo(1);
    assertThat(c.champion()).isEqualTo(1);
  }

  @Test
  void aPromotedModelWithinTheMarginIsConfirmed() {
    LoopController c = promotedV3();
    c.onMetrics(metrics(3, false, 25, 1_100, 20, 0.84));
    List<Step> steps = c.onMetrics(metrics(1, true, 25, 1_100, 20, 0.85));
    assertThat(types(steps)).containsExactly(RetrainingEventType.CONFIRMED);
    assertThat(c.champion()).isEqualTo(3);
    assertThat(c.describe()).startsWith("idle");
  }

  @Test
  void triggersWaitWhileAChallengerOrAPromotionIsUnderEvaluation() {
    LoopController c = controller(POLICY.withCooldown(Duration.ZERO));
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60));
    List<Step> steps = c.onAlert(alert(21, 1, true, AlertState.FIRING));
    assertThat(types(steps)).containsExactly(RetrainingEventType.SKIPPED);
    assertThat(steps.get(0).event().getReason()).contains("challenger");
  }

  @Test
  void scheduleAndLabelVolumeTriggerRuns() {
    LoopController scheduled = controller(POLICY.toBuilder().schedule(Duration.ofDays(7)).build());
    List<Step> steps = new ArrayList<>();
    for (int d = 0; d < 8; d++) {
      steps.addAll(scheduled.onMetrics(metrics(1, false, d, 1_900, 40, 0.9)));
    }
    // First window ends day 1; 7 days later (day 8) the schedule fires.
    assertThat(types(steps)).containsExactly(RetrainingEventType.STARTED);
    assertThat(steps.get(0).event().getAsOf()).isEqualTo(day(8));
    assertThat(steps.get(0).event().getTrigger()).isEqualTo(RetrainingTrigger.SCHEDULE);

    LoopController volume = controller(POLICY.toBuilder().labelVolume(10_000).build());
    List<Step> v = new ArrayList<>();
    for (int d = 0; d < 5; d++) {
      v.addAll(volume.onMetrics(metrics(1, false, d, 1_900, 40, 0.9)));
    }
    assertThat(v).isEmpty(); // 9,500
    v.addAll(volume.onMetrics(metrics(1, false, 5, 1_900, 40, 0.9)));
    assertThat(types(v)).containsExactly(RetrainingEventType.STARTED);
    assertThat(v.get(0).event().getTrigger()).isEqualTo(RetrainingTrigger.LABEL_VOLUME);
    assertThat(v.get(0).event().getTriggerDetail()).contains("11,400");
  }

  @Test
  void aNewControllerRestoresTheLoopFromItsEvents() {
    LoopController c = controller(POLICY);
    List<Step> all = new ArrayList<>();
    history(c, 0, 20);
    all.addAll(c.onAlert(alert(20, 1, true, AlertState.FIRING)));
    all.addAll(c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60)));
    all.addAll(c.onRequest(request("r-9")));

    LoopController restored = new LoopController("fraud", POLICY, WALL);
    restored.champion(1);
    for (Step s : all) {
      restored.restore(s.event());
    }
    assertThat(restored.afterRestore()).isEmpty();
    assertThat(restored.describe()).isEqualTo(c.describe()).contains("v3");
    // The handled request is not taken up again.
    assertThat(restored.onRequest(request("r-9"))).isEmpty();

    // A request nobody took up yet is waiting, and says so.
    LoopController waiting = controller(POLICY);
    waiting.restore(request("r-10"));
    assertThat(waiting.describe())
        .isEqualTo("idle, champion v1; 1 request(s) waiting for the controller");

    // A run that was in progress when the controller stopped is recorded as failed.
    LoopController mid = controller(POLICY);
    history(mid, 0, 20);
    List<Step> started = mid.onAlert(alert(20, 1, true, AlertState.FIRING));
    LoopController after = controller(POLICY);
    started.forEach(s -> after.restore(s.event()));
    List<Step> lost = after.afterRestore();
    assertThat(types(lost)).containsExactly(RetrainingEventType.FAILED);
    assertThat(lost.get(0).event().getRunId()).isEqualTo("fraud-run-1");
    assertThat(after.running()).isFalse();
    // The cool-down still counts from the lost run.
    history(after, 20, 22);
    assertThat(types(after.onAlert(alert(22, 1, true, AlertState.FIRING))))
        .containsExactly(RetrainingEventType.SKIPPED);
  }

  @Test
  void aFinishedRunMustBeTheRunningOne() {
    LoopController c = controller(POLICY);
    assertThatThrownBy(() -> c.onRunFinished(new RunResult.Failed("fraud-run-9", "x", Map.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fraud-run-9");
  }

  @Test
  void policyRefusesSettingsThatCannotWork() {
    assertThatThrownBy(() -> POLICY.toBuilder().holdoutDays(20).build())
        .hasMessageContaining("holdout days (20) must not exceed train days (14)");
    assertThatThrownBy(() -> POLICY.toBuilder().holdoutShare(1).build())
        .hasMessageContaining("holdout share");
    assertThatThrownBy(() -> POLICY.toBuilder().gateMetric("accuracy").build())
        .hasMessageContaining("gate metric")
        .hasMessageContaining("accuracy");
    assertThatThrownBy(() -> POLICY.toBuilder().cooldown(Duration.ofDays(-1)).build())
        .hasMessageContaining("cooldown");
  }

  private LoopController promotedV3() {
    LoopController c = controller(POLICY);
    history(c, 0, 20);
    c.onAlert(alert(20, 1, true, AlertState.FIRING));
    c.onRunFinished(succeeded("fraud-run-1", 3, 0.90, 0.60));
    c.onMetrics(metrics(1, false, 22, 1_100, 20, 0.6));
    List<Step> promoted = c.onMetrics(metrics(3, true, 22, 1_100, 20, 0.9));
    assertThat(types(promoted)).containsExactly(RetrainingEventType.PROMOTED);
    // Promoted at day 23: the watch compares from the day-24 windows.
    assertThat(promoted.get(0).event().getDetails())
        .containsEntry(LoopController.COMPARED_FROM, day(24).toString());
    c.onMetrics(metrics(3, false, 23, 5_000, 100, 0.10)); // the day it was promoted in: ignored
    assertThat(c.onMetrics(metrics(1, true, 23, 5_000, 100, 0.99))).isEmpty();
    c.onMetrics(metrics(3, false, 24, 100, 2, 0.85));
    assertThat(c.onMetrics(metrics(1, true, 24, 100, 2, 0.85))).isEmpty();
    return c;
  }
}

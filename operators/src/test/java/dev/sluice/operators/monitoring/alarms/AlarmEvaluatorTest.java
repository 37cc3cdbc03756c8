package dev.sluice.operators.monitoring.alarms;

import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.MODEL;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.VERSION;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.drift;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.observation;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.windowStart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure hysteresis: when exactly one FIRING and one RESOLVED come out, and what they say. */
class AlarmEvaluatorTest {
  private static final AlarmRule PSI = AlarmRule.onDrift("psi", "psi").above(0.2).build();
  private static final AlarmRule PSI_3_2 =
      AlarmRule.onDrift("psi-3-2", "psi").above(0.2).fireAfter(3).resolveAfter(2).build();

  /**
   * Runs one key through values for windows 0, 1, ...; returns the alerts by window (null = none).
   */
  private static List<Alert> run(AlarmRule rule, AlarmState state, double... values) {
    List<Alert> alerts = new ArrayList<>();
    for (int w = 0; w < values.length; w++) {
      alerts.add(
          AlarmEvaluator.evaluate(rule, state, observation(rule.name(), "amount", w, values[w]))
              .orElse(null));
    }
    return alerts;
  }

  private static List<String> states(List<Alert> alerts) {
    return alerts.stream().map(a -> a == null ? "-" : a.getState().name()).toList();
  }

  @Test
  void aConditionThatStaysTrueFiresOnceAndResolvesOnce() {
    List<Alert> alerts = run(PSI, new AlarmState(), 0.1, 0.3, 0.4, 0.5, 0.1, 0.05);
    assertThat(states(alerts)).containsExactly("-", "FIRING", "-", "-", "RESOLVED", "-");
    assertThat(alerts.get(4).getAlertId()).isEqualTo(alerts.get(1).getAlertId());
    assertThat(alerts.get(1).getConsecutiveWindows()).isEqualTo(1);
  }

  @Test
  void flappingAroundTheThresholdFiresOnceWithHysteresis() {
    // Above, below, above, below ... : with resolve_after=2 a single good window never resolves.
    double[] flapping = {0.3, 0.3, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1};
    List<Alert> alerts = run(PSI_3_2, new AlarmState(), flapping);
    assertThat(states(alerts))
        .containsExactly("-", "-", "FIRING", "-", "-", "-", "-", "-", "-", "-");
    // Without hysteresis (1 and 1) the same values alert on every change of side.
    assertThat(states(run(PSI, new AlarmState(), flapping)))
        .containsExactly(
            "FIRING",
            "-",
            "-",
            "RESOLVED",
            "FIRING",
            "RESOLVED",
            "FIRING",
            "RESOLVED",
            "FIRING",
            "RESOLVED");
  }

  @Test
  void firesOnlyAfterNConsecutiveWindowsAndAGoodWindowRestartsTheCount() {
    List<Alert> alerts = run(PSI_3_2, new AlarmState(), 0.3, 0.3, 0.1, 0.3, 0.3, 0.3, 0.3);
    assertThat(states(alerts)).containsExactly("-", "-", "-", "-", "-", "FIRING", "-");
    Alert fired = alerts.get(5);
    assertThat(fired.getConsecutiveWindows()).isEqualTo(3);
    assertThat(fired.getWindowStart()).isEqualTo(Instant.ofEpochMilli(windowStart(5)));
    assertThat(fired.getRaisedAt()).isEqualTo(Instant.ofEpochMilli(windowStart(6)));
    assertThat(fired.getEvidence())
        .containsEntry("condition_since", Instant.ofEpochMilli(windowStart(3)).toString());
  }

  @Test
  void resolvesAfterMConsecutiveGoodWindows() {
    AlarmState state = new AlarmState();
    List<Alert> alerts = run(PSI_3_2, state, 0.3, 0.3, 0.3, 0.1, 0.3, 0.1, 0.1, 0.1);
    assertThat(states(alerts)).containsExactly("-", "-", "FIRING", "-", "-", "-", "RESOLVED", "-");
    Alert resolved = alerts.get(6);
    assertThat(resolved.getConsecutiveWindows()).isEqualTo(2);
    assertThat(resolved.getValue()).isEqualTo(0.1);
    assertThat(resolved.getEvidence())
        .containsEntry("fired_window_start", Instant.ofEpochMilli(windowStart(2)).toString());
    assertThat(state.idle()).isTrue();
  }

  @Test
  void theAlertCarriesItsEvidence() {
    Alert alert =
        run(
                AlarmRule.onDrift("psi", "psi").above(0.2).runbook("look upstream").build(),
                new AlarmState(),
                0.31)
            .get(0);
    assertThat(alert.getState()).isEqualTo(AlertState.FIRING);
    assertThat(alert.getRule()).isEqualTo("psi");
    assertThat(alert.getSubject()).isEqualTo("amount");
    assertThat(alert.getModelName()).isEqualTo(MODEL);
    assertThat(alert.getModelVersion()).isEqualTo(VERSION);
    assertThat(alert.getStatistic()).isEqualTo("psi");
    assertThat(alert.getValue()).isEqualTo(0.31);
    assertThat(alert.getThreshold()).isEqualTo(0.2);
    assertThat(alert.getRunbook()).isEqualTo("look upstream");
    assertThat(alert.getMessage())
        .isEqualTo(
            "psi of 'amount' of fraud v3 > 0.2 for 1 window: 0.31 in the window from "
                + "2024-03-01T00:00:00Z");
    assertThat(alert.getEvidence())
        .containsEntry("rule", "psi > 0.2 on * for 1 window, resolved after 1")
        .containsEntry("window", "[2024-03-01T00:00:00Z, 2024-03-01T01:00:00Z)")
        .containsEntry("value", "0.31")
        .containsEntry("threshold", "> 0.2")
        .containsEntry("model_version", "3")
        .containsEntry("reference", "profile of fraud v3");
  }

  @Test
  void idsAreDeterministicSoAReplayGivesTheSameAlerts() {
    double[] values = {0.1, 0.3, 0.3, 0.3, 0.1, 0.1, 0.3, 0.3, 0.3};
    List<Alert> first = run(PSI_3_2, new AlarmState(), values);
    List<Alert> replay = run(PSI_3_2, new AlarmState(), values);
    assertThat(replay).isEqualTo(first);
    List<String> ids =
        first.stream().filter(a -> a != null).map(Alert::getAlertId).distinct().toList();
    assertThat(ids).hasSize(2); // two incidents, each FIRING and RESOLVED share an id
    assertThat(ids.get(0))
        .isEqualTo(AlarmEvaluator.alertId("psi-3-2", MODEL, VERSION, "amount", windowStart(3)));
    // Any part of the identity changes the id.
    assertThat(AlarmEvaluator.alertId("psi-3-2", MODEL, VERSION + 1, "amount", windowStart(3)))
        .isNotEqualTo(ids.get(0));
    assertThat(AlarmEvaluator.alertId("psi-3-2", MODEL, VERSION, "age", windowStart(3)))
        .isNotEqualTo(ids.get(0));
  }

  @Test
  void replayedOrOutOfOrderWindowsAndNaNsChangeNothing() {
    AlarmState state = new AlarmState();
    run(PSI_3_2, state, 0.3, 0.3);
    assertThat(state.streak).isEqualTo(2);
    // Window 1 again (a replay) and window 0 (late) are ignored, as is an undefined value.
    assertThat(AlarmEvaluator.evaluate(PSI_3_2, state, observation("psi-3-2", "amount", 1, 0.9)))
        .isEmpty();
    assertThat(AlarmEvaluator.evaluate(PSI_3_2, state, observation("psi-3-2", "amount", 0, 0.9)))
        .isEmpty();
    assertThat(
            AlarmEvaluator.evaluate(
                PSI_3_2, state, observation("psi-3-2", "amount", 2, Double.NaN)))
        .isEmpty();
    assertThat(state.streak).isEqualTo(2);
    assertThat(AlarmEvaluator.evaluate(PSI_3_2, state, observation("psi-3-2", "amount", 3, 0.3)))
        .get()
        .extracting(Alert::getState)
        .isEqualTo(AlertState.FIRING);
  }

  @Test
  void aBelowRuleFiresUnderTheThreshold() {
    AlarmRule auc = AlarmRule.onMetrics("auc", "auc_roc").below(0.8).build();
    assertThat(states(run(auc, new AlarmState(), 0.85, 0.8, 0.79, 0.9)))
        .containsExactly("-", "-", "FIRING", "RESOLVED");
  }

  /**
   * 40 features drift together in one window: the per-feature rule raises 40 alerts, the
   * dataset-level rule one, which names them.
   */
  @Test
  void aDriftStormRaisesOneDatasetAlertInsteadOfOnePerFeature() {
    AlarmRules rules =
        AlarmRules.of(
            AlarmRule.onDrift("feature-psi", "psi").above(0.2).build(),
            AlarmRule.onDrift("many-drifted", "drifted_share").above(0.5).build());
    List<DriftResult> storm = new ArrayList<>();
    for (int f = 0; f < 50; f++) {
      boolean drifted = f < 40;
      storm.add(drift(String.format("f%02d", f), 0, drifted ? 0.4 : 0.05, drifted));
    }
    storm.add(drift("score", 0, 0.5, true)); // not a feature: not in the share

    java.util.Map<String, AlarmState> states = new java.util.HashMap<>();
    java.util.Map<String, Observation> datasetWindow = new java.util.HashMap<>();
    List<Alert> perFeature = new ArrayList<>();
    for (DriftResult r : storm) {
      for (Observation o : rules.observations(r)) {
        if (rules.rule(o.rule).datasetLevel()) {
          datasetWindow.merge(
              o.key(),
              o,
              (a, b) -> {
                a.merge(b);
                return a;
              });
        } else {
          AlarmEvaluator.evaluate(
                  rules.rule(o.rule), states.computeIfAbsent(o.key(), k -> new AlarmState()), o)
              .ifPresent(perFeature::add);
        }
      }
    }
    assertThat(perFeature).hasSize(41); // 40 features and the score

    assertThat(datasetWindow).hasSize(1);
    Observation window = datasetWindow.values().iterator().next();
    assertThat(window.value).isEqualTo(0.8);
    Alert one =
        AlarmEvaluator.evaluate(rules.rule("many-drifted"), new AlarmState(), window).orElseThrow();
    assertThat(one.getSubject()).isEqualTo("*");
    assertThat(one.getValue()).isEqualTo(0.8);
    assertThat(one.getEvidence())
        .containsEntry("drifted_count", "40")
        .containsEntry("features_count", "50")
        .containsEntry("drifted_features", String.join(",", window.driftedFeatures));
    assertThat(one.getEvidence().get("drifted_features"))
        .startsWith("f00,f01,")
        .doesNotContain("score", "f40");
    assertThat(one.getMessage()).contains("(40 of 50 features: f00, f01,");

    // Below the share, the dataset rule stays quiet even if some features drift.
    Observation few =
        rules.observations(drift("f00", 1, 0.4, true)).stream()
            .filter(o -> o.rule.equals("many-drifted"))
            .findFirst()
            .orElseThrow();
    few.merge(rules.observations(drift("f01", 1, 0.05, false)).get(1));
    few.merge(rules.observations(drift("f02", 1, 0.05, false)).get(1));
    assertThat(few.value).isEqualTo(1.0 / 3);
    assertThat(AlarmEvaluator.evaluate(rules.rule("many-drifted"), new AlarmState(), few))
        .isEmpty();
  }

  @Test
  void mergingIsASetUnionSoReplayedResultsDoNotCountTwice() {
    AlarmRules rules =
        AlarmRules.of(AlarmRule.onDrift("share", "drifted_share").above(0.5).build());
    Observation window = rules.observations(drift("a", 0, 0.4, true)).get(0);
    window.merge(rules.observations(drift("a", 0, 0.4, true)).get(0));
    window.merge(rules.observations(drift("b", 0, 0.1, false)).get(0));
    assertThat(window.features).containsExactly("a", "b");
    assertThat(window.value).isEqualTo(0.5);
  }
}

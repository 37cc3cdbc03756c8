package dev.sluice.operators.monitoring.alarms;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a (rule, model, subject)'s window observations into alerts with hysteresis, as a pure
 * function of the rule, the {@link AlarmState} (updated in place) and the observation:
 *
 * <ul>
 *   <li>not firing, the condition held for {@code fireAfter} windows in a row: one FIRING alert;
 *   <li>firing, it did not hold for {@code resolveAfter} windows in a row: one RESOLVED alert, with
 *       the FIRING alert's id;
 *   <li>anything else: nothing, so a condition that stays true, or flaps inside the hysteresis,
 *       raises one alert and not one per window.
 * </ul>
 *
 * <p>Windows count in the order they are evaluated; a window absent from the input (no data) does
 * not break a streak, since an absent window and a late one look alike. An observation whose window
 * does not start after the last evaluated one is a replay or out of order and is ignored, as is a
 * NaN value (an undefined statistic says nothing either way).
 *
 * <p>The alert id is a name-based UUID of (rule, model, version, subject, start of the window in
 * which it fired), so reprocessing the same input yields the same ids and subscribers can
 * de-duplicate.
 */
public final class AlarmEvaluator {
  private AlarmEvaluator() {}

  /** Evaluates one window; returns the alert it raises, if any. */
  public static Optional<Alert> evaluate(AlarmRule rule, AlarmState state, Observation o) {
    if (o.windowStart <= state.lastWindowStart || Double.isNaN(o.value)) {
      return Optional.empty();
    }
    state.lastWindowStart = o.windowStart;
    boolean holds = rule.holds(o.value);
    if (state.firing == holds) {
      state.streak = 0; // the current state is confirmed; any streak towards the other one ends
      return Optional.empty();
    }
    if (state.streak == 0) {
      state.streakStart = o.windowStart;
    }
    state.streak++;
    if (!state.firing && state.streak >= rule.fireAfter()) {
      return Optional.of(fire(rule, state, o));
    }
    if (state.firing && state.streak >= rule.resolveAfter()) {
      return Optional.of(resolve(rule, state, o));
    }
    return Optional.empty();
  }

  /** The deterministic id of an alert that fired in the window starting at {@code windowStart}. */
  public static String alertId(
      String rule, String modelName, int modelVersion, String subject, long windowStart) {
    String name =
        String.join("|", rule, modelName, Integer.toString(modelVersion), subject)
            + "|"
            + windowStart;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static Alert fire(AlarmRule rule, AlarmState state, Observation o) {
    Map<String, String> evidence = evidence(rule, o);
    evidence.put("condition_since", Instant.ofEpochMilli(state.streakStart).toString());
    Alert alert =
        alert(
            rule,
            o,
            AlertState.FIRING,
            alertId(rule.name(), o.modelName, o.modelVersion, o.subject, o.windowStart),
            state.streak,
            describe(rule, o)
                + " "
                + AlarmRule.symbol(rule.direction())
                + " "
                + rule.threshold()
                + " for "
                + windows(state.streak)
                + ": "
                + o.value
                + " in the window from "
                + Instant.ofEpochMilli(o.windowStart)
                + datasetDetail(rule, o),
            evidence);
    state.firing = true;
    state.streak = 0;
    state.alertId = alert.getAlertId();
    state.firedWindowStart = o.windowStart;
    state.firedModelVersion = o.modelVersion;
    return alert;
  }

  private static Alert resolve(AlarmRule rule, AlarmState state, Observation o) {
    Map<String, String> evidence = evidence(rule, o);
    evidence.put("fired_window_start", Instant.ofEpochMilli(state.firedWindowStart).toString());
    evidence.put("fired_model_version", Integer.toString(state.firedModelVersion));
    Alert alert =
        alert(
            rule,
            o,
            AlertState.RESOLVED,
            state.alertId,
            state.streak,
            describe(rule, o)
                + " back on the good side of "
                + rule.threshold()
                + " for "
                + windows(state.streak)
                + ": "
                + o.value
                + " in the window from "
                + Instant.ofEpochMilli(o.windowStart),
            evidence);
    state.firing = false;
    state.streak = 0;
    state.alertId = null;
    return alert;
  }

  private static Alert alert(
      AlarmRule rule,
      Observation o,
      AlertState alertState,
      String id,
      int windows,
      String message,
      Map<String, String> evidence) {
    return Alert.newBuilder()
        .setAlertId(id)
        .setRaisedAt(Instant.ofEpochMilli(o.windowEnd))
        .setSeverity(rule.severity())
        .setKind(rule.kind())
        .setRule(rule.name())
        .setSubject(o.subject)
        .setModelName(o.modelName)
        .setModelVersion(o.modelVersion)
        .setStatistic(rule.statistic())
        .setValue(o.value)
        .setThreshold(rule.threshold())
        .setWindowStart(Instant.ofEpochMilli(o.windowStart))
        .setWindowEnd(Instant.ofEpochMilli(o.windowEnd))
        .setMessage(message)
        .setState(alertState)
        .setReference(null)
        .setConsecutiveWindows(windows)
        .setRunbook(rule.runbook())
        .setRetrain(rule.retrain() && alertState == AlertState.FIRING)
        .setEvidence(evidence)
        .build();
  }

  private static Map<String, String> evidence(AlarmRule rule, Observation o) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("rule", rule.describe());
    e.put(
        "window",
        "[" + Instant.ofEpochMilli(o.windowStart) + ", " + Instant.ofEpochMilli(o.windowEnd) + ")");
    e.put("value", Double.toString(o.value));
    e.put("threshold", AlarmRule.symbol(rule.direction()) + " " + rule.threshold());
    e.put("model_version", Integer.toString(o.modelVersion));
    if (rule.source() == AlarmRule.Source.DRIFT && !rule.datasetLevel()) {
      e.put("reference", "profile of " + o.modelName + " v" + o.modelVersion);
    }
    if (o.count > 0) {
      e.put("count", Long.toString(o.count));
    }
    if (o.referenceCount > 0) {
      e.put("reference_count", Long.toString(o.referenceCount));
    }
    if (rule.datasetLevel()) {
      e.put("drifted_features", String.join(",", o.driftedFeatures));
      e.put("drifted_count", Integer.toString(o.driftedFeatures.length));
      e.put("features_count", Integer.toString(o.features.length));
    }
    return e;
  }

  private static String describe(AlarmRule rule, Observation o) {
    String of =
        rule.source() == AlarmRule.Source.METRICS
            ? rule.statistic()
            : rule.datasetLevel()
                ? "share of drifted features"
                : rule.statistic() + " of '" + o.subject + "'";
    return of + " of " + o.modelName + " v" + o.modelVersion;
  }

  private static String datasetDetail(AlarmRule rule, Observation o) {
    return rule.datasetLevel()
        ? " ("
            + o.driftedFeatures.length
            + " of "
            + o.features.length
            + " features: "
            + String.join(", ", o.driftedFeatures)
            + ")"
        : "";
  }

  private static String windows(int n) {
    return n == 1 ? "1 window" : n + " windows";
  }
}

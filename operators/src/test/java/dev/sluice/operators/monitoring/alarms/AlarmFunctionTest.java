package dev.sluice.operators.monitoring.alarms;

import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.drift;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.metrics;
import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.windowStart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AlarmFunction} in a keyed harness: alerts survive a snapshot and restore, the dataset rule
 * waits for the watermark, late partials are dropped, and idle keys leave no state.
 */
class AlarmFunctionTest {
  private static final AlarmRules RULES = AlarmRules.parse(AlarmFixtures.RULES_TEXT);

  private KeyedOneInputStreamOperatorTestHarness<String, Observation, Alert> harness;

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Observation, Alert> newHarness()
      throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new AlarmFunction(RULES, Duration.ZERO)),
        AlarmFunction.KEY,
        Types.STRING);
  }

  /** Sends a drift result's observations, stamped with its window's last millisecond. */
  private void send(DriftResult r) throws Exception {
    for (Observation o : RULES.observations(r)) {
      harness.processElement(new StreamRecord<>(o, o.windowEnd - 1));
    }
  }

  private List<String> alerts() {
    return harness.extractOutputValues().stream()
        .map(a -> a.getRule() + ":" + a.getSubject() + ":" + a.getState())
        .toList();
  }

  @Test
  void aFiringAlarmSurvivesSnapshotAndRestoreAndResolvesOnceAfter() throws Exception {
    // feature-psi fires after 3 windows above 0.2 and resolves after 2 below.
    for (int w = 0; w < 3; w++) {
      send(drift("amount", w, 0.4, false));
    }
    assertThat(alerts()).containsExactly("feature-psi:amount:FIRING");
    String id = harness.extractOutputValues().get(0).getAlertId();

    OperatorSubtaskState snapshot = harness.snapshot(1L, windowStart(3));
    harness.close();
    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();

    send(drift("amount", 3, 0.5, false)); // still firing: no second FIRING after the restore
    send(drift("amount", 4, 0.1, false));
    assertThat(harness.extractOutputValues()).isEmpty();
    send(drift("amount", 5, 0.1, false));
    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
              assertThat(a.getAlertId()).isEqualTo(id);
            });
    // The results also fed many-drifted's pending windows (0 of 1 drifted): once the watermark
    // has evaluated them, both keys are idle and nothing is kept.
    harness.processWatermark(windowStart(6));
    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void theDatasetRuleWaitsForTheWatermarkAndRaisesOneAlert() throws Exception {
    for (int f = 0; f < 10; f++) {
      send(drift("f" + f, 0, f < 6 ? 0.05 : 0.01, f < 6)); // psi stays low: no per-feature alert
    }
    assertThat(alerts()).isEmpty();
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(windowStart(1) - 1);
    assertThat(alerts()).containsExactly("many-drifted:*:FIRING");
    Alert alert = harness.extractOutputValues().get(0);
    assertThat(alert.getValue()).isEqualTo(0.6);
    assertThat(alert.getEvidence()).containsEntry("drifted_features", "f0,f1,f2,f3,f4,f5");

    // A result of window 0 arriving now is late: dropped, and it changes nothing.
    send(drift("f9", 0, 0.05, true));
    assertThat(harness.numEventTimeTimers()).isZero();

    // Window 1: two of ten drifted, resolves.
    for (int f = 0; f < 10; f++) {
      send(drift("f" + f, 1, 0.01, f < 2));
    }
    harness.processWatermark(windowStart(2) - 1);
    assertThat(alerts()).containsExactly("many-drifted:*:FIRING", "many-drifted:*:RESOLVED");
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aNewerModelVersionReplacesTheWindowsPartials() throws Exception {
    send(drift("a", 0, 0.01, true, 3));
    send(drift("b", 0, 0.01, true, 3));
    send(drift("a", 0, 0.01, false, 4));
    send(drift("b", 0, 0.01, false, 4));
    send(drift("c", 0, 0.01, true, 3)); // older version, ignored
    harness.processWatermark(windowStart(1) - 1);
    assertThat(alerts()).isEmpty(); // v4: 0 of 2 drifted
  }

  @Test
  void metricsRulesFireFromFinalRecords() throws Exception {
    // auc-drop: below 0.8 for 2 windows; provisional records are not read for realized AUC.
    for (int w = 0; w < 3; w++) {
      for (var m :
          List.of(
              metrics(w, MetricsStatus.PROVISIONAL, 0.5, 0.1),
              metrics(w, MetricsStatus.FINAL, 0.7, 0.9))) {
        for (Observation o : RULES.observations(m)) {
          harness.processElement(new StreamRecord<>(o, o.windowEnd - 1));
        }
      }
    }
    assertThat(alerts()).containsExactly("auc-drop:auc_roc:FIRING");
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
  }

  @Test
  void recordsAndStateAreFlinkPojos() {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(Observation.class);
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(AlarmState.class);
  }
}

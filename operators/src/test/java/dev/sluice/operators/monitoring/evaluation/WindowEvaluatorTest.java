package dev.sluice.operators.monitoring.evaluation;

import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.DAY;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.HOUR;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.T0;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.decision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The window evaluator driven by hand in event time: daily windows, a 2-day maximum label delay,
 * provisional metrics at each day boundary, k = 2. Expected values are worked out here from the
 * definitions; {@link EvaluationReferenceTest} checks the metrics against scikit-learn.
 */
class WindowEvaluatorTest {
  private static final EvaluationSettings SETTINGS =
      new EvaluationSettings(Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(1), 2);
  private static final long FINAL_AT = T0 + 3 * DAY;
  private static final long NOW = 1_700_000_000_000L;

  private KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, ModelMetrics> harness;

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private void open(EvaluationSettings settings) throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new WindowEvaluator(settings)),
            LabelledPrediction::modelKey,
            Types.STRING);
    harness.open();
    harness.setProcessingTime(NOW);
  }

  private static LabelledPrediction pending(String id, long time, String card, double score) {
    return LabelledPrediction.pending(decision(id, time, card, score));
  }

  private void send(LabelledPrediction row, long timestamp) throws Exception {
    harness.processElement(new StreamRecord<>(row, timestamp));
  }

  private void sendPending(LabelledPrediction row) throws Exception {
    send(row, row.eventTime);
  }

  private void sendLabelled(LabelledPrediction row, boolean fraud, long knownAt) throws Exception {
    send(row.labelled(fraud, knownAt), knownAt);
  }

  private List<ModelMetrics> emitted() {
    return harness.extractOutputValues();
  }

  private void assertDrained() {
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void provisionalAtDayBoundariesWhileLabelsArriveThenFinalOnce() throws Exception {
    open(SETTINGS);
    LabelledPrediction a = pending("a", T0 + HOUR, "card-1", 0.9);
    LabelledPrediction b = pending("b", T0 + 2 * HOUR, "card-2", 0.2);
    LabelledPrediction c = pending("c", T0 + 3 * HOUR, "card-3", 0.6);
    sendPending(a);
    sendPending(b);
    sendPending(c);
    harness.processWatermark(T0 + DAY - 1);
    assertThat(emitted()).isEmpty();

    // Day boundary: scores only, so estimates and no realized metrics.
    harness.processWatermark(T0 + DAY);
    assertThat(emitted()).hasSize(1);
    ModelMetrics first = emitted().get(0);
    assertThat(first.getStatus()).isEqualTo(MetricsStatus.PROVISIONAL);
    assertThat(first.getModelName()).isEqualTo(EvaluationFixtures.MODEL);
    assertThat(first.getModelVersion()).isEqualTo(EvaluationFixtures.CHAMPION);
    assertThat(first.getShadow()).isFalse();
    assertThat(first.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(first.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + DAY));
    assertThat(first.getEmittedAt()).isEqualTo(Instant.ofEpochMilli(NOW));
    assertThat(first.getPredictions()).isEqualTo(3);
    assertThat(first.getLabelled()).isZero();
    assertThat(first.getLabelCoverage()).isZero();
    assertThat(first.getMeanLabelLagMillis()).isNaN();
    assertThat(first.getRealized()).containsOnlyKeys(WindowMetrics.REALIZED_KEYS);
    assertThat(first.getRealized().values()).allSatisfy(v -> assertThat(v).isNaN());
    assertThat(first.getThreshold()).isEqualTo(EvaluationFixtures.THRESHOLD);
    assertThat(first.getK()).isEqualTo(2);
    // Predicted positives: 0.9 and 0.6. E[TP] = 1.5, E[FP] = 0.5, E[FN] = 0.2.
    assertThat(first.getEstimated()).containsOnlyKeys(WindowMetrics.ESTIMATED_KEYS);
    assertThat(first.getEstimated().get("positive_rate")).isCloseTo(2 / 3.0, within(1e-15));
    assertThat(first.getEstimated().get("precision")).isCloseTo(0.75, within(1e-15));
    assertThat(first.getEstimated().get("recall")).isCloseTo(1.5 / 1.7, within(1e-15));
    assertThat(first.getEstimated().get("f1")).isCloseTo(3.0 / 3.7, within(1e-15));
    // Weighted pairs (positive weight p, negative 1 - p; equal scores count half):
    // 0.9 x (0.4 + 0.8) + 0.6 x 0.8 + (0.9 x 0.1 + 0.6 x 0.4 + 0.2 x 0.8) / 2, over 1.7 x 1.3.
    assertThat(first.getEstimated().get("auc_roc")).isCloseTo(1.805 / 2.21, within(1e-12));

    // Two labels on day 1.5: the next day boundary reports them.
    long knownAt = T0 + DAY + 12 * HOUR;
    sendLabelled(a, true, knownAt);
    sendLabelled(b, false, knownAt);
    harness.processWatermark(T0 + 2 * DAY - 1);
    assertThat(emitted()).hasSize(1);
    harness.processWatermark(T0 + 2 * DAY);
    assertThat(emitted()).hasSize(2);
    ModelMetrics second = emitted().get(1);
    assertThat(second.getStatus()).isEqualTo(MetricsStatus.PROVISIONAL);
    assertThat(second.getLabelled()).isEqualTo(2);
    assertThat(second.getPositives()).isEqualTo(1);
    assertThat(second.getLabelCoverage()).isEqualTo(2 / 3.0);
    assertThat(second.getMeanLabelLagMillis())
        .isEqualTo(((knownAt - a.eventTime) + (knownAt - b.eventTime)) / 2.0);
    assertThat(second.getRealized().get("auc_roc")).isEqualTo(1.0);
    assertThat(second.getRealized().get("average_precision")).isEqualTo(1.0);
    assertThat(second.getRealized().get("precision")).isEqualTo(1.0);
    assertThat(second.getRealized().get("recall")).isEqualTo(1.0);
    assertThat(second.getRealized().get("f1")).isEqualTo(1.0);
    assertThat(second.getRealized().get("brier"))
        .isCloseTo((0.1 * 0.1 + 0.2 * 0.2) / 2, within(1e-15));
    assertThat(second.getRealized().get("log_loss"))
        .isCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, within(1e-15));
    // Two cards checked, one of them fraudulent.
    assertThat(second.getRealized().get("card_precision_at_k")).isEqualTo(0.5);
    assertThat(second.getEstimated()).isEqualTo(first.getEstimated());

    // Nothing changed: no emission at the next boundary.
    harness.processWatermark(T0 + 2 * DAY + 12 * HOUR);
    assertThat(emitted()).hasSize(2);

    // c never gets a label: the join says so at its deadline, then the window is final.
    send(c.unlabelled(), c.eventTime + 2 * DAY);
    harness.processWatermark(FINAL_AT - 1);
    assertThat(emitted()).hasSize(2);
    harness.processWatermark(FINAL_AT);
    assertThat(harness.extractOutputStreamRecords()).hasSize(3);
    StreamRecord<? extends ModelMetrics> last = harness.extractOutputStreamRecords().get(2);
    assertThat(last.getTimestamp()).isEqualTo(FINAL_AT);
    ModelMetrics fin = last.getValue();
    assertThat(fin.getStatus()).isEqualTo(MetricsStatus.FINAL);
    assertThat(fin.getPredictions()).isEqualTo(3);
    assertThat(fin.getLabelled()).isEqualTo(2);
    assertThat(fin.getRealized()).isEqualTo(second.getRealized());
    assertThat(fin.getEstimated()).isEqualTo(first.getEstimated());
    assertDrained();

    harness.processWatermark(FINAL_AT + 30 * DAY);
    assertThat(emitted()).hasSize(3);
  }

  @Test
  void finalIsEmittedExactlyOnceAndLaterRowsGoToTheSideOutput() throws Exception {
    open(SETTINGS);
    LabelledPrediction a = pending("a", T0 + HOUR, "card-1", 0.9);
    sendLabelled(a, true, T0 + 2 * HOUR);
    harness.processWatermark(FINAL_AT);
    assertThat(emitted())
        .extracting(ModelMetrics::getStatus)
        // One watermark jump fires the day-1 boundary, then the final time.
        .containsExactly(MetricsStatus.PROVISIONAL, MetricsStatus.FINAL);
    assertDrained();

    LabelledPrediction late = pending("z", T0 + 5 * HOUR, "card-9", 0.4);
    sendLabelled(late, false, T0 + 2 * DAY);
    sendPending(late);
    harness.processWatermark(FINAL_AT + 10 * DAY);

    assertThat(emitted()).hasSize(2);
    assertThat(harness.getSideOutput(WindowEvaluator.LATE_ROWS))
        .extracting(r -> r.getValue().eventId)
        .containsExactly("z", "z");
    assertDrained();
  }

  @Test
  void eachPredictionCountsInTheWindowOfItsEventTime() throws Exception {
    open(SETTINGS);
    sendPending(pending("before", T0 - 1, "card-1", 0.1));
    sendPending(pending("first", T0, "card-1", 0.2));
    sendPending(pending("last", T0 + DAY - 1, "card-2", 0.3));
    sendPending(pending("next", T0 + DAY, "card-3", 0.4));
    harness.processWatermark(T0 + 10 * DAY);

    List<ModelMetrics> finals =
        emitted().stream().filter(m -> m.getStatus() == MetricsStatus.FINAL).toList();
    assertThat(finals)
        .extracting(m -> m.getWindowStart().toEpochMilli(), ModelMetrics::getPredictions)
        .containsExactly(tuple(T0 - DAY, 1L), tuple(T0, 2L), tuple(T0 + DAY, 1L));
    assertDrained();
  }

  @Test
  void windowsOfAConfiguredSize() throws Exception {
    open(new EvaluationSettings(Duration.ofHours(6), Duration.ofDays(1), Duration.ofHours(1), 100));
    sendPending(pending("a", T0 + 6 * HOUR - 1, "card-1", 0.1));
    sendPending(pending("b", T0 + 6 * HOUR, "card-1", 0.2));
    harness.processWatermark(T0 + 6 * HOUR + DAY);

    List<ModelMetrics> finals =
        emitted().stream().filter(m -> m.getStatus() == MetricsStatus.FINAL).toList();
    assertThat(finals)
        .extracting(m -> m.getWindowStart().toEpochMilli(), m -> m.getWindowEnd().toEpochMilli())
        .containsExactly(tuple(T0, T0 + 6 * HOUR));
    harness.processWatermark(T0 + 12 * HOUR + DAY);
    assertThat(emitted().stream().filter(m -> m.getStatus() == MetricsStatus.FINAL)).hasSize(2);
    assertDrained();
  }

  @Test
  void aRepeatedRowChangesNothingAndAPendingRowNeverHidesALabel() throws Exception {
    open(SETTINGS);
    LabelledPrediction a = pending("a", T0 + HOUR, "card-1", 0.9);
    sendLabelled(a, true, T0 + 2 * HOUR); // the join can be ahead of the raw predictions
    harness.processWatermark(T0 + DAY);
    assertThat(emitted()).hasSize(1);

    sendPending(a); // arrives late through the raw prediction stream
    sendLabelled(a, true, T0 + 2 * HOUR); // replayed
    send(a.unlabelled(), T0 + HOUR + 2 * DAY); // cannot happen after a label, but must not undo it
    harness.processWatermark(T0 + 2 * DAY);
    assertThat(emitted()).hasSize(1);

    harness.processWatermark(FINAL_AT);
    ModelMetrics fin = emitted().get(1);
    assertThat(fin.getStatus()).isEqualTo(MetricsStatus.FINAL);
    assertThat(fin.getPredictions()).isEqualTo(1);
    assertThat(fin.getLabelled()).isEqualTo(1);
    assertThat(fin.getPositives()).isEqualTo(1);
    assertDrained();
  }

  @Test
  void modelVersionsAndShadowAreSeparateKeys() throws Exception {
    open(SETTINGS);
    sendPending(pending("a", T0 + HOUR, "card-1", 0.9));
    sendPending(
        LabelledPrediction.pending(EvaluationFixtures.shadow("a", T0 + HOUR, "card-1", 0.3)));
    harness.processWatermark(FINAL_AT);

    assertThat(emitted().stream().filter(m -> m.getStatus() == MetricsStatus.FINAL))
        .extracting(ModelMetrics::getModelVersion, ModelMetrics::getShadow)
        .containsExactlyInAnyOrder(
            tuple(EvaluationFixtures.CHAMPION, false), tuple(EvaluationFixtures.CHALLENGER, true));
    assertDrained();
  }
}

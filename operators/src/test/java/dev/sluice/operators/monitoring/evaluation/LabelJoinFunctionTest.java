package dev.sluice.operators.monitoring.evaluation;

import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.CHALLENGER;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.CHAMPION;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.DAY;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.HOUR;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.T0;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.decision;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.label;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.shadow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.avro.Label;
import dev.sluice.avro.Prediction;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction.LabelStatus;
import dev.sluice.operators.monitoring.evaluation.UnmatchedLabel.Reason;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The label join driven by hand in event time, with a 7-day maximum label delay; every test ends by
 * checking that the keyed state and timers have drained.
 */
class LabelJoinFunctionTest {
  private static final Duration MAX_DELAY = Duration.ofDays(7);
  private static final long DEADLINE = T0 + 7 * DAY;

  private KeyedOneInputStreamOperatorTestHarness<String, JoinInput, LabelledPrediction> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LabelJoinFunction(MAX_DELAY)),
            JoinInput::eventId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(Prediction p) throws Exception {
    harness.processElement(new StreamRecord<>(JoinInput.of(p), p.getEventTime().toEpochMilli()));
  }

  private void send(Label l) throws Exception {
    harness.processElement(new StreamRecord<>(JoinInput.of(l), l.getEventTime().toEpochMilli()));
  }

  private List<LabelledPrediction> emitted() {
    return harness.extractOutputValues();
  }

  private List<StreamRecord<? extends LabelledPrediction>> emittedRecords() {
    return harness.extractOutputStreamRecords();
  }

  private List<UnmatchedLabel> unmatched() {
    var side = harness.getSideOutput(LabelJoinFunction.UNMATCHED_LABELS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  private void assertDrainedAfterDeadline() throws Exception {
    harness.processWatermark(DEADLINE + 30 * DAY);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void labelAfterPredictionJoinsWhenItArrives() throws Exception {
    send(decision("tx-1", T0, "card-1", 0.8));
    harness.processWatermark(T0 + 2 * DAY);
    assertThat(emitted()).isEmpty();

    send(label("tx-1", T0, T0 + 3 * DAY, true));

    assertThat(emittedRecords()).hasSize(1);
    StreamRecord<? extends LabelledPrediction> record = emittedRecords().get(0);
    assertThat(record.getTimestamp()).isEqualTo(T0 + 3 * DAY);
    LabelledPrediction joined = record.getValue();
    assertThat(joined.status).isEqualTo(LabelStatus.LABELLED);
    assertThat(joined.fraud).isTrue();
    assertThat(joined.labelTime).isEqualTo(T0 + 3 * DAY);
    assertThat(joined.labelLagMillis).isEqualTo(3 * DAY);
    assertThat(joined.eventId).isEqualTo("tx-1");
    assertThat(joined.cardId).isEqualTo("card-1");
    assertThat(joined.modelVersion).isEqualTo(CHAMPION);
    assertThat(joined.score).isEqualTo(0.8);
    assertThat(joined.threshold).isEqualTo(EvaluationFixtures.THRESHOLD);

    assertDrainedAfterDeadline();
    assertThat(emitted()).hasSize(1); // nothing more at the deadline
    assertThat(unmatched()).isEmpty();
  }

  @Test
  void labelBeforePredictionWaitsForIt() throws Exception {
    send(label("tx-1", T0, T0 + HOUR, false));
    assertThat(emitted()).isEmpty();

    send(decision("tx-1", T0, "card-1", 0.1));

    assertThat(emitted())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.status).isEqualTo(LabelStatus.LABELLED);
              assertThat(p.fraud).isFalse();
              assertThat(p.labelLagMillis).isEqualTo(HOUR);
            });
    assertDrainedAfterDeadline();
    assertThat(emitted()).hasSize(1);
    assertThat(unmatched()).isEmpty();
  }

  @Test
  void decisionAndShadowPredictionsAreBothJoinedEvenWhenOneComesAfterTheLabel() throws Exception {
    send(decision("tx-1", T0, "card-1", 0.7));
    send(shadow("tx-1", T0, "card-1", 0.4));
    send(label("tx-1", T0, T0 + DAY, true));
    // A second shadow version, scored later (e.g. just deployed).
    send(EvaluationFixtures.prediction("tx-1", T0, "card-1", CHALLENGER + 1, true, 0.6));

    assertThat(emitted())
        .extracting(p -> p.modelVersion, p -> p.shadow, p -> p.status, p -> p.fraud)
        .containsExactly(
            tuple(CHAMPION, false, LabelStatus.LABELLED, true),
            tuple(CHALLENGER, true, LabelStatus.LABELLED, true),
            tuple(CHALLENGER + 1, true, LabelStatus.LABELLED, true));
    assertDrainedAfterDeadline();
    assertThat(emitted()).hasSize(3);
  }

  @Test
  void aPredictionWithoutLabelIsEmittedUnlabelledOnceAtTheDeadline() throws Exception {
    send(decision("tx-1", T0, "card-1", 0.3));
    send(shadow("tx-1", T0, "card-1", 0.2));
    harness.processWatermark(DEADLINE - 1);
    assertThat(emitted()).isEmpty();

    harness.processWatermark(DEADLINE);

    assertThat(emittedRecords())
        .allSatisfy(r -> assertThat(r.getTimestamp()).isEqualTo(DEADLINE))
        .extracting(r -> r.getValue().status, r -> r.getValue().shadow)
        .containsExactlyInAnyOrder(
            tuple(LabelStatus.UNLABELLED, false), tuple(LabelStatus.UNLABELLED, true));
    assertDrainedAfterDeadline();
    assertThat(emitted()).hasSize(2);
  }

  @Test
  void aLabelKnownLaterThanTheMaximumDelayIsRejectedAndThePredictionStaysUnlabelled()
      throws Exception {
    send(decision("tx-1", T0, "card-1", 0.9));
    // Out of order: the watermark has not reached the deadline yet, but the label is too late.
    send(label("tx-1", T0, DEADLINE + 1, true));

    assertThat(emitted()).isEmpty();
    assertThat(unmatched())
        .singleElement()
        .satisfies(u -> assertThat(u.reason).isEqualTo(Reason.TOO_LATE));

    harness.processWatermark(DEADLINE);
    assertThat(emitted())
        .singleElement()
        .satisfies(p -> assertThat(p.status).isEqualTo(LabelStatus.UNLABELLED));
    assertDrainedAfterDeadline();
  }

  @Test
  void aLabelExactlyAtTheMaximumDelayIsOnTime() throws Exception {
    send(decision("tx-1", T0, "card-1", 0.9));
    harness.processWatermark(DEADLINE - 1);
    send(label("tx-1", T0, DEADLINE, true));

    assertThat(emitted())
        .singleElement()
        .satisfies(p -> assertThat(p.labelLagMillis).isEqualTo(7 * DAY));
    assertThat(unmatched()).isEmpty();
    assertDrainedAfterDeadline();
  }

  @Test
  void aLabelArrivingAfterTheWatermarkPassedTheDeadlineIsTooLateAndLeavesNoState()
      throws Exception {
    send(decision("tx-1", T0, "card-1", 0.9));
    harness.processWatermark(DEADLINE);
    assertThat(emitted())
        .singleElement()
        .satisfies(p -> assertThat(p.status).isEqualTo(LabelStatus.UNLABELLED));

    send(label("tx-1", T0, T0 + DAY, true)); // on time by its own clock, but behind the watermark

    assertThat(unmatched())
        .singleElement()
        .satisfies(u -> assertThat(u.reason).isEqualTo(Reason.TOO_LATE));
    assertThat(emitted()).hasSize(1);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aLabelForAnUnknownPredictionIsReportedAtTheDeadline() throws Exception {
    send(label("tx-unknown", T0, T0 + DAY, true));
    harness.processWatermark(DEADLINE - 1);
    assertThat(unmatched()).isEmpty();

    harness.processWatermark(DEADLINE);

    assertThat(unmatched())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.reason).isEqualTo(Reason.UNKNOWN_PREDICTION);
              assertThat(u.label.getTransactionId()).isEqualTo("tx-unknown");
            });
    assertThat(emitted()).isEmpty();
    assertDrainedAfterDeadline();
  }

  @Test
  void aSecondLabelIsADuplicateAndTheFirstOneCounts() throws Exception {
    send(decision("tx-1", T0, "card-1", 0.9));
    send(label("tx-1", T0, T0 + DAY, true));
    send(label("tx-1", T0, T0 + 2 * DAY, false));

    assertThat(emitted()).singleElement().satisfies(p -> assertThat(p.fraud).isTrue());
    assertThat(unmatched())
        .singleElement()
        .satisfies(u -> assertThat(u.reason).isEqualTo(Reason.DUPLICATE));
    assertDrainedAfterDeadline();
  }

  @Test
  void aPredictionArrivingAfterItsDeadlineIsEmittedUnlabelledAtOnce() throws Exception {
    harness.processWatermark(DEADLINE);
    send(decision("tx-1", T0, "card-1", 0.9));

    assertThat(emitted())
        .singleElement()
        .satisfies(p -> assertThat(p.status).isEqualTo(LabelStatus.UNLABELLED));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void manyKeysInterleavedAllDrain() throws Exception {
    for (int i = 0; i < 50; i++) {
      long t = T0 + i * HOUR;
      send(decision("tx-" + i, t, "card-" + (i % 7), i / 50.0));
      send(shadow("tx-" + i, t, "card-" + (i % 7), 1 - i / 50.0));
      if (i % 3 == 0) {
        send(label("tx-" + i, t, t + i * HOUR, i % 2 == 0));
      }
      if (i % 10 == 0) {
        send(label("tx-orphan-" + i, t, t + HOUR, true));
      }
    }
    assertThat(harness.numKeyedStateEntries()).isPositive();

    assertDrainedAfterDeadline();

    assertThat(emitted()).hasSize(100);
    assertThat(emitted().stream().filter(p -> p.status == LabelStatus.LABELLED)).hasSize(34);
    assertThat(unmatched())
        .hasSize(5)
        .allSatisfy(u -> assertThat(u.reason).isEqualTo(Reason.UNKNOWN_PREDICTION));
  }

  @Test
  void recordsAndStateAreFlinkPojos() {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(LabelledPrediction.class);
    PojoTestUtils.assertSerializedAsPojo(JoinInput.class);
    PojoTestUtils.assertSerializedAsPojo(LabelJoinFunction.HeldLabel.class);
    PojoTestUtils.assertSerializedAsPojo(UnmatchedLabel.class);
  }

  @Test
  void theMaximumDelayMustBePositive() {
    assertThatThrownBy(() -> new LabelJoinFunction(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.Label;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins predictions with their delayed ground truth, keyed by event (transaction) id, in event
 * time: emits exactly one {@link LabelledPrediction} per prediction (decision and shadow alike),
 * {@code LABELLED} as soon as both the prediction and its label are in, or {@code UNLABELLED} when
 * the watermark reaches the event's <em>deadline</em>, {@code event time + maxLabelDelay}, without
 * a label.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>A label is on time when it became known at most {@code maxLabelDelay} after its transaction
 *       and arrives before the watermark reaches the deadline. Otherwise it goes to {@link
 *       #UNMATCHED_LABELS} as {@code TOO_LATE} (counter {@code labels-too-late}) and changes
 *       nothing, so a late label never turns a final "unlabelled" into "labelled" and results do
 *       not depend on arrival order.
 *   <li>A label arriving before its prediction waits for it until the deadline; if no prediction
 *       came by then it goes out as {@code UNKNOWN_PREDICTION} (counter {@code
 *       labels-unknown-prediction}). A second label for the same event is a {@code DUPLICATE}
 *       (counter {@code labels-duplicate}); the first one counts.
 *   <li>A prediction arriving when the watermark is already past its deadline is emitted {@code
 *       UNLABELLED} at once (counter {@code predictions-late}).
 * </ul>
 *
 * <p>State per key, all cleared by the deadline timer: {@value #STATE_PREDICTIONS} (predictions
 * waiting for the label: one per served model version of the event), {@value #STATE_LABEL} (the
 * label, once arrived, kept until the deadline so that predictions arriving after it, e.g. a shadow
 * version's, are joined too) and {@value #STATE_DEADLINE}. Timers: one event-time timer per key, at
 * the deadline of the first record of the key (predictions and labels of one event agree on the
 * event time). Every key that receives an on-time record therefore holds state for at most {@code
 * maxLabelDelay} of event time; records rejected above create no state. Nothing leaks as long as
 * the watermark advances; with an idle source it waits. Bound: the events of the last {@code
 * maxLabelDelay}, times the number of served versions.
 */
public final class LabelJoinFunction
    extends KeyedProcessFunction<String, JoinInput, LabelledPrediction> {
  /** Labels that were not joined, with the reason. */
  public static final OutputTag<UnmatchedLabel> UNMATCHED_LABELS =
      new OutputTag<>("unmatched-labels", TypeInformation.of(UnmatchedLabel.class));

  static final String STATE_PREDICTIONS = "pending-predictions";
  static final String STATE_LABEL = "held-label";
  static final String STATE_DEADLINE = "deadline";

  private final long maxLabelDelay;

  private transient ListState<LabelledPrediction> predictions;
  private transient ValueState<HeldLabel> label;
  private transient ValueState<Long> deadline;
  private transient Counter labelled;
  private transient Counter unlabelled;
  private transient Counter labelsTooLate;
  private transient Counter labelsUnknown;
  private transient Counter labelsDuplicate;
  private transient Counter predictionsLate;

  /**
   * @param maxLabelDelay how long after an event its label may become known, &gt; 0
   */
  public LabelJoinFunction(Duration maxLabelDelay) {
    Objects.requireNonNull(maxLabelDelay, "maxLabelDelay");
    if (maxLabelDelay.isNegative() || maxLabelDelay.isZero()) {
      throw new IllegalArgumentException("maxLabelDelay must be > 0, got " + maxLabelDelay);
    }
    this.maxLabelDelay = maxLabelDelay.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    predictions =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>(
                    STATE_PREDICTIONS, TypeInformation.of(LabelledPrediction.class)));
    label =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(STATE_LABEL, TypeInformation.of(HeldLabel.class)));
    deadline = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_DEADLINE, Types.LONG));
    var metrics = getRuntimeContext().getMetricGroup();
    labelled = metrics.counter("labelled");
    unlabelled = metrics.counter("unlabelled");
    labelsTooLate = metrics.counter("labels-too-late");
    labelsUnknown = metrics.counter("labels-unknown-prediction");
    labelsDuplicate = metrics.counter("labels-duplicate");
    predictionsLate = metrics.counter("predictions-late");
  }

  @Override
  public void processElement(JoinInput in, Context ctx, Collector<LabelledPrediction> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    if (in.prediction != null) {
      LabelledPrediction p = LabelledPrediction.pending(in.prediction);
      long due = p.eventTime + maxLabelDelay;
      if (watermark >= due) {
        predictionsLate.inc();
        unlabelled.inc();
        out.collect(p.unlabelled());
        return;
      }
      armDeadline(ctx, due);
      HeldLabel held = label.value();
      if (held == null) {
        predictions.add(p);
      } else {
        out.collect(p.labelled(held.label.getFraud(), held.label.getEventTime().toEpochMilli()));
        labelled.inc();
        if (!held.matched) {
          held.matched = true;
          label.update(held);
        }
      }
    } else {
      Label l = in.label;
      long transactionTime = l.getTransactionTime().toEpochMilli();
      long knownAt = l.getEventTime().toEpochMilli();
      long due = transactionTime + maxLabelDelay;
      if (knownAt > due || watermark >= due) {
        labelsTooLate.inc();
        ctx.output(UNMATCHED_LABELS, new UnmatchedLabel(UnmatchedLabel.Reason.TOO_LATE, l));
        return;
      }
      if (label.value() != null) {
        labelsDuplicate.inc();
        ctx.output(UNMATCHED_LABELS, new UnmatchedLabel(UnmatchedLabel.Reason.DUPLICATE, l));
        return;
      }
      armDeadline(ctx, due);
      boolean matched = false;
      for (LabelledPrediction p : predictions.get()) {
        out.collect(p.labelled(l.getFraud(), knownAt));
        labelled.inc();
        matched = true;
      }
      predictions.clear();
      label.update(new HeldLabel(l, matched));
    }
  }

  /** Registers the key's single deadline timer, at the deadline of its first record. */
  private void armDeadline(Context ctx, long due) throws Exception {
    if (deadline.value() == null) {
      deadline.update(due);
      ctx.timerService().registerEventTimeTimer(due);
    }
  }

  /** The deadline: what has no label now never gets one; the key is cleared. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabelledPrediction> out)
      throws Exception {
    for (LabelledPrediction p : predictions.get()) {
      out.collect(p.unlabelled());
      unlabelled.inc();
    }
    HeldLabel held = label.value();
    if (held != null && !held.matched) {
      labelsUnknown.inc();
      ctx.output(
          UNMATCHED_LABELS,
          new UnmatchedLabel(UnmatchedLabel.Reason.UNKNOWN_PREDICTION, held.label));
    }
    predictions.clear();
    label.clear();
    deadline.clear();
  }

  /** The label of a key, held until its deadline; a Flink POJO. */
  public static class HeldLabel {
    /** The label as received. */
    public Label label;

    /** Whether at least one prediction was joined with it. */
    public boolean matched;

    /** For Flink's POJO serializer. */
    public HeldLabel() {}

    HeldLabel(Label label, boolean matched) {
      this.label = label;
      this.matched = matched;
    }
  }
}

package dev.sluice.operators.features;

import dev.sluice.state.features.ViewRow;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Computes one {@link FeatureView}, keyed by entity id, in event time; the same code gives the same
 * rows in STREAMING and BATCH execution.
 *
 * <p>How: {@code processElement} only adds the observation to the key's {@link ObservationLog} and,
 * for a row-emitting event at time {@code t}, remembers it as pending and registers an event-time
 * timer at {@code t}. {@code onTimer(t)} emits the rows pending at {@code t}, computed from the
 * observations that are in their windows and known at or before {@code t}. In STREAMING the timer
 * fires once the watermark passes {@code t}, so every observation not later than the watermark's
 * out-of-orderness is in; in BATCH, Flink sorts each key's records by time and fires the timers
 * after them, so all observations are in and the rule "known at or before {@code t}" does the rest.
 * Rows are therefore exact for the definition and point-in-time correct: nothing later than {@code
 * t} is read.
 *
 * <p>Late records: a record more than {@code allowedLateness} behind the watermark goes to {@link
 * #LATE} (counter {@code late-dropped}) and changes nothing. A record late by less is added
 * (counter {@code late-accepted}) and its own row is computed at the next watermark; rows already
 * emitted for later events of the key are not revised (they were what scoring saw).
 *
 * <p>State per key: one {@link ObservationLog}, bounded by the key's events within {@code horizon +
 * allowedLateness}. Timers: one per distinct row time (emits rows), and one per hour bucket of
 * {@code time + horizon + allowedLateness} (evicts observations no row can read any more; when the
 * log is empty the state is cleared, so a quiet key leaves nothing behind). Timers never register
 * timers (BATCH execution would drop them).
 */
public final class FeatureViewFunction extends KeyedProcessFunction<String, FeatureEvent, ViewRow> {
  public static final OutputTag<FeatureEvent> LATE =
      new OutputTag<>("late-feature-events", TypeInformation.of(FeatureEvent.class));

  static final String STATE_LOG = "observation-log";
  private static final long CLEANUP_BUCKET_MS = Duration.ofHours(1).toMillis();

  private final FeatureView view;
  private final long allowedLateness;
  private final long retention;

  private transient ViewEvaluator evaluator;
  private transient String version;
  private transient ValueState<ObservationLog> log;
  private transient Counter lateDropped;
  private transient Counter lateAccepted;
  private transient Counter rows;

  public FeatureViewFunction(FeatureView view, Duration allowedLateness) {
    this.view = view;
    this.allowedLateness = allowedLateness.toMillis();
    this.retention = view.horizon().toMillis() + this.allowedLateness;
  }

  @Override
  public void open(OpenContext openContext) {
    evaluator = new ViewEvaluator(view);
    version = view.version();
    log = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_LOG, ObservationLog.class));
    lateDropped = getRuntimeContext().getMetricGroup().counter("late-dropped");
    lateAccepted = getRuntimeContext().getMetricGroup().counter("late-accepted");
    rows = getRuntimeContext().getMetricGroup().counter("rows");
  }

  @Override
  public void processElement(FeatureEvent e, Context ctx, Collector<ViewRow> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long timestamp = ctx.timestamp() == null ? e.knownAt : ctx.timestamp();
    if (watermark != Long.MIN_VALUE && timestamp < watermark - allowedLateness) {
      lateDropped.inc();
      ctx.output(LATE, e);
      return;
    }
    if (timestamp <= watermark) {
      lateAccepted.inc();
    }
    ObservationLog current = log.value();
    if (current == null) {
      current = new ObservationLog();
    }
    current.add(e);
    if (e.emitsRow) {
      current.addPending(e.eventId, e.time);
      ctx.timerService().registerEventTimeTimer(e.time);
    }
    log.update(current);
    long cleanup = e.time + retention;
    ctx.timerService()
        .registerEventTimeTimer(
            cleanup - Math.floorMod(cleanup, CLEANUP_BUCKET_MS) + CLEANUP_BUCKET_MS);
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<ViewRow> out) throws Exception {
    ObservationLog current = log.value();
    if (current == null) {
      return;
    }
    String[] due = current.takePending(t);
    if (due.length > 0) {
      double[] values = evaluator.evaluate(current, t);
      long now = System.currentTimeMillis();
      for (String eventId : due) {
        out.collect(
            new ViewRow(
                view.name(),
                version,
                ctx.getCurrentKey(),
                eventId,
                t,
                now,
                due.length == 1 ? values : values.clone()));
        rows.inc();
      }
    }
    int evicted = t > Long.MIN_VALUE + retention ? current.evictUpTo(t - retention) : 0;
    if (current.isEmpty()) {
      log.clear();
    } else if (due.length > 0 || evicted > 0) {
      log.update(current);
    }
  }
}

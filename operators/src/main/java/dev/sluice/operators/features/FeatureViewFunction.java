package dev.sluice.operators.features;

import dev.sluice.state.features.ViewRow;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Computes one {@link FeatureView}, keyed by entity id, in event time; the same code gives the same
 * rows in STREAMING and BATCH execution.
 *
 * <p>How: {@code processElement} only adds the observation to the key's {@link ObservationLog} and,
 * for a row-emitting event at time {@code t}, remembers its id as pending at {@code t} and
 * registers an event-time timer at {@code t}. {@code onTimer(t)} emits the rows pending at {@code
 * t}, computed from the observations that are in their windows and known at or before {@code t}. In
 * STREAMING the timer fires once the watermark passes {@code t}, so every observation not later
 * than the watermark's out-of-orderness is in; in BATCH, Flink sorts each key's records by time and
 * fires the timers after them, so all observations are in and the rule "known at or before {@code
 * t}" does the rest. Rows are therefore exact for the definition and point-in-time correct: nothing
 * later than {@code t} is read.
 *
 * <p>Late records: a record more than {@code allowedLateness} behind the watermark goes to {@link
 * #LATE} (counter {@code late-dropped}) and changes nothing. A record late by less is added
 * (counter {@code late-accepted}) and its own row is computed at the next watermark; rows already
 * emitted for later events of the key are not revised (they were what scoring saw).
 *
 * <p>State per key: the {@link ObservationLog} (bounded by the key's events within {@code horizon +
 * allowedLateness}) and the ids of rows waiting for the watermark, by time (one out-of-orderness
 * interval of them). Timers: one per distinct pending row time, and a single cleanup timer per key,
 * at the hour after {@code oldest observation + horizon + allowedLateness}: it evicts what no row
 * can read any more and re-arms for the next oldest observation, or clears the key when nothing is
 * left, so a quiet key leaves nothing behind. Eviction never changes a row (rows only read their
 * windows); in BATCH execution, which drops timers registered in {@code onTimer}, the re-armed
 * cleanup simply does not happen and the state goes with the job.
 */
public final class FeatureViewFunction extends KeyedProcessFunction<String, FeatureEvent, ViewRow> {
  public static final OutputTag<FeatureEvent> LATE =
      new OutputTag<>("late-feature-events", TypeInformation.of(FeatureEvent.class));

  static final String STATE_LOG = "observation-log";
  static final String STATE_PENDING = "pending-rows";
  private static final long CLEANUP_BUCKET_MS = Duration.ofHours(1).toMillis();

  private final FeatureView view;
  private final long allowedLateness;
  private final long retention;

  private transient ViewEvaluator evaluator;
  private transient String version;
  private transient ValueState<ObservationLog> log;
  private transient MapState<Long, String[]> pending;
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
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    STATE_PENDING, Types.LONG, BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
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
    if (current.cleanupAt == 0) {
      current.cleanupAt = cleanupTime(e.time);
      ctx.timerService().registerEventTimeTimer(current.cleanupAt);
    }
    log.update(current);
    if (e.emitsRow) {
      String[] ids = pending.get(e.time);
      if (ids == null) {
        pending.put(e.time, new String[] {e.eventId});
        ctx.timerService().registerEventTimeTimer(e.time);
      } else {
        String[] more = java.util.Arrays.copyOf(ids, ids.length + 1);
        more[ids.length] = e.eventId;
        pending.put(e.time, more);
      }
    }
  }

  /** The hour after the time an observation at {@code time} can no longer be read. */
  private long cleanupTime(long time) {
    long cleanup = time + retention;
    return cleanup - Math.floorMod(cleanup, CLEANUP_BUCKET_MS) + CLEANUP_BUCKET_MS;
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<ViewRow> out) throws Exception {
    ObservationLog current = log.value();
    if (current == null) {
      return;
    }
    String[] due = pending.get(t);
    if (due != null) {
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
      pending.remove(t);
    }
    if (t == current.cleanupAt) {
      current.evictUpTo(t - retention);
      if (current.isEmpty()) {
        // Pending rows always have their own observation, newer than anything evicted.
        log.clear();
        pending.clear();
      } else {
        current.cleanupAt = cleanupTime(current.oldestTime());
        ctx.timerService().registerEventTimeTimer(current.cleanupAt);
        log.update(current);
      }
    }
  }
}

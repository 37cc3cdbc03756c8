package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction.LabelStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Online evaluation of one model key ({@link LabelledPrediction#modelKey()}: model name, version,
 * shadow flag) per tumbling event-time window of prediction event times, emitting {@link
 * ModelMetrics} computed by {@link WindowMetrics}. Keyed by {@link #key}, the model key and the
 * window, so that a model's open windows (eight by default) spread over the subtasks and each
 * boundary reads only its window's rows; any key that keeps a model's windows apart works.
 *
 * <p>Input: the output of {@link LabelJoinFunction} (LABELLED / UNLABELLED, one per prediction),
 * optionally unioned with the raw predictions as {@link LabelledPrediction#pending} so that windows
 * and estimates exist before labels arrive. Rows are merged by event id: a PENDING row never
 * overwrites what is known; LABELLED overwrites PENDING; UNLABELLED only adds a row not seen yet
 * (the job did not feed raw predictions).
 *
 * <p>Emissions, per window {@code [start, end)}:
 *
 * <ul>
 *   <li><b>PROVISIONAL</b>: after rows of the window were added or labelled, once, when the
 *       watermark reaches the next multiple of {@link EvaluationSettings#provisionalInterval()}
 *       (default: every UTC midnight), so at most one per interval per window and none while
 *       nothing changes. Event time, hence deterministic and the same on replay.
 *   <li><b>FINAL</b>: exactly once, when the watermark reaches {@code end + maxLabelDelay} (every
 *       label that can still join has joined: {@link LabelJoinFunction} emits each prediction of
 *       the window by {@code end - 1 + maxLabelDelay}). Realized and estimated metrics are both in
 *       it, to compare the estimate with what happened. The window's state is then removed; later
 *       rows for it go to {@link #LATE_ROWS} (counter {@code rows-late}).
 * </ul>
 *
 * <p>State per key: {@value #STATE_ROWS}, every row of the key's open windows by event id (the
 * exact metrics need all of them: AUC and average precision rank all scores, Card Precision@k
 * groups by card), and {@value #STATE_WINDOWS}, the open windows' starts with a "changed since the
 * last emission" flag. Bound: the predictions of the key over {@code windowSize + maxLabelDelay} of
 * event time (8 daily windows by default, roughly 8 x 10,000 rows for the demo's decision model).
 * Timers: one event-time timer per open window at its final time, and one per provisional boundary
 * after a change (Flink deduplicates equal timestamps). When the last window is final the key holds
 * no state and no timer; nothing leaks as long as the watermark advances.
 */
public final class WindowEvaluator
    extends KeyedProcessFunction<String, LabelledPrediction, ModelMetrics> {
  /** Rows for windows already FINAL. */
  public static final OutputTag<LabelledPrediction> LATE_ROWS =
      new OutputTag<>("late-evaluation-rows", TypeInformation.of(LabelledPrediction.class));

  static final String STATE_ROWS = "window-rows";
  static final String STATE_WINDOWS = "open-windows";

  private final EvaluationSettings settings;
  private final long windowSize;
  private final long maxLabelDelay;
  private final long provisionalInterval;

  private transient MapState<String, LabelledPrediction> rows;
  private transient MapState<Long, Boolean> windows;
  private transient Counter lateRows;
  private transient Counter provisionalEmitted;
  private transient Counter finalEmitted;
  private transient MetricGauges gauges;

  public WindowEvaluator(EvaluationSettings settings) {
    this.settings = settings;
    this.windowSize = settings.windowSize().toMillis();
    this.maxLabelDelay = settings.maxLabelDelay().toMillis();
    this.provisionalInterval = settings.provisionalInterval().toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    rows =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    STATE_ROWS, Types.STRING, TypeInformation.of(LabelledPrediction.class)));
    windows =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>(STATE_WINDOWS, Types.LONG, Types.BOOLEAN));
    var metrics = getRuntimeContext().getMetricGroup();
    lateRows = metrics.counter("rows-late");
    provisionalEmitted = metrics.counter("metrics-provisional");
    finalEmitted = metrics.counter("metrics-final");
    gauges = new MetricGauges(metrics);
  }

  /** Start of the window holding {@code eventTime}. */
  long windowStart(long eventTime) {
    return windowStart(eventTime, windowSize);
  }

  private static long windowStart(long eventTime, long windowSize) {
    return eventTime - Math.floorMod(eventTime, windowSize);
  }

  /**
   * The key to partition the input by: {@link LabelledPrediction#modelKey()} and the start of the
   * row's window, e.g. {@code fraud/3/decision@1525132800000}.
   */
  public static KeySelector<LabelledPrediction, String> key(EvaluationSettings settings) {
    long size = settings.windowSize().toMillis();
    return row -> row.modelKey() + "@" + windowStart(row.eventTime, size);
  }

  private long finalTime(long windowStart) {
    return windowStart + windowSize + maxLabelDelay;
  }

  @Override
  public void processElement(LabelledPrediction row, Context ctx, Collector<ModelMetrics> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long start = windowStart(row.eventTime);
    if (watermark >= finalTime(start)) {
      lateRows.inc();
      ctx.output(LATE_ROWS, row);
      return;
    }
    LabelledPrediction known = rows.get(row.eventId);
    boolean changes =
        switch (row.status) {
          case PENDING -> known == null;
          case LABELLED -> known == null || known.status != LabelStatus.LABELLED;
          case UNLABELLED -> known == null;
        };
    if (!changes) {
      return;
    }
    rows.put(row.eventId, row);
    Boolean changed = windows.get(start);
    if (changed == null) {
      ctx.timerService().registerEventTimeTimer(finalTime(start));
    }
    if (Boolean.TRUE.equals(changed)) {
      return; // already due at the next boundary: its timer is registered
    }
    windows.put(start, true);
    // The next boundary after the watermark (before the first watermark: after the record).
    Long timestamp = ctx.timestamp();
    long base =
        watermark != Long.MIN_VALUE ? watermark : timestamp != null ? timestamp : row.eventTime;
    ctx.timerService()
        .registerEventTimeTimer(
            base - Math.floorMod(base, provisionalInterval) + provisionalInterval);
  }

  /**
   * A provisional boundary or a window's final time: FINAL for every window whose final time is
   * reached, PROVISIONAL for every other window that changed since its last emission.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelMetrics> out)
      throws Exception {
    TreeMap<Long, MetricsStatus> due = new TreeMap<>();
    for (Map.Entry<Long, Boolean> w : windows.entries()) {
      if (finalTime(w.getKey()) <= timestamp) {
        due.put(w.getKey(), MetricsStatus.FINAL);
      } else if (w.getValue()) {
        due.put(w.getKey(), MetricsStatus.PROVISIONAL);
      }
    }
    if (due.isEmpty()) {
      return;
    }
    Map<Long, List<LabelledPrediction>> byWindow = new HashMap<>();
    for (LabelledPrediction row : rows.values()) {
      long start = windowStart(row.eventTime);
      if (due.containsKey(start)) {
        byWindow.computeIfAbsent(start, s -> new ArrayList<>()).add(row);
      }
    }
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    for (Map.Entry<Long, MetricsStatus> w : due.entrySet()) {
      long start = w.getKey();
      List<LabelledPrediction> windowRows = byWindow.get(start);
      ModelMetrics metrics =
          WindowMetrics.compute(
              windowRows, start, start + windowSize, w.getValue(), settings.k(), now);
      gauges.update(
          LabelledPrediction.modelKey(
              metrics.getModelName(), metrics.getModelVersion(), metrics.getShadow()),
          metrics);
      out.collect(metrics);
      if (w.getValue() == MetricsStatus.FINAL) {
        finalEmitted.inc();
        for (LabelledPrediction row : windowRows) {
          rows.remove(row.eventId);
        }
        windows.remove(start);
      } else {
        provisionalEmitted.inc();
        windows.put(start, false);
      }
    }
    if (windows.isEmpty()) {
      windows.clear();
      rows.clear();
    }
  }
}

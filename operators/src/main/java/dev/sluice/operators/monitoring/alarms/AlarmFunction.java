package dev.sluice.operators.monitoring.alarms;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Raises {@link Alert}s from {@link Observation}s keyed by {@link Observation#key()} (rule, model,
 * subject), with the {@link AlarmEvaluator}'s hysteresis kept in keyed state, so a FIRING alarm
 * stays firing across restarts and is resolved, once, after them.
 *
 * <p>Per-subject and metrics observations are evaluated as they arrive. Dataset-level ones ({@link
 * AlarmRule#DRIFTED_SHARE}) come one feature at a time: they are merged per window and evaluated by
 * an event-time timer at {@code windowEnd - 1 + grace}, i.e. once the watermark shows the window's
 * drift results are all in (they carry the window's last millisecond as their time). A window's
 * partials of a newer model version replace those of an older one; older ones are ignored. A
 * partial arriving after its window was evaluated is dropped (counter {@code late-observations}).
 *
 * <p>State per key: {@value #STATE_ALARM}, the {@link AlarmState}, written only while it matters
 * (firing, or a streak under way) and cleared as soon as the key is idle again, so subjects that
 * never alarm cost nothing; {@value #STATE_PENDING}, the dataset rule's windows waiting for their
 * timer, removed when it fires. Timers: one per pending dataset window. Leak: an alarm that fires
 * and whose subject then stops appearing (a dropped feature, a retired model) keeps its FIRING
 * state until an observation resolves it; no TTL is set, because expiring it would silently lose
 * the FIRING state this function exists to keep.
 *
 * <p>Counters: {@code alerts-firing}, {@code alerts-resolved}, {@code late-observations}.
 */
public final class AlarmFunction extends KeyedProcessFunction<String, Observation, Alert> {
  static final String STATE_ALARM = "alarm-state";
  static final String STATE_PENDING = "dataset-pending-windows";

  /** Keys the input by (rule, model, subject). */
  public static final KeySelector<Observation, String> KEY = Observation::key;

  private final AlarmRules rules;
  private final long grace;

  private transient ValueState<AlarmState> alarm;
  private transient MapState<Long, Observation> pending;
  private transient Counter firing;
  private transient Counter resolved;
  private transient Counter late;

  /**
   * @param grace how long after a window's end the dataset-level rule waits for its drift results
   *     (beyond the watermark); zero when they are emitted before the watermark passes the window
   */
  public AlarmFunction(AlarmRules rules, Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
    this.rules = rules;
    this.grace = grace.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    alarm =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(STATE_ALARM, TypeInformation.of(AlarmState.class)));
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    STATE_PENDING, Types.LONG, TypeInformation.of(Observation.class)));
    firing = getRuntimeContext().getMetricGroup().counter("alerts-firing");
    resolved = getRuntimeContext().getMetricGroup().counter("alerts-resolved");
    late = getRuntimeContext().getMetricGroup().counter("late-observations");
  }

  @Override
  public void processElement(Observation o, Context ctx, Collector<Alert> out) throws Exception {
    AlarmRule rule = rules.rule(o.rule);
    if (!rule.datasetLevel()) {
      evaluate(rule, o, out);
      return;
    }
    long due = dueAt(o);
    if (due <= ctx.timerService().currentWatermark()) {
      late.inc();
      return;
    }
    Observation window = pending.get(o.windowStart);
    if (window == null || o.modelVersion > window.modelVersion) {
      if (window == null) {
        ctx.timerService().registerEventTimeTimer(due);
      }
      pending.put(o.windowStart, o);
    } else if (o.modelVersion == window.modelVersion) {
      window.merge(o);
      pending.put(o.windowStart, window);
    }
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    List<Observation> due = new ArrayList<>();
    for (Map.Entry<Long, Observation> e : pending.entries()) {
      if (dueAt(e.getValue()) <= t) {
        due.add(e.getValue());
      }
    }
    due.sort((a, b) -> Long.compare(a.windowStart, b.windowStart));
    for (Observation o : due) {
      pending.remove(o.windowStart);
      evaluate(rules.rule(o.rule), o, out);
    }
  }

  private long dueAt(Observation o) {
    return o.windowEnd - 1 + grace;
  }

  private void evaluate(AlarmRule rule, Observation o, Collector<Alert> out) throws Exception {
    AlarmState state = alarm.value();
    if (state == null) {
      state = new AlarmState();
    }
    Optional<Alert> alert = AlarmEvaluator.evaluate(rule, state, o);
    if (alert.isPresent()) {
      (alert.get().getState() == AlertState.FIRING ? firing : resolved).inc();
      out.collect(alert.get());
    }
    if (state.idle()) {
      alarm.clear();
    } else {
      alarm.update(state);
    }
  }
}

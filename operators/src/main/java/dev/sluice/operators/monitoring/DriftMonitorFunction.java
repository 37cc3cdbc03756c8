package dev.sluice.operators.monitoring;

import dev.sluice.avro.DriftResult;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.operators.monitoring.drift.DriftDecision;
import dev.sluice.operators.monitoring.drift.DriftPolicy;
import dev.sluice.operators.monitoring.drift.DriftResults;
import dev.sluice.operators.monitoring.drift.DriftStatistics;
import dev.sluice.operators.monitoring.drift.WindowSketch;
import dev.sluice.state.models.RegistryEventCodec;
import dev.sluice.state.models.RegistryState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Windowed drift of one monitored variable (keyed by {@link MonitoredBatch#subject}) against the
 * reference profile of the model's champion, which it learns from the registry's log (broadcast).
 *
 * <p>Per key and tumbling event-time window it keeps one bounded {@link WindowSketch} (about 1.7 KB
 * for a numeric variable, whatever the number of values) on the grid of the reference that was the
 * champion's when the window's first value came, and the version of that reference. When the
 * watermark passes the window's end plus the lateness, a timer compares the sketch with that
 * reference ({@link DriftStatistics}), decides with the policy ({@link DriftDecision}; never
 * drifted below {@code minCount} values) and emits a {@link DriftResult}; the window's state is
 * then cleared. Values for a window already evaluated, for a subject the reference does not
 * profile, or before any champion exists are counted ({@code drift-late}, {@code drift-unprofiled},
 * {@code drift-no-model}; per value, not per batch) and dropped.
 *
 * <p>Input: {@link MonitoredBatch}es, values of one variable in one window, from {@link
 * MonitoredValueBundler} upstream of the keyBy, not single values. With the sketch in RocksDB, a
 * value used to cost a read and a write of the whole serialized sketch (about 800 ns and two JNI
 * calls, for a 9 ns sketch update) and a champion lookup; a batch pays these once for all its
 * values. The results do not depend on how values are batched: the sketch sees the values in the
 * same order, and the bundler emits what it holds before it forwards a watermark, so a value that
 * was not behind its own input's watermark is not late here because it waited in a batch.
 *
 * <p>State: per key, {@code drift-sketches} (window start -> sketch), {@code drift-versions}
 * (window start -> reference version) and {@code drift-waiting} (values that came before any
 * champion, still one {@link MonitoredValue} per value so that savepoints from before batching
 * restore); broadcast, {@code drift-registry-log} (the applied registry log, from which each task
 * rebuilds the model's state after a restore).
 */
public final class DriftMonitorFunction
    extends KeyedBroadcastProcessFunction<String, MonitoredBatch, RegistryEvent, DriftResult> {
  private static final long serialVersionUID = 1L;

  /** The broadcast state holding the applied registry log. */
  public static final MapStateDescriptor<Long, byte[]> REGISTRY_LOG =
      new MapStateDescriptor<>(
          "drift-registry-log", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /** Values a task holds while no champion is known (the registry's log still coming). */
  static final int MAX_WAITING = 100_000;

  private final DriftSettings settings;
  private final long window;
  private final long lateness;

  private transient MapState<Long, WindowSketch> sketches;
  private transient MapState<Long, Integer> versions;
  private transient ListState<MonitoredValue> waiting;
  private transient long waitingCount;
  private transient RegistryState registry;
  private transient long appliedEntries;
  private transient Counter late;
  private transient Counter unprofiled;
  private transient Counter noModel;
  private transient Counter results;
  private transient Map<String, double[]> gauges;

  public DriftMonitorFunction(DriftSettings settings) {
    this.settings = settings;
    this.window = settings.window().toMillis();
    this.lateness = settings.lateness().toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    sketches =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "drift-sketches", Types.LONG, TypeInformation.of(WindowSketch.class)));
    versions =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("drift-versions", Types.LONG, Types.INT));
    waiting =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>(
                    "drift-waiting", TypeInformation.of(MonitoredValue.class)));
    var group = getRuntimeContext().getMetricGroup();
    late = group.counter("drift-late");
    unprofiled = group.counter("drift-unprofiled");
    noModel = group.counter("drift-no-model");
    results = group.counter("drift-results");
    gauges = new HashMap<>();
  }

  @Override
  public void processBroadcastElement(RegistryEvent event, Context ctx, Collector<DriftResult> out)
      throws Exception {
    BroadcastState<Long, byte[]> log = ctx.getBroadcastState(REGISTRY_LOG);
    RegistryState state = registry(log);
    if (state.apply(event).applied()) {
      log.put(appliedEntries++, RegistryEventCodec.encode(event));
    }
  }

  @Override
  public void processElement(MonitoredBatch batch, ReadOnlyContext ctx, Collector<DriftResult> out)
      throws Exception {
    // Every value of a batch is in the window of its timestamp (MonitoredValueBundler).
    long time = ctx.timestamp() != null ? ctx.timestamp() : batch.time;
    long start = Math.floorDiv(time, window) * window;
    long end = start + window;
    double[] values = batch.values;
    if (ctx.timerService().currentWatermark() >= end - 1 + lateness) {
      late.inc(values.length);
      return;
    }
    ModelVersion champion =
        registry(ctx.getBroadcastState(REGISTRY_LOG))
            .resolve(settings.modelName(), RegistryState.CHAMPION)
            .orElse(null);
    if (champion == null) {
      // The registry's log may still be on its way (a job starting): wait, bounded. One entry per
      // value, as before batches, so that savepoints holding waiting values stay readable.
      int room = (int) Math.max(0, Math.min(values.length, MAX_WAITING - waitingCount));
      noModel.inc(values.length - room);
      if (room == 0) {
        return;
      }
      List<MonitoredValue> wait = new ArrayList<>(room);
      for (int i = 0; i < room; i++) {
        wait.add(new MonitoredValue(batch.subject, values[i], time));
      }
      waiting.addAll(wait);
      waitingCount += room;
      ctx.timerService().registerEventTimeTimer(end - 1 + lateness);
      return;
    }
    // Values that waited for the champion join their windows when the first of them closes.
    add(champion, ctx.getCurrentKey(), start, values, values.length, ctx);
  }

  /**
   * Adds the first {@code n} of {@code values} (all in the window starting at {@code start}) to the
   * window's sketch, creating it on the champion's reference: one read and one write of the sketch
   * for all of them.
   */
  private void add(
      ModelVersion champion,
      String subject,
      long start,
      double[] values,
      int n,
      ReadOnlyContext ctx)
      throws Exception {
    WindowSketch sketch = sketches.get(start);
    if (sketch == null) {
      DistributionProfile profile = profile(champion, subject);
      if (profile == null) {
        unprofiled.inc(n);
        return;
      }
      sketch = WindowSketch.forReference(profile);
      versions.put(start, champion.getVersion());
      ctx.timerService().registerEventTimeTimer(start + window - 1 + lateness);
    }
    for (int i = 0; i < n; i++) {
      sketch.add(values[i]);
    }
    sketches.put(start, sketch);
  }

  /** Moves the values that waited for a champion into their windows (or counts them as late). */
  private void drainWaiting(
      ModelVersion champion, String subject, long watermark, ReadOnlyContext ctx) throws Exception {
    if (!waiting.get().iterator().hasNext()) {
      return;
    }
    // Grouped by window, in arrival order within each, so that each sketch is read and written
    // once (up to MAX_WAITING values may have waited).
    Map<Long, double[]> groups = new LinkedHashMap<>();
    Map<Long, Integer> sizes = new HashMap<>();
    for (MonitoredValue v : waiting.get()) {
      long start = Math.floorDiv(v.time, window) * window;
      if (watermark >= start + window - 1 + lateness) {
        late.inc();
        continue;
      }
      double[] group = groups.get(start);
      int size = sizes.getOrDefault(start, 0);
      if (group == null || size == group.length) {
        group = group == null ? new double[16] : Arrays.copyOf(group, 2 * size);
        groups.put(start, group);
      }
      group[size] = v.value;
      sizes.put(start, size + 1);
    }
    for (Map.Entry<Long, double[]> group : groups.entrySet()) {
      add(champion, subject, group.getKey(), group.getValue(), sizes.get(group.getKey()), ctx);
    }
    waiting.clear();
    waitingCount = 0;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DriftResult> out)
      throws Exception {
    ModelVersion champion =
        registry(ctx.getBroadcastState(REGISTRY_LOG))
            .resolve(settings.modelName(), RegistryState.CHAMPION)
            .orElse(null);
    if (champion != null) {
      drainWaiting(champion, ctx.getCurrentKey(), timestamp - 1, ctx);
    } else {
      // Still no champion when a window closes: its waiting values cannot be judged.
      List<MonitoredValue> keep = new ArrayList<>();
      for (MonitoredValue v : waiting.get()) {
        if (Math.floorDiv(v.time, window) * window + window - 1 + lateness <= timestamp) {
          noModel.inc();
        } else {
          keep.add(v);
        }
      }
      waiting.update(keep);
      waitingCount = keep.size();
    }
    long start = Math.floorDiv(timestamp - lateness + 1 - window, window) * window;
    WindowSketch sketch = sketches.get(start);
    Integer version = versions.get(start);
    sketches.remove(start);
    versions.remove(start);
    if (sketch == null || version == null) {
      return;
    }
    long end = start + window;
    if (settings.monitorFrom() != null && end <= settings.monitorFrom().toEpochMilli()) {
      return;
    }
    ModelVersion reference =
        registry(ctx.getBroadcastState(REGISTRY_LOG))
            .version(settings.modelName(), version)
            .orElseThrow();
    DistributionProfile profile = profile(reference, ctx.getCurrentKey());
    DriftStatistics statistics = DriftStatistics.compare(profile, sketch);
    DriftPolicy policy = settings.policy();
    DriftDecision decision = DriftDecision.decide(statistics, policy);
    if (decision.drifted() && statistics.count() < settings.minCount()) {
      decision =
          new DriftDecision(
              false,
              decision.method(),
              decision.decidedBy(),
              decision.statistic(),
              decision.threshold(),
              decision.psi());
    }
    results.inc();
    gauge(ctx.getCurrentKey(), statistics, decision);
    out.collect(
        DriftResults.toAvro(
            settings.modelName(),
            version,
            Instant.ofEpochMilli(start),
            Instant.ofEpochMilli(end),
            statistics,
            decision,
            Instant.now()));
  }

  /**
   * Gauges of the last evaluated window of a variable, in the metric group {@code drift_<subject>}:
   * {@code psi}, the deciding statistic's value ({@code decidingStatistic}) and {@code drifted} (1
   * or 0); NaN until the first window of the task.
   */
  private void gauge(String subject, DriftStatistics statistics, DriftDecision decision) {
    double[] v =
        gauges.computeIfAbsent(
            subject,
            s -> {
              double[] values = {Double.NaN, Double.NaN, Double.NaN};
              var group = getRuntimeContext().getMetricGroup().addGroup("drift_" + s);
              group.gauge("psi", () -> values[0]);
              group.gauge("decidingStatistic", () -> values[1]);
              group.gauge("drifted", () -> values[2]);
              return values;
            });
    v[0] = statistics.get(DriftStatistics.PSI);
    v[1] = decision.statistic();
    v[2] = decision.drifted() ? 1 : 0;
  }

  /** The reference distribution of a subject: a feature, the score or the label; null if none. */
  static DistributionProfile profile(ModelVersion version, String subject) {
    if (version.getProfile() == null) {
      return null;
    }
    if (MonitoredValue.SCORE.equals(subject)) {
      return version.getProfile().getPrediction();
    }
    if (MonitoredValue.LABEL.equals(subject)) {
      return version.getProfile().getLabel();
    }
    for (DistributionProfile p : version.getProfile().getFeatures()) {
      if (p.getName().equals(subject)) {
        return p;
      }
    }
    return null;
  }

  /** The task's view of the registry, rebuilt from the broadcast log after a restore. */
  private RegistryState registry(ReadOnlyBroadcastState<Long, byte[]> log) throws Exception {
    if (registry == null) {
      registry = RegistryState.forModel(settings.modelName());
      TreeMap<Long, byte[]> entries = new TreeMap<>();
      for (Map.Entry<Long, byte[]> e : log.immutableEntries()) {
        entries.put(e.getKey(), e.getValue());
      }
      for (byte[] bytes : entries.values()) {
        registry.apply(RegistryEventCodec.decode(bytes));
      }
      appliedEntries = entries.isEmpty() ? 0 : entries.lastKey() + 1;
    }
    return registry;
  }
}

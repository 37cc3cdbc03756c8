package dev.sluice.operators.monitoring.detectors;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Streaming concept-drift detection on a model version's error stream once its labels arrive:
 * {@link Ddm}, {@link PageHinkley} and {@link Adwin} side by side, keyed by {@link
 * LabelledPrediction#modelKey()} (name, version, decision or shadow), reported per event-time
 * window as {@link DriftResult}s of kind {@link DriftKind#ERROR_STREAM}.
 *
 * <p>Input: the {@link LabelledPrediction.LabelStatus#LABELLED} rows of the label join; any other
 * row is counted ({@code error-stream-not-labelled}) and ignored. The error of a row is 1 when the
 * decision at the row's own threshold ({@code score >= threshold}) disagrees with the label, else
 * 0: DDM models the errors as Bernoulli trials (its {@code s = sqrt(p (1 - p) / n)}), and 0/1
 * misclassifications at the threshold actually used are what a rising error means for the business.
 * Each row updates the three detectors in arrival order.
 *
 * <p>Windows: tumbling, aligned to the epoch, of the row's {@link LabelledPrediction#labelTime},
 * the event time at which the label became known (the label join stamps a row with it, except when
 * the label came before the prediction: the row then carries the prediction's time, and is still
 * counted in the label time's window). Per window it counts the rows, their errors, and per
 * detector the DRIFTs (and DDM's WARNINGs) reported on those rows, the label time of the first
 * DRIFT, and how many errors the detector held before the window. When the watermark passes the
 * window's end plus the lateness (event-time timer at {@code end - 1 + lateness}) it emits three
 * results, subjects {@value #DDM}, {@value #PAGE_HINKLEY} and {@value #ADWIN} (with {@value
 * #SHADOW_SUFFIX} appended for a shadow version): {@code count} = labelled rows, {@code
 * referenceCount} = errors the detector held before the window, {@code drifted} = detections > 0
 * ({@code decidedBy} "detections", {@code threshold} 0), and statistics {@code detections}, {@code
 * errors}, {@code error_rate} (the window's), {@code detector_error_rate} (DDM's {@code p},
 * Page-Hinkley's mean, ADWIN's estimation, after the window's last row; NaN right after a reset),
 * {@code first_detection_at} (epoch millis, NaN if none), {@code warnings} (DDM) and {@code
 * adwin_width} (ADWIN, after the window's last row). Results depend only on the rows and their
 * order, not on when the watermark comes. A row whose window was already emitted is counted ({@code
 * error-stream-late}) and ignored, detectors included.
 *
 * <p>State per key: {@value #STATE_DDM}, {@value #STATE_PAGE_HINKLEY}, {@value #STATE_ADWIN} (the
 * detectors, POJOs: a few hundred bytes, ADWIN's histogram O(log width)) and {@value
 * #STATE_WINDOWS} (window start -> {@link ErrorWindow}, removed by the window's timer). Timers: one
 * per open window. Leak: the detectors of a model version that stops receiving labels (retired)
 * stay, about 2 KB per version ever served; the windows do not leak as long as the watermark
 * advances.
 *
 * <p>Metrics: counters {@code error-stream-not-labelled}, {@code error-stream-late}, {@code
 * error-stream-results}; per model key, in the group {@code errors_<name>_<version>_<role>}, gauges
 * {@code ddmErrorRate}, {@code pageHinkleyMean}, {@code adwinEstimation}, {@code adwinWidth} (the
 * detectors' current estimates, NaN until the key's first row in this task, also after a restart)
 * and counters {@code ddmDetections}, {@code ddmWarnings}, {@code pageHinkleyDetections}, {@code
 * adwinDetections} (since the task started).
 */
public final class ErrorStreamFunction
    extends KeyedProcessFunction<String, LabelledPrediction, DriftResult> {
  private static final long serialVersionUID = 1L;

  public static final String DDM = "errors/ddm";
  public static final String PAGE_HINKLEY = "errors/page_hinkley";
  public static final String ADWIN = "errors/adwin";
  public static final String SHADOW_SUFFIX = "/shadow";

  /** Statistic: DRIFTs the detector reported in the window; what every result is decided by. */
  public static final String DETECTIONS = "detections";

  /** What every result is decided by. */
  public static final String DECIDED_BY = DETECTIONS;

  /** Statistic: the window's share of errors. */
  public static final String ERROR_RATE = "error_rate";

  /** Statistic: the detector's own estimate of the error rate after the window's last row. */
  public static final String DETECTOR_ERROR_RATE = "detector_error_rate";

  static final String STATE_DDM = "error-stream-ddm";
  static final String STATE_PAGE_HINKLEY = "error-stream-page-hinkley";
  static final String STATE_ADWIN = "error-stream-adwin";
  static final String STATE_WINDOWS = "error-stream-windows";

  private final ErrorStreamSettings settings;
  private final long window;
  private final long lateness;

  private transient ValueState<Ddm> ddmState;
  private transient ValueState<PageHinkley> pageHinkleyState;
  private transient ValueState<Adwin> adwinState;
  private transient MapState<Long, ErrorWindow> windows;
  private transient Counter notLabelled;
  private transient Counter late;
  private transient Counter results;
  private transient Map<String, KeyMetrics> keyMetrics;

  public ErrorStreamFunction(ErrorStreamSettings settings) {
    this.settings = settings;
    this.window = settings.window().toMillis();
    this.lateness = settings.lateness().toMillis();
  }

  /** The subject of a detector's results: e.g. {@code errors/ddm}, {@code errors/ddm/shadow}. */
  public static String subject(String detector, boolean shadow) {
    return shadow ? detector + SHADOW_SUFFIX : detector;
  }

  /** 1 when the decision at the row's threshold disagrees with its label, else 0. */
  public static double error(LabelledPrediction row) {
    return (row.score >= row.threshold) != row.fraud ? 1.0 : 0.0;
  }

  @Override
  public void open(OpenContext openContext) {
    ddmState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(STATE_DDM, TypeInformation.of(Ddm.class)));
    pageHinkleyState =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    STATE_PAGE_HINKLEY, TypeInformation.of(PageHinkley.class)));
    adwinState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(STATE_ADWIN, TypeInformation.of(Adwin.class)));
    windows =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    STATE_WINDOWS, Types.LONG, TypeInformation.of(ErrorWindow.class)));
    MetricGroup group = getRuntimeContext().getMetricGroup();
    notLabelled = group.counter("error-stream-not-labelled");
    late = group.counter("error-stream-late");
    results = group.counter("error-stream-results");
    keyMetrics = new HashMap<>();
  }

  @Override
  public void processElement(LabelledPrediction row, Context ctx, Collector<DriftResult> out)
      throws Exception {
    if (row.status != LabelledPrediction.LabelStatus.LABELLED) {
      notLabelled.inc();
      return;
    }
    long time = row.labelTime;
    long start = Math.floorDiv(time, window) * window;
    long due = start + window - 1 + lateness;
    if (ctx.timerService().currentWatermark() >= due) {
      late.inc();
      return;
    }
    Ddm ddm = ddmState.value();
    PageHinkley pageHinkley = pageHinkleyState.value();
    Adwin adwin = adwinState.value();
    if (ddm == null) {
      ddm = settings.ddm();
      pageHinkley = settings.pageHinkley();
      adwin = settings.adwin();
    }
    ErrorWindow w = windows.get(start);
    if (w == null) {
      w = new ErrorWindow();
      w.modelName = row.modelName;
      w.modelVersion = row.modelVersion;
      w.shadow = row.shadow;
      w.ddm.seenBefore = ddm.seen();
      w.pageHinkley.seenBefore = pageHinkley.seen();
      w.adwin.seenBefore = adwin.seen();
      ctx.timerService().registerEventTimeTimer(due);
    }
    double error = error(row);
    w.rows++;
    w.errors += (long) error;
    KeyMetrics m = keyMetrics.computeIfAbsent(ctx.getCurrentKey(), this::register);
    DriftDetector.State d = ddm.update(error);
    DriftDetector.State p = pageHinkley.update(error);
    DriftDetector.State a = adwin.update(error);
    w.ddm.record(d, time, ddm.seen() == 0 ? Double.NaN : ddm.errorRate());
    w.pageHinkley.record(p, time, pageHinkley.seen() == 0 ? Double.NaN : pageHinkley.mean());
    w.adwin.record(a, time, adwin.estimation());
    w.adwinWidth = adwin.width();
    m.record(d, p, a, ddm, pageHinkley, adwin);
    ddmState.update(ddm);
    pageHinkleyState.update(pageHinkley);
    adwinState.update(adwin);
    windows.put(start, w);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DriftResult> out)
      throws Exception {
    long start = timestamp - lateness + 1 - window;
    ErrorWindow w = windows.get(start);
    if (w == null) {
      return;
    }
    windows.remove(start);
    Instant now = Instant.now();
    Map<String, Double> ddmStats = statistics(w, w.ddm);
    ddmStats.put("warnings", (double) w.ddm.warnings);
    out.collect(result(w, start, DDM, w.ddm, ddmStats, now));
    out.collect(result(w, start, PAGE_HINKLEY, w.pageHinkley, statistics(w, w.pageHinkley), now));
    Map<String, Double> adwinStats = statistics(w, w.adwin);
    adwinStats.put("adwin_width", (double) w.adwinWidth);
    out.collect(result(w, start, ADWIN, w.adwin, adwinStats, now));
    results.inc(3);
  }

  private static Map<String, Double> statistics(ErrorWindow w, ErrorWindow.Counts c) {
    Map<String, Double> s = new LinkedHashMap<>();
    s.put(DETECTIONS, (double) c.detections);
    s.put("errors", (double) w.errors);
    s.put(ERROR_RATE, w.errors / (double) w.rows);
    s.put(DETECTOR_ERROR_RATE, c.estimate);
    s.put("first_detection_at", c.detections > 0 ? (double) c.firstDetectionAt : Double.NaN);
    return s;
  }

  private DriftResult result(
      ErrorWindow w,
      long start,
      String detector,
      ErrorWindow.Counts c,
      Map<String, Double> statistics,
      Instant now) {
    return DriftResult.newBuilder()
        .setModelName(w.modelName)
        .setModelVersion(w.modelVersion)
        .setSubject(subject(detector, w.shadow))
        .setKind(DriftKind.ERROR_STREAM)
        .setWindowStart(Instant.ofEpochMilli(start))
        .setWindowEnd(Instant.ofEpochMilli(start + window))
        .setCount(w.rows)
        .setReferenceCount(c.seenBefore)
        .setStatistics(statistics)
        .setDrifted(c.detections > 0)
        .setDecidedBy(DECIDED_BY)
        .setThreshold(0.0)
        .setEmittedAt(now)
        .build();
  }

  private KeyMetrics register(String modelKey) {
    MetricGroup group =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup("errors_" + modelKey.replaceAll("[^A-Za-z0-9_-]", "_"));
    return new KeyMetrics(group);
  }

  /** The gauges and counters of one model key (see the class comment). */
  private static final class KeyMetrics {
    final double[] values = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    final Counter ddmDetections;
    final Counter ddmWarnings;
    final Counter pageHinkleyDetections;
    final Counter adwinDetections;

    KeyMetrics(MetricGroup group) {
      group.gauge("ddmErrorRate", () -> values[0]);
      group.gauge("pageHinkleyMean", () -> values[1]);
      group.gauge("adwinEstimation", () -> values[2]);
      group.gauge("adwinWidth", () -> values[3]);
      ddmDetections = group.counter("ddmDetections");
      ddmWarnings = group.counter("ddmWarnings");
      pageHinkleyDetections = group.counter("pageHinkleyDetections");
      adwinDetections = group.counter("adwinDetections");
    }

    void record(
        DriftDetector.State d,
        DriftDetector.State p,
        DriftDetector.State a,
        Ddm ddm,
        PageHinkley pageHinkley,
        Adwin adwin) {
      if (d == DriftDetector.State.DRIFT) {
        ddmDetections.inc();
      } else if (d == DriftDetector.State.WARNING) {
        ddmWarnings.inc();
      }
      if (p == DriftDetector.State.DRIFT) {
        pageHinkleyDetections.inc();
      }
      if (a == DriftDetector.State.DRIFT) {
        adwinDetections.inc();
      }
      values[0] = ddm.errorRate();
      values[1] = pageHinkley.mean();
      values[2] = adwin.estimation();
      values[3] = adwin.width();
    }
  }
}

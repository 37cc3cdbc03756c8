package dev.sluice.cli.report;

import static dev.sluice.cli.report.Markup.esc;
import static dev.sluice.cli.report.Markup.px;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.operators.monitoring.detectors.ErrorStreamFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders a {@link ReportData} as one self-contained HTML page (inline CSS and SVG, no script, no
 * external resource): the online metrics per model version, the drift statistics per feature with
 * their thresholds, the error-stream detector of the decisions, and the alarms and model changes,
 * all on one event-time axis of UTC days, with the alarms and model changes drawn as vertical lines
 * on every chart and listed in a timeline table. Pure: the same data gives the same bytes.
 *
 * <p>A metrics window's point is its FINAL record, else its latest PROVISIONAL one (drawn hollow);
 * a drift window's is its latest result. NaN values are left out. The markup is also well-formed
 * XML, so tests (and tools) can parse it.
 */
public final class ReportRenderer {
  /** The metric of the main chart and of the small one: keys of {@code ModelMetrics.realized}. */
  static final String AUC = "auc_roc";

  static final String AVERAGE_PRECISION = "average_precision";

  /** The error-stream detector charted: Page-Hinkley on the errors of the decisions. */
  static final String DECISION_DETECTOR = ErrorStreamFunction.PAGE_HINKLEY;

  /** Line colours of model versions, in version order; none is a marker's colour. */
  private static final String[] VERSION_COLORS = {
    "#6a3d9a", "#008b8b", "#c51b7d", "#7a7a00", "#2c3e50", "#a65628"
  };

  private static final int AUC_HEIGHT = 250;
  private static final int AP_HEIGHT = 120;
  private static final int DRIFT_HEIGHT = 50;
  private static final int ERRORS_HEIGHT = 80;
  private static final int TIMELINE_HEIGHT = 12;

  private static final String FONTS =
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans',"
          + " 'DejaVu Sans', sans-serif";

  /** The page and about how tall it renders in px (for a screenshot's window). */
  public record Page(String html, int height) {}

  /** One line of the metrics charts: a model version's decisions, or its shadow scores. */
  record Series(int version, boolean shadow) implements Comparable<Series> {
    String name() {
      return "v" + version + (shadow ? " shadow" : " champion decisions");
    }

    @Override
    public int compareTo(Series o) {
      return version != o.version
          ? Integer.compare(version, o.version)
          : Boolean.compare(shadow, o.shadow);
    }
  }

  private final ReportData data;
  private final StringBuilder html = new StringBuilder(64 * 1024);
  private int height;
  private TimeAxis axis;
  private List<Marker> markers;

  private ReportRenderer(ReportData data) {
    this.data = data;
  }

  /** The page's HTML. */
  public static String render(ReportData data) {
    return renderPage(data).html();
  }

  public static Page renderPage(ReportData data) {
    ReportRenderer r = new ReportRenderer(data);
    r.page();
    return new Page(r.html.toString(), r.height);
  }

  private void page() {
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<title>sluice report: ")
        .append(esc(data.model()))
        .append("</title>\n<style>\n")
        .append(css())
        .append("</style>\n</head>\n<body>\n<main>\n");
    height += 48;
    ReportData.Summary summary = data.summary();
    if (summary.first() == null) {
      html.append("<h1>sluice report: <span class=\"model\">")
          .append(esc(data.model()))
          .append("</span></h1>\n<p class=\"empty\">No monitoring data for model ")
          .append(esc(data.model()))
          .append(" yet: the monitoring topics hold no metrics, drift results, alerts or")
          .append(" retraining events for it. Run the job with monitoring (bin/sluice demo)")
          .append(" and look again once a day of event time has passed.</p>\n");
      height += 120;
    } else {
      axis =
          TimeAxis.covering(
              summary.first().toEpochMilli(),
              summary.last().toEpochMilli(),
              Chart.LEFT,
              Chart.PLOT_WIDTH);
      markers = markers();
      header(summary);
      metrics();
      drift();
      events();
    }
    html.append("</main>\n</body>\n</html>\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Header

  private void header(ReportData.Summary summary) {
    html.append("<header>\n<h1>sluice report: <span class=\"model\">")
        .append(esc(data.model()))
        .append("</span></h1>\n<p class=\"period\">Event time ")
        .append(Markup.date(axis.from))
        .append(" to ")
        .append(Markup.date(axis.to - TimeAxis.DAY))
        .append(" (")
        .append(axis.days())
        .append(axis.days() == 1 ? " day" : " days")
        .append(", UTC)")
        .append(versions())
        .append("</p>\n<div class=\"stats\">\n");
    stat("alarms fired", summary.alarms(), "alarms");
    stat("retraining runs", summary.runs(), "runs");
    stat("promotions", summary.promotions(), "promotions");
    stat("rollbacks", summary.rollbacks(), "rollbacks");
    html.append("</div>\n<p class=\"howto\"><b>How to read this:</b> every chart shares one")
        .append(" event-time axis (UTC days). Solid lines are the version whose scores made the")
        .append(" decisions, dashed lines a version scored in shadow; filled points are final")
        .append(" (all labels in), hollow points provisional. Vertical lines mark ")
        .append(kindText(Marker.Kind.ALERT, "alarms fired"))
        .append(", ")
        .append(kindText(Marker.Kind.CHALLENGER, "challengers"))
        .append(", ")
        .append(kindText(Marker.Kind.PROMOTED, "promotions"))
        .append(", ")
        .append(kindText(Marker.Kind.REJECTED, "rejections"))
        .append(" and ")
        .append(kindText(Marker.Kind.ROLLED_BACK, "rollbacks"))
        .append("; hover a line for its time.</p>\n</header>\n");
    height += 200;
  }

  private static String kindText(Marker.Kind kind, String text) {
    return "<span class=\"" + kind.cssClass + "\">" + text + "</span>";
  }

  private void stat(String label, long value, String id) {
    html.append("<div class=\"stat\" id=\"stat-")
        .append(id)
        .append("\"><b>")
        .append(value)
        .append("</b><span>")
        .append(label)
        .append("</span></div>\n");
  }

  /** ", versions v3 (decisions), v4 (shadow, decisions)" from the metrics, or nothing. */
  private String versions() {
    SortedMap<Integer, TreeSet<String>> roles = new TreeMap<>();
    for (ModelMetrics m : data.metrics()) {
      roles
          .computeIfAbsent(m.getModelVersion(), v -> new TreeSet<>())
          .add(m.getShadow() ? "shadow" : "decisions");
    }
    if (roles.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    roles.forEach((v, r) -> parts.add("v" + v + " (" + String.join(", ", r) + ")"));
    return "; versions " + String.join(", ", parts);
  }

  // ---------------------------------------------------------------------------------------------
  // Online metrics

  private void metrics() {
    SortedMap<Series, SortedMap<Long, ModelMetrics>> series = metricsBySeries(data.metrics());
    List<Integer> versions =
        series.keySet().stream().map(Series::version).distinct().sorted().toList();
    html.append("<section id=\"metrics\">\n<h2>Online metrics per model version</h2>\n")
        .append("<p class=\"note\">Realized on the labelled predictions of each day window of")
        .append(" event time; a window is final once its labels can no longer arrive.</p>\n");
    height += 80;
    List<Marker.Placed> band = Marker.place(axis, markers, Chart.WIDTH - 4);
    metricChart(
        "auc",
        "AUC ROC",
        AUC,
        series,
        versions,
        band,
        AUC_HEIGHT,
        "Realized AUC ROC per day window");
    legend(series.keySet(), versions);
    metricChart(
        "ap",
        "average precision",
        AVERAGE_PRECISION,
        series,
        versions,
        List.of(),
        AP_HEIGHT,
        "Average precision per day window");
    html.append("</section>\n");
  }

  /**
   * Per series and window start, the record to draw: the FINAL one if any, else the latest
   * PROVISIONAL one (by emission time, then topic order).
   */
  static SortedMap<Series, SortedMap<Long, ModelMetrics>> metricsBySeries(
      List<ModelMetrics> metrics) {
    SortedMap<Series, SortedMap<Long, ModelMetrics>> bySeries = new TreeMap<>();
    for (ModelMetrics m : metrics) {
      SortedMap<Long, ModelMetrics> windows =
          bySeries.computeIfAbsent(
              new Series(m.getModelVersion(), m.getShadow()), s -> new TreeMap<>());
      windows.merge(m.getWindowStart().toEpochMilli(), m, ReportRenderer::preferred);
    }
    return bySeries;
  }

  private static ModelMetrics preferred(ModelMetrics current, ModelMetrics candidate) {
    boolean currentFinal = current.getStatus() == MetricsStatus.FINAL;
    boolean candidateFinal = candidate.getStatus() == MetricsStatus.FINAL;
    if (currentFinal != candidateFinal) {
      return candidateFinal ? candidate : current;
    }
    return candidate.getEmittedAt().isBefore(current.getEmittedAt()) ? current : candidate;
  }

  private void metricChart(
      String id,
      String label,
      String metric,
      SortedMap<Series, SortedMap<Long, ModelMetrics>> series,
      List<Integer> versions,
      List<Marker.Placed> band,
      int plotHeight,
      String title) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (SortedMap<Long, ModelMetrics> windows : series.values()) {
      for (ModelMetrics m : windows.values()) {
        double v = realized(m, metric);
        if (!Double.isNaN(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    boolean empty = min > max;
    Chart chart =
        new Chart(
            "id=\"" + id + "\" class=\"chart metric\"",
            axis,
            title,
            Marker.lanes(band),
            plotHeight,
            true,
            title);
    chart.scale(empty ? 0.5 : min, empty ? 1 : max, 5, 0, 1).markers(markers).band(band);
    ValueScale y = chart.y();
    for (Map.Entry<Series, SortedMap<Long, ModelMetrics>> e : series.entrySet()) {
      Series s = e.getKey();
      String color = color(versions, s.version());
      StringBuilder points = new StringBuilder();
      StringBuilder circles = new StringBuilder();
      for (ModelMetrics m : e.getValue().values()) {
        double v = realized(m, metric);
        if (Double.isNaN(v)) {
          continue;
        }
        double x = axis.x(mid(m.getWindowStart().toEpochMilli(), m.getWindowEnd().toEpochMilli()));
        boolean provisional = m.getStatus() != MetricsStatus.FINAL;
        if (points.length() > 0) {
          points.append(' ');
        }
        points.append(px(x)).append(',').append(px(y.y(v)));
        circles
            .append("<circle class=\"point ")
            .append(provisional ? "provisional" : "final")
            .append("\" data-series=\"")
            .append(esc(s.name()))
            .append("\" cx=\"")
            .append(px(x))
            .append("\" cy=\"")
            .append(px(y.y(v)))
            .append("\" r=\"")
            .append(provisional ? "3.2" : "2.8")
            .append("\" stroke=\"")
            .append(color)
            .append("\" fill=\"")
            .append(provisional ? "#fff" : color)
            .append("\"><title>")
            .append(
                esc(
                    s.name()
                        + ", "
                        + Markup.date(m.getWindowStart().toEpochMilli())
                        + ": "
                        + label
                        + " "
                        + Markup.fixed(v, 3)
                        + (provisional ? " (provisional)" : "")
                        + ", "
                        + m.getLabelled()
                        + " labelled of "
                        + m.getPredictions()))
            .append("</title></circle>\n");
      }
      if (points.length() == 0) {
        continue;
      }
      chart
          .raw("<polyline class=\"series")
          .raw(s.shadow() ? " shadow" : " decisions")
          .raw("\" data-series=\"")
          .raw(esc(s.name()))
          .raw("\" stroke=\"")
          .raw(color)
          .raw("\" points=\"")
          .raw(points.toString())
          .raw("\"/>\n")
          .raw(circles.toString());
    }
    if (empty) {
      chart.raw(noValues(chart, "no " + label + " yet: labels arrive days after the predictions"));
    }
    html.append(chart.close());
    height += chart.height() + 4;
  }

  private void legend(Iterable<Series> series, List<Integer> versions) {
    html.append("<div class=\"legend\">\n");
    for (Series s : series) {
      String color = color(versions, s.version());
      html.append("<span class=\"legend-item\"><svg width=\"34\" height=\"12\"><line x1=\"1\"")
          .append(" y1=\"6\" x2=\"33\" y2=\"6\" stroke=\"")
          .append(color)
          .append("\" stroke-width=\"2\"")
          .append(s.shadow() ? " stroke-dasharray=\"6 4\"" : "")
          .append("/><circle cx=\"17\" cy=\"6\" r=\"2.8\" fill=\"")
          .append(color)
          .append("\"/></svg>")
          .append(esc(s.name()))
          .append("</span>\n");
    }
    html.append("<span class=\"legend-item\"><svg width=\"16\" height=\"12\"><circle cx=\"8\"")
        .append(" cy=\"6\" r=\"3.2\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"1.5\"/></svg>")
        .append("provisional (labels still arriving)</span>\n</div>\n");
    height += 30;
  }

  private static double realized(ModelMetrics m, String metric) {
    Double v = m.getRealized().get(metric);
    return v == null || v.isInfinite() ? Double.NaN : v;
  }

  private static String color(List<Integer> versions, int version) {
    return VERSION_COLORS[Math.max(0, versions.indexOf(version)) % VERSION_COLORS.length];
  }

  private static long mid(long start, long end) {
    return start + (end - start) / 2;
  }

  private static String noValues(Chart chart, String text) {
    return "<text class=\"no-values\" x=\""
        + (Chart.LEFT + Chart.PLOT_WIDTH / 2)
        + "\" y=\""
        + px((chart.top() + chart.bottom()) / 2)
        + "\">"
        + esc(text)
        + "</text>\n";
  }

  // ---------------------------------------------------------------------------------------------
  // Drift

  private void drift() {
    SortedMap<String, SortedMap<Long, DriftResult>> bySubject = new TreeMap<>();
    for (DriftResult d : data.drift()) {
      if (d.getKind() != DriftKind.ERROR_STREAM) {
        bySubject
            .computeIfAbsent(d.getSubject(), s -> new TreeMap<>())
            .merge(d.getWindowStart().toEpochMilli(), d, ReportRenderer::latest);
      }
    }
    List<String> subjects =
        bySubject.keySet().stream()
            .sorted(
                Comparator.comparingLong((String s) -> -driftedWindows(bySubject.get(s)))
                    .thenComparing(Comparator.naturalOrder()))
            .toList();
    html.append("<section id=\"drift\">\n<h2>Drift statistics per feature</h2>\n")
        .append("<p class=\"note\">Per day window, the statistic that decides drift against the")
        .append(" model's reference profile; dashed: its threshold; ")
        .append("<span class=\"drifted-text\">red points</span>: windows judged drifted.")
        .append(" Drifted features first.</p>\n");
    height += 80;
    if (subjects.isEmpty()) {
      html.append("<p class=\"note\">No drift results yet.</p>\n");
      height += 30;
    }
    for (int i = 0; i < subjects.size(); i++) {
      driftChart(subjects.get(i), bySubject.get(subjects.get(i)), i == subjects.size() - 1);
    }
    errorChart();
    html.append("</section>\n");
  }

  private static DriftResult latest(DriftResult current, DriftResult candidate) {
    return candidate.getEmittedAt().isBefore(current.getEmittedAt()) ? current : candidate;
  }

  private static long driftedWindows(SortedMap<Long, DriftResult> windows) {
    return windows.values().stream().filter(DriftResult::getDrifted).count();
  }

  private static double decidingValue(DriftResult d) {
    Double v = d.getStatistics().get(d.getDecidedBy());
    return v == null || v.isInfinite() ? Double.NaN : v;
  }

  private void driftChart(String subject, SortedMap<Long, DriftResult> windows, boolean dates) {
    DriftResult last = windows.get(windows.lastKey());
    double threshold = last.getThreshold();
    long drifted = driftedWindows(windows);
    double min = Math.min(0, threshold);
    double max = threshold;
    for (DriftResult d : windows.values()) {
      double v = decidingValue(d);
      if (!Double.isNaN(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    String title =
        subject
            + "  \u00b7  "
            + last.getDecidedBy()
            + ", threshold "
            + Markup.value(threshold)
            + "  \u00b7  drifted in "
            + drifted
            + " of "
            + windows.size()
            + " windows";
    Chart chart =
        new Chart(
            "class=\"chart drift\" data-subject=\"" + esc(subject) + "\"",
            axis,
            title,
            0,
            DRIFT_HEIGHT,
            dates,
            "drift of " + subject);
    chart.scale(min, max, 2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY).markers(markers);
    ValueScale y = chart.y();
    StringBuilder points = new StringBuilder();
    StringBuilder circles = new StringBuilder();
    for (DriftResult d : windows.values()) {
      double v = decidingValue(d);
      if (Double.isNaN(v)) {
        continue;
      }
      double x = axis.x(mid(d.getWindowStart().toEpochMilli(), d.getWindowEnd().toEpochMilli()));
      if (points.length() > 0) {
        points.append(' ');
      }
      points.append(px(x)).append(',').append(px(y.y(v)));
      circles
          .append("<circle class=\"drift-point")
          .append(d.getDrifted() ? " drifted" : "")
          .append("\" cx=\"")
          .append(px(x))
          .append("\" cy=\"")
          .append(px(y.y(v)))
          .append("\" r=\"")
          .append(d.getDrifted() ? "3.5" : "2")
          .append("\"><title>")
          .append(
              esc(
                  subject
                      + ", "
                      + Markup.date(d.getWindowStart().toEpochMilli())
                      + ": "
                      + d.getDecidedBy()
                      + " "
                      + Markup.value(v)
                      + (d.getDrifted() ? " (drifted)" : "")))
          .append("</title></circle>\n");
    }
    chart
        .raw(
            Chart.line(
                    "threshold",
                    Chart.LEFT,
                    y.y(threshold),
                    Chart.LEFT + Chart.PLOT_WIDTH,
                    y.y(threshold))
                .replace("/>", " data-value=\"" + threshold + "\"/>"))
        .raw("<text class=\"threshold-label\" x=\"")
        .raw(px(Chart.LEFT + Chart.PLOT_WIDTH + 4))
        .raw("\" y=\"")
        .raw(px(y.y(threshold) + 4))
        .raw("\">")
        .raw(esc(Markup.value(threshold)))
        .raw("</text>\n");
    if (points.length() > 0) {
      chart.raw("<polyline class=\"stat-line\" points=\"" + points + "\"/>\n");
    }
    chart.raw(circles.toString());
    html.append(chart.close());
    height += chart.height() + 6;
  }

  /** Detections per window of the decisions' Page-Hinkley detector, summed over versions. */
  private void errorChart() {
    // Per window and version the latest result; a window can have two versions at a promotion.
    SortedMap<Long, SortedMap<Integer, DriftResult>> byWindow = new TreeMap<>();
    for (DriftResult d : data.drift()) {
      if (d.getKind() == DriftKind.ERROR_STREAM && DECISION_DETECTOR.equals(d.getSubject())) {
        byWindow
            .computeIfAbsent(d.getWindowStart().toEpochMilli(), w -> new TreeMap<>())
            .merge(d.getModelVersion(), d, ReportRenderer::latest);
      }
    }
    html.append("<h3>Error-stream detector of the decisions: ")
        .append(esc(DECISION_DETECTOR))
        .append("</h3>\n<p class=\"note\">Page-Hinkley test on the decisions' 0/1 errors as")
        .append(" labels arrive: drift detections per day window of label time.</p>\n");
    height += 60;
    double max = 0;
    for (SortedMap<Integer, DriftResult> versions : byWindow.values()) {
      max = Math.max(max, detections(versions));
    }
    Chart chart =
        new Chart(
            "id=\"errors\" class=\"chart errors\"",
            axis,
            null,
            0,
            ERRORS_HEIGHT,
            true,
            "detections of " + DECISION_DETECTOR);
    chart.scale(0, Math.max(3, max), 3, 0, Double.POSITIVE_INFINITY).markers(markers);
    ValueScale y = chart.y();
    for (SortedMap<Integer, DriftResult> versions : byWindow.values()) {
      DriftResult first = versions.get(versions.firstKey());
      double n = detections(versions);
      double x0 = axis.x(first.getWindowStart()) + 1;
      double x1 = Math.max(x0 + 1, axis.x(first.getWindowEnd()) - 1);
      List<String> which = new ArrayList<>();
      versions.forEach(
          (v, d) -> which.add("v" + v + " " + Markup.value(detection(d)) + " of " + d.getCount()));
      chart
          .raw("<rect class=\"bar\" data-detections=\"")
          .raw(Markup.value(n))
          .raw("\" x=\"")
          .raw(px(x0))
          .raw("\" y=\"")
          .raw(px(y.y(n)))
          .raw("\" width=\"")
          .raw(px(x1 - x0))
          .raw("\" height=\"")
          .raw(px(y.y(0) - y.y(n)))
          .raw("\"><title>")
          .raw(
              esc(
                  Markup.date(first.getWindowStart().toEpochMilli())
                      + ": "
                      + Markup.value(n)
                      + " detection(s); "
                      + String.join(", ", which)
                      + " labelled"))
          .raw("</title></rect>\n");
    }
    if (byWindow.isEmpty()) {
      chart.raw(noValues(chart, "no " + DECISION_DETECTOR + " results yet"));
    }
    html.append(chart.close());
    height += chart.height() + 4;
  }

  private static double detections(SortedMap<Integer, DriftResult> versions) {
    return versions.values().stream().mapToDouble(ReportRenderer::detection).sum();
  }

  private static double detection(DriftResult d) {
    Double v = d.getStatistics().get(ErrorStreamFunction.DETECTIONS);
    return v == null || v.isNaN() || v.isInfinite() ? 0 : v;
  }

  // ---------------------------------------------------------------------------------------------
  // Alarms and model changes

  /** Alarms that fired and the loop's steps that change which model decides or is challenged. */
  private List<Marker> markers() {
    List<Marker> all = new ArrayList<>();
    for (Alert a : data.alerts()) {
      if (a.getState() == AlertState.FIRING) {
        all.add(new Marker(a.getRaisedAt().toEpochMilli(), Marker.Kind.ALERT, a.getRule()));
      }
    }
    for (RetrainingEvent e : data.retraining()) {
      Marker.Kind kind = markerKind(e.getType());
      if (kind != null) {
        String version = e.getVersion() == null ? "" : "v" + e.getVersion() + " ";
        all.add(new Marker(e.getAsOf().toEpochMilli(), kind, version + stepName(e.getType())));
      }
    }
    all.sort(Marker.ORDER);
    return all;
  }

  private static Marker.Kind markerKind(RetrainingEventType type) {
    return switch (type) {
      case CHALLENGER -> Marker.Kind.CHALLENGER;
      case PROMOTED -> Marker.Kind.PROMOTED;
      case REJECTED -> Marker.Kind.REJECTED;
      case ROLLED_BACK -> Marker.Kind.ROLLED_BACK;
      default -> null;
    };
  }

  private static String stepName(RetrainingEventType type) {
    return switch (type) {
      case REQUESTED -> "retraining requested";
      case SKIPPED -> "retraining skipped";
      case STARTED -> "retraining run started";
      case SUCCEEDED -> "retraining run succeeded";
      case FAILED -> "retraining run failed";
      case CHALLENGER -> "challenger";
      case PROMOTED -> "promoted";
      case REJECTED -> "rejected";
      case CONFIRMED -> "confirmed";
      case ROLLED_BACK -> "rolled back";
    };
  }

  /** One row of the timeline table. */
  private record Row(
      long time, int order, String cssClass, String what, String version, String why) {}

  private void events() {
    html.append("<section id=\"events\">\n<h2>Alarms and model changes</h2>\n")
        .append("<p class=\"note\">The same events as the vertical lines above, on the same axis,")
        .append(" then every alarm (fired and resolved) and every step of the retraining loop in")
        .append(" event-time order.</p>\n");
    height += 80;
    List<Marker.Placed> band = Marker.place(axis, markers, Chart.WIDTH - 4);
    Chart chart =
        new Chart(
            "id=\"timeline\" class=\"chart timeline\"",
            axis,
            null,
            Math.max(1, Marker.lanes(band)),
            TIMELINE_HEIGHT,
            true,
            "alarms and model changes");
    chart.timeOnly().markers(markers).band(band);
    html.append(chart.close());
    height += chart.height() + 8;

    List<Row> rows = new ArrayList<>();
    for (Alert a : data.alerts()) {
      boolean firing = a.getState() == AlertState.FIRING;
      rows.add(
          new Row(
              a.getRaisedAt().toEpochMilli(),
              0,
              firing ? Marker.Kind.ALERT.cssClass : "resolved",
              "alarm "
                  + a.getRule()
                  + (firing ? " fired" : " resolved")
                  + " on "
                  + a.getSubject()
                  + " ("
                  + a.getSeverity()
                  + ")",
              a.getModelVersion() == null ? "" : "v" + a.getModelVersion(),
              a.getMessage()));
    }
    for (RetrainingEvent e : data.retraining()) {
      Marker.Kind kind = markerKind(e.getType());
      String version = e.getVersion() == null ? "" : "v" + e.getVersion();
      if (e.getChampionVersion() != null && !e.getChampionVersion().equals(e.getVersion())) {
        version += (version.isEmpty() ? "" : " ") + "(champion v" + e.getChampionVersion() + ")";
      }
      rows.add(
          new Row(
              e.getAsOf().toEpochMilli(),
              1 + e.getType().ordinal(),
              kind == null ? "loop" : kind.cssClass,
              stepName(e.getType())
                  + (e.getRunId() == null ? "" : " \u00b7 " + e.getRunId())
                  + (e.getType() == RetrainingEventType.STARTED
                          || e.getType() == RetrainingEventType.REQUESTED
                      ? " \u00b7 trigger " + e.getTrigger()
                      : ""),
              version,
              e.getReason().isEmpty() ? e.getTriggerDetail() : e.getReason()));
    }
    rows.sort(
        Comparator.comparingLong(Row::time)
            .thenComparingInt(Row::order)
            .thenComparing(Row::what)
            .thenComparing(Row::why));
    html.append("<table class=\"timeline\">\n<thead><tr><th class=\"time\">Event time (UTC)</th>")
        .append("<th class=\"what\">What</th><th class=\"version\">Model version</th>")
        .append("<th>Reason / message</th></tr></thead>\n<tbody>\n");
    for (Row r : rows) {
      html.append("<tr class=\"event ")
          .append(r.cssClass())
          .append("\" data-time=\"")
          .append(r.time())
          .append("\"><td class=\"time\">")
          .append(Markup.dateHour(r.time()))
          .append("</td><td><span class=\"dot ")
          .append(r.cssClass())
          .append("\"></span>")
          .append(esc(r.what()))
          .append("</td><td class=\"version\">")
          .append(esc(r.version()))
          .append("</td><td>")
          .append(esc(r.why()))
          .append("</td></tr>\n");
      height += 10 + 19 * Math.max(lines(r.what(), 44), lines(r.why(), 44));
    }
    if (rows.isEmpty()) {
      html.append("<tr><td colspan=\"4\">No alarms and no retraining events.</td></tr>\n");
      height += 24;
    }
    html.append("</tbody>\n</table>\n</section>\n");
    height += 80;
  }

  /** About how many lines {@code text} wraps to in a column of {@code chars} characters. */
  private static int lines(String text, int chars) {
    return Math.max(1, (text.length() + chars - 1) / chars);
  }

  // ---------------------------------------------------------------------------------------------
  // Style

  private static String css() {
    StringBuilder css =
        new StringBuilder(
            String.join(
                "\n",
                "body { margin: 0; padding: 24px 32px; background: #fff; color: #222;",
                "  font-family: " + FONTS + "; font-size: 14px; line-height: 1.45; }",
                "main { width: " + Chart.WIDTH + "px; margin: 0 auto; }",
                "h1 { font-size: 24px; margin: 0 0 4px; }",
                "h1 .model { color: #6a3d9a; }",
                "h2 { font-size: 18px; margin: 30px 0 4px; padding-bottom: 4px;",
                "  border-bottom: 1px solid #ddd; }",
                "h3 { font-size: 14px; margin: 16px 0 2px; }",
                ".period { margin: 0; color: #444; }",
                ".note { margin: 2px 0 8px; color: #555; font-size: 13px; }",
                ".empty { font-size: 16px; padding: 16px; background: #f6f6f6; border-radius: 6px; }",
                ".stats { display: flex; gap: 12px; margin: 12px 0; }",
                ".stat { border: 1px solid #ddd; border-radius: 6px; padding: 6px 14px;"
                    + " min-width: 110px; }",
                ".stat b { display: block; font-size: 22px; }",
                ".stat span { color: #666; font-size: 12px; }",
                ".howto { font-size: 13px; color: #333; background: #f7f7f9; padding: 8px 12px;",
                "  border-radius: 6px; }",
                "svg { display: block; overflow: visible; }",
                "svg text { font-family: " + FONTS + "; font-size: 11px; fill: #555; }",
                "svg .chart-title { font-size: 12px; font-weight: 600; fill: #222; }",
                "svg .date { text-anchor: middle; }",
                "svg .y-label { text-anchor: end; }",
                "svg .no-values { text-anchor: middle; font-size: 13px; fill: #888; }",
                ".grid { stroke: #ececec; stroke-width: 1; }",
                ".day-tick { stroke: #bbb; stroke-width: 1; }",
                ".frame { fill: none; stroke: #c8c8c8; }",
                ".marker { stroke-width: 1.4; opacity: 0.8; }",
                ".marker.alert { stroke-dasharray: 4 3; }",
                ".leader { stroke-width: 1; opacity: 0.45; }",
                "svg .marker-label { font-size: 11px; font-weight: 600; }",
                ".series { fill: none; stroke-width: 2; stroke-linejoin: round; }",
                ".series.shadow { stroke-dasharray: 7 4; }",
                ".point { stroke-width: 1.5; }",
                ".stat-line { fill: none; stroke: #888; stroke-width: 1.2; }",
                ".drift-point { fill: #777; }",
                ".drift-point.drifted { fill: #d62728; }",
                ".drifted-text { color: #d62728; font-weight: 600; }",
                ".threshold { stroke: #333; stroke-width: 1.2; stroke-dasharray: 5 4; }",
                "svg .threshold-label { font-size: 10px; fill: #333; }",
                ".bar { fill: #b2182b; }",
                ".legend { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 2px 0 8px "
                    + Chart.LEFT
                    + "px; font-size: 13px; }",
                ".legend-item { display: inline-flex; align-items: center; gap: 6px; }",
                "table.timeline { border-collapse: collapse; width: 100%; font-size: 13px; }",
                "table.timeline th { text-align: left; background: #f3f3f3; padding: 5px 8px; }",
                "table.timeline td { padding: 4px 8px; border-bottom: 1px solid #eee;"
                    + " vertical-align: top; }",
                "table.timeline td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }",
                "table.timeline td.version { white-space: nowrap; }",
                "table.timeline th.time { width: 130px; }",
                "table.timeline th.what { width: 330px; }",
                "table.timeline th.version { width: 130px; }",
                "svg.drift { margin-top: 6px; }",
                ".dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%;"
                    + " margin-right: 7px; background: #bbb; }",
                ".dot.resolved { background: #fff; border: 1.5px solid #e8710a; width: 6px;"
                    + " height: 6px; }",
                ".dot.loop { background: #9fb4d6; }",
                ""));
    for (Marker.Kind kind : Marker.Kind.values()) {
      css.append("line.")
          .append(kind.cssClass)
          .append(" { stroke: ")
          .append(kind.color)
          .append("; }\nsvg text.")
          .append(kind.cssClass)
          .append(", span.")
          .append(kind.cssClass)
          .append(" { fill: ")
          .append(kind.color)
          .append("; color: ")
          .append(kind.color)
          .append("; font-weight: 600; }\n.dot.")
          .append(kind.cssClass)
          .append(" { background: ")
          .append(kind.color)
          .append("; }\n");
    }
    return css.toString();
  }
}

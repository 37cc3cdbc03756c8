package dev.sluice.cli.report;

import static dev.sluice.cli.report.Markup.esc;
import static dev.sluice.cli.report.Markup.px;

import java.util.List;

/**
 * One inline SVG chart on the report's time axis, top to bottom: an optional title, an optional
 * band of marker labels, the plot (gridlines, marker lines, then the data the caller draws) and the
 * date labels. Every chart has the same width and margins, so equal times are at equal x.
 */
final class Chart {
  static final int WIDTH = 1000;
  static final int LEFT = 60;
  static final int RIGHT = 56;
  static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;

  private static final int TITLE_HEIGHT = 20;
  private static final int DATES_HEIGHT = 20;
  private static final int BOTTOM_PAD = 6;

  private final StringBuilder b = new StringBuilder();
  private final TimeAxis axis;
  private final int plotTop;
  private final int plotHeight;
  private final int bandTop;
  private final int height;
  private final boolean dates;
  private ValueScale y;

  /**
   * Opens the {@code <svg>} with {@code attributes} (e.g. {@code id="auc"}, already escaped), a
   * band of {@code lanes} label lanes above a plot {@code plotHeight} px high.
   */
  Chart(
      String attributes,
      TimeAxis axis,
      String title,
      int lanes,
      int plotHeight,
      boolean dates,
      String ariaLabel) {
    this.axis = axis;
    this.plotHeight = plotHeight;
    this.dates = dates;
    this.bandTop = title == null ? 4 : TITLE_HEIGHT;
    this.plotTop = bandTop + (lanes == 0 ? 6 : lanes * Marker.LANE_HEIGHT + 8);
    this.height = plotTop + plotHeight + (dates ? DATES_HEIGHT : BOTTOM_PAD);
    b.append("<svg ")
        .append(attributes)
        .append(" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(ariaLabel))
        .append("\">\n");
    if (title != null) {
      b.append("<text class=\"chart-title\" x=\"")
          .append(LEFT)
          .append("\" y=\"14\">")
          .append(esc(title))
          .append("</text>\n");
    }
  }

  int height() {
    return height;
  }

  double top() {
    return plotTop;
  }

  double bottom() {
    return plotTop + plotHeight;
  }

  ValueScale y() {
    return y;
  }

  /**
   * The vertical scale (see {@link ValueScale#nice}) with its gridlines and labels, then {@link
   * #timeOnly()}.
   */
  Chart scale(double min, double max, int ticks, double floor, double ceiling) {
    y = ValueScale.nice(min, max, ticks, floor, ceiling, plotTop, plotHeight);
    for (double v : y.ticks()) {
      b.append(line("grid", LEFT, y.y(v), LEFT + PLOT_WIDTH, y.y(v)));
      b.append("<text class=\"y-label\" x=\"")
          .append(LEFT - 6)
          .append("\" y=\"")
          .append(px(y.y(v) + 4))
          .append("\">")
          .append(y.label(v))
          .append("</text>\n");
    }
    return timeOnly();
  }

  /** The day gridlines, date labels and frame, without a vertical scale. */
  Chart timeOnly() {
    for (long t : axis.dayTicks()) {
      b.append(line("day-tick", axis.x(t), bottom(), axis.x(t), bottom() + 3));
    }
    for (long t : axis.labelledTicks()) {
      b.append(line("grid", axis.x(t), top(), axis.x(t), bottom()));
      if (dates) {
        b.append("<text class=\"date\" x=\"")
            .append(px(axis.x(t)))
            .append("\" y=\"")
            .append(px(bottom() + 15))
            .append("\">")
            .append(TimeAxis.label(t))
            .append("</text>\n");
      }
    }
    b.append("<rect class=\"frame\" x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(plotTop)
        .append("\" width=\"")
        .append(PLOT_WIDTH)
        .append("\" height=\"")
        .append(plotHeight)
        .append("\"/>\n");
    return this;
  }

  /** A vertical line per marker through the plot, with the marker's text as its tooltip. */
  Chart markers(List<Marker> markers) {
    for (Marker m : markers) {
      double x = axis.x(m.time());
      b.append("<line class=\"marker ")
          .append(m.kind().cssClass)
          .append("\" data-time=\"")
          .append(m.time())
          .append("\" x1=\"")
          .append(px(x))
          .append("\" y1=\"")
          .append(px(top()))
          .append("\" x2=\"")
          .append(px(x))
          .append("\" y2=\"")
          .append(px(bottom()))
          .append("\"><title>")
          .append(esc(Markup.dateHour(m.time()) + " " + m.label()))
          .append("</title></line>\n");
    }
    return this;
  }

  /** The marker labels in their lanes above the plot, each joined to the plot by a thin line. */
  Chart band(List<Marker.Placed> placed) {
    for (Marker.Placed p : placed) {
      double textY = bandTop + (p.lane() + 1) * Marker.LANE_HEIGHT - 3;
      b.append("<line class=\"leader ")
          .append(p.kind().cssClass)
          .append("\" x1=\"")
          .append(px(p.x()))
          .append("\" y1=\"")
          .append(px(textY - 9))
          .append("\" x2=\"")
          .append(px(p.x()))
          .append("\" y2=\"")
          .append(px(top()))
          .append("\"/>\n");
      b.append("<text class=\"marker-label ")
          .append(p.kind().cssClass)
          .append("\" x=\"")
          .append(px(p.anchorEnd() ? p.x() - 3 : p.x() + 3))
          .append("\" y=\"")
          .append(px(textY))
          .append(p.anchorEnd() ? "\" text-anchor=\"end" : "")
          .append("\">")
          .append(esc(p.text()))
          .append("</text>\n");
    }
    return this;
  }

  /** Appends markup the caller built (escaped by the caller). */
  Chart raw(String markup) {
    b.append(markup);
    return this;
  }

  String close() {
    return b.append("</svg>\n").toString();
  }

  static String line(String cssClass, double x1, double y1, double x2, double y2) {
    return "<line class=\""
        + cssClass
        + "\" x1=\""
        + px(x1)
        + "\" y1=\""
        + px(y1)
        + "\" x2=\""
        + px(x2)
        + "\" y2=\""
        + px(y2)
        + "\"/>\n";
  }
}

package dev.sluice.cli.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's one event-time axis: whole UTC days from the first to the last time in the data,
 * mapped onto the same horizontal pixels in every chart, so that a marker at a time lines up across
 * charts.
 */
final class TimeAxis {
  static final long DAY = Duration.ofDays(1).toMillis();

  /** Steps between labelled ticks, in days; the first that keeps the labels apart is used. */
  private static final int[] LABEL_STEPS = {1, 2, 7, 14, 28, 56, 91, 182, 364};

  /** At most this many date labels, so they never overlap (each is about 35 px wide). */
  private static final int MAX_LABELS = 16;

  private static final DateTimeFormatter TICK =
      DateTimeFormatter.ofPattern("MM-dd").withZone(ZoneOffset.UTC);

  final long from;
  final long to;
  final double left;
  final double width;

  private TimeAxis(long from, long to, double left, double width) {
    this.from = from;
    this.to = to;
    this.left = left;
    this.width = width;
  }

  /** From the start of the day of {@code min} to the end of the day of {@code max}. */
  static TimeAxis covering(long min, long max, double left, double width) {
    long from = Math.floorDiv(min, DAY) * DAY;
    long to = Math.max(from, Math.floorDiv(max, DAY) * DAY) + DAY;
    return new TimeAxis(from, to, left, width);
  }

  double x(long millis) {
    return left + (millis - from) * width / (to - from);
  }

  double x(Instant t) {
    return x(t.toEpochMilli());
  }

  double right() {
    return left + width;
  }

  long days() {
    return (to - from) / DAY;
  }

  /** Day boundaries that get a date label and a gridline. */
  List<Long> labelledTicks() {
    int step = LABEL_STEPS[LABEL_STEPS.length - 1];
    for (int s : LABEL_STEPS) {
      if (days() / s <= MAX_LABELS) {
        step = s;
        break;
      }
    }
    List<Long> ticks = new ArrayList<>();
    for (long t = from; t <= to; t += step * DAY) {
      ticks.add(t);
    }
    return ticks;
  }

  /** Every day boundary (small ticks), when there are few enough to tell apart. */
  List<Long> dayTicks() {
    List<Long> ticks = new ArrayList<>();
    if (days() <= 200) {
      for (long t = from; t <= to; t += DAY) {
        ticks.add(t);
      }
    }
    return ticks;
  }

  static String label(long millis) {
    return TICK.format(Instant.ofEpochMilli(millis));
  }
}

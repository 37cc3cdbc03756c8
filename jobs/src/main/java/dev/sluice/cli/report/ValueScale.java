package dev.sluice.cli.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** A chart's vertical scale: a "nice" range around the values, with round tick values. */
final class ValueScale {
  final double lo;
  final double hi;
  final double step;
  final int decimals;
  final double top;
  final double height;

  private ValueScale(double lo, double hi, double step, int decimals, double top, double height) {
    this.lo = lo;
    this.hi = hi;
    this.step = step;
    this.decimals = decimals;
    this.top = top;
    this.height = height;
  }

  /**
   * A range covering {@code [min, max]} with about {@code ticks} round steps, clipped to {@code
   * [floor, ceiling]} (e.g. 0 and 1 for an AUC), drawn from {@code top} down over {@code height}
   * pixels.
   */
  static ValueScale nice(
      double min, double max, int ticks, double floor, double ceiling, double top, double height) {
    if (!(max > min)) {
      double pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
      min -= pad;
      max += pad;
    }
    double rough = (max - min) / ticks;
    int exponent = (int) Math.floor(Math.log10(rough));
    double norm = rough / Math.pow(10, exponent);
    BigDecimal exact =
        BigDecimal.valueOf(norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10)
            .scaleByPowerOfTen(exponent);
    double step = exact.doubleValue();
    int decimals = Math.max(0, exact.stripTrailingZeros().scale());
    double lo = Math.max(floor, Math.floor(min / step + 1e-9) * step);
    double hi = Math.min(ceiling, Math.ceil(max / step - 1e-9) * step);
    if (!(hi > lo)) {
      hi = lo + step;
    }
    return new ValueScale(lo, hi, step, decimals, top, height);
  }

  double y(double v) {
    return top + height - (v - lo) / (hi - lo) * height;
  }

  double bottom() {
    return top + height;
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; lo + i * step <= hi + step * 1e-6; i++) {
      ticks.add(lo + i * step);
    }
    return ticks;
  }

  /** A tick value with as many decimals as the step needs. */
  String label(double v) {
    return Markup.fixed(v, decimals);
  }
}

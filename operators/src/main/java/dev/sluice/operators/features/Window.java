package dev.sluice.operators.features;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * An event-time window relative to the time {@code t} a feature is computed at: it covers {@code (t
 * - delay - length, t - delay]}, so {@code delay = 0} includes the current event (the handbook's
 * customer windows) and {@code delay = 7 days} looks only at history old enough to have labels (its
 * terminal windows).
 */
public record Window(Duration length, Duration delay) implements Serializable {
  public Window {
    Objects.requireNonNull(length, "length");
    Objects.requireNonNull(delay, "delay");
    if (length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("window length must be > 0, got " + length);
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("window delay must be >= 0, got " + delay);
    }
  }

  /** {@code (t - length, t]}: the current event included. */
  public static Window last(Duration length) {
    return new Window(length, Duration.ZERO);
  }

  /** {@code (t - delay - length, t - delay]}. */
  public static Window delayed(Duration length, Duration delay) {
    return new Window(length, delay);
  }

  /** How far back from {@code t} the window reaches. */
  public Duration reach() {
    return length.plus(delay);
  }

  /** Whether an observation at {@code time} is in the window of a row at {@code t}. */
  public boolean contains(long t, long time) {
    long end = t - delay.toMillis();
    return time <= end && time > end - length.toMillis();
  }

  @Override
  public String toString() {
    return delay.isZero()
        ? "(t-" + text(length) + ", t]"
        : "(t-" + text(delay) + "-" + text(length) + ", t-" + text(delay) + "]";
  }

  /** A duration in its largest whole unit: 30d, 6h, 15m, 10s, 250ms. */
  static String text(Duration d) {
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }
}

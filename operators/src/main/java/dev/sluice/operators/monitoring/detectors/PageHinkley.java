package dev.sluice.operators.monitoring.detectors;

/**
 * The Page-Hinkley test (E. S. Page, "Continuous Inspection Schemes", Biometrika 41, 1954), a CUSUM
 * of the deviations from the running mean, in the form river ({@code river.drift.PageHinkley})
 * implements it.
 *
 * <p>After each error {@code x}, with the running mean {@code m} including {@code x}:
 *
 * <pre>
 *   up   = alpha * up   + (x - m) - delta      upMin   = min(upMin, up)
 *   down = alpha * down + (x - m) + delta      downMax = max(downMax, down)
 * </pre>
 *
 * and it reports {@link State#DRIFT} when {@code up - upMin > threshold} (the mean rose) or {@code
 * downMax - down > threshold} (it fell), depending on {@link Mode}. After a DRIFT it starts again
 * from scratch. It has no warning zone.
 *
 * <p>Parameters and defaults (river's):
 *
 * <ul>
 *   <li>{@code minInstances} = 30: errors before any DRIFT;
 *   <li>{@code delta} = 0.005: the magnitude of change tolerated;
 *   <li>{@code threshold} (lambda) = 50: larger means fewer false alarms and later detections;
 *   <li>{@code alpha} = 1 - 0.0001: forgetting factor of the cumulative sums;
 *   <li>{@code mode} = {@link Mode#BOTH}.
 * </ul>
 *
 * <p>With errors in [0, 1] a lambda of 50 needs on the order of {@code 50 / shift} errors after a
 * shift of the mean (about 200 for 0.1 to 0.4; see the tests for measured delays).
 */
public final class PageHinkley implements DriftDetector {
  private static final long serialVersionUID = 1L;

  /** Which changes of the mean are reported. */
  public enum Mode {
    UP,
    DOWN,
    BOTH
  }

  public static final int DEFAULT_MIN_INSTANCES = 30;
  public static final double DEFAULT_DELTA = 0.005;
  public static final double DEFAULT_THRESHOLD = 50.0;
  public static final double DEFAULT_ALPHA = 1 - 0.0001;

  public int minInstances = DEFAULT_MIN_INSTANCES;
  public double delta = DEFAULT_DELTA;
  public double threshold = DEFAULT_THRESHOLD;
  public double alpha = DEFAULT_ALPHA;
  public Mode mode = Mode.BOTH;

  public long n;
  public double mean;
  public double up;
  public double upMin = Double.MAX_VALUE;
  public double down;
  public double downMax = -Double.MAX_VALUE;
  public State last = State.STABLE;

  /** Page-Hinkley with river's defaults. */
  public PageHinkley() {}

  public PageHinkley(int minInstances, double delta, double threshold, double alpha, Mode mode) {
    if (minInstances < 1) {
      throw new IllegalArgumentException("minInstances must be >= 1, got " + minInstances);
    }
    if (!(delta >= 0 && Double.isFinite(delta))) {
      throw new IllegalArgumentException("delta must be finite and >= 0, got " + delta);
    }
    if (!(threshold > 0 && Double.isFinite(threshold))) {
      throw new IllegalArgumentException("threshold must be finite and > 0, got " + threshold);
    }
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    if (mode == null) {
      throw new IllegalArgumentException("mode is required");
    }
    this.minInstances = minInstances;
    this.delta = delta;
    this.threshold = threshold;
    this.alpha = alpha;
    this.mode = mode;
  }

  @Override
  public State update(double error) {
    DriftDetector.checkError(error);
    n++;
    mean += (error - mean) / n;
    double deviation = error - mean;
    up = alpha * up + deviation - delta;
    upMin = Math.min(upMin, up);
    down = alpha * down + deviation + delta;
    downMax = Math.max(downMax, down);
    if (n < minInstances) {
      return last = State.STABLE;
    }
    boolean rose = mode != Mode.DOWN && up - upMin > threshold;
    boolean fell = mode != Mode.UP && downMax - down > threshold;
    if (rose || fell) {
      resetStatistics();
      return last = State.DRIFT;
    }
    return last = State.STABLE;
  }

  /** Running mean of the errors since the last reset or drift. */
  public double mean() {
    return mean;
  }

  @Override
  public State state() {
    return last;
  }

  @Override
  public long seen() {
    return n;
  }

  @Override
  public void reset() {
    resetStatistics();
    last = State.STABLE;
  }

  private void resetStatistics() {
    n = 0;
    mean = 0;
    up = 0;
    upMin = Double.MAX_VALUE;
    down = 0;
    downMax = -Double.MAX_VALUE;
  }
}

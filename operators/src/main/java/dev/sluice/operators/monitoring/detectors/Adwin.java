package dev.sluice.operators.monitoring.detectors;

import java.util.Arrays;

/**
 * ADWIN, ADaptive WINdowing (A. Bifet and R. Gavaldà, "Learning from Time-Changing Data with
 * Adaptive Windowing", SIAM SDM 2007), as implemented in MOA ({@code ADWIN.java}) and river.
 *
 * <p>Keeps a window of the most recent errors, summarised by an exponential histogram: level {@code
 * i} holds up to {@code maxBuckets} buckets of {@code 2^i} errors (their sum and variance), so the
 * window costs O(maxBuckets · log(width)) memory. Every {@code clock} updates it looks for a split
 * of the window into an older part W0 ({@code n0} errors, mean {@code m0}) and a newer part W1
 * ({@code n1}, {@code m1}), at bucket boundaries, such that
 *
 * <pre>
 *   |m0 - m1| > sqrt(2 · m · var · d) + 2/3 · d · m,
 *   d = ln(2 · ln(width) / delta),  m = 1/(n0 - minSubWindow + 1) + 1/(n1 - minSubWindow + 1),
 * </pre>
 *
 * with {@code var} the variance of the whole window (the Bernstein-style bound of MOA and river).
 * On such a cut it drops the oldest bucket and looks again, until no split is significant: the
 * window shrinks to what looks like the current concept, and {@link #estimation()} follows the new
 * mean. The update that cut reports {@link State#DRIFT}; ADWIN has no warning zone and, unlike DDM
 * and Page-Hinkley, needs no reset after a drift (the window already forgot the old concept).
 *
 * <p>Parameters and defaults (MOA's and river's):
 *
 * <ul>
 *   <li>{@code delta} = 0.002: confidence; smaller means fewer false alarms and later detections;
 *   <li>{@code maxBuckets} (M) = 5: buckets per histogram level before two are merged;
 *   <li>{@code clock} = 32: cuts are only looked for every 32 updates (and once the window has more
 *       than 10 errors), which bounds the cost per update and adds up to 31 errors of delay;
 *   <li>{@code minSubWindow} = 5: both W0 and W1 must hold more than {@code minSubWindow + 1}
 *       errors.
 * </ul>
 */
public final class Adwin implements DriftDetector {
  private static final long serialVersionUID = 1L;

  public static final double DEFAULT_DELTA = 0.002;
  public static final int DEFAULT_MAX_BUCKETS = 5;
  public static final int DEFAULT_CLOCK = 32;
  public static final int DEFAULT_MIN_SUB_WINDOW = 5;

  /** Cuts are not looked for in windows of this many errors or fewer (MOA's minimum length). */
  private static final int MIN_WIDTH_TO_CHECK = 10;

  public double delta = DEFAULT_DELTA;
  public int maxBuckets = DEFAULT_MAX_BUCKETS;
  public int clock = DEFAULT_CLOCK;
  public int minSubWindow = DEFAULT_MIN_SUB_WINDOW;

  /** Updates since construction or reset (drives the clock). */
  public long tick;

  /** Errors in the window. */
  public long width;

  /** Sum of the errors in the window. */
  public double total;

  /** Sum of squared deviations from the window's mean (width times its variance). */
  public double variance;

  /** Histogram levels in use. */
  public int levels;

  /**
   * Buckets in each level; level {@code i}'s bucket {@code k} (0 = oldest) is at {@code i·(M+1)+k}.
   */
  public int[] sizes = new int[0];

  public double[] totals = new double[0];
  public double[] variances = new double[0];

  /** Cuts since construction or reset. */
  public long detections;

  public State last = State.STABLE;

  /** ADWIN with the defaults of MOA and river. */
  public Adwin() {}

  public Adwin(double delta, int maxBuckets, int clock, int minSubWindow) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    if (maxBuckets < 2) {
      throw new IllegalArgumentException("maxBuckets must be >= 2, got " + maxBuckets);
    }
    if (clock < 1) {
      throw new IllegalArgumentException("clock must be >= 1, got " + clock);
    }
    if (minSubWindow < 1) {
      throw new IllegalArgumentException("minSubWindow must be >= 1, got " + minSubWindow);
    }
    this.delta = delta;
    this.maxBuckets = maxBuckets;
    this.clock = clock;
    this.minSubWindow = minSubWindow;
  }

  @Override
  public State update(double error) {
    DriftDetector.checkError(error);
    tick++;
    insert(error);
    boolean cut = false;
    if (tick % clock == 0 && width > MIN_WIDTH_TO_CHECK) {
      while (cutOnce()) {
        cut = true;
      }
    }
    if (cut) {
      detections++;
    }
    return last = cut ? State.DRIFT : State.STABLE;
  }

  /** Mean of the errors in the window, NaN when it is empty. */
  public double estimation() {
    return width == 0 ? Double.NaN : total / width;
  }

  /** Errors in the window. */
  public long width() {
    return width;
  }

  @Override
  public State state() {
    return last;
  }

  /** The window's width: ADWIN's statistics are built on the errors in it. */
  @Override
  public long seen() {
    return width;
  }

  @Override
  public void reset() {
    tick = 0;
    width = 0;
    total = 0;
    variance = 0;
    levels = 0;
    sizes = new int[0];
    totals = new double[0];
    variances = new double[0];
    detections = 0;
    last = State.STABLE;
  }

  private int capacity() {
    return maxBuckets + 1;
  }

  private void insert(double value) {
    if (levels == 0) {
      addLevel();
    }
    append(0, value, 0.0);
    width++;
    if (width > 1) {
      double d = value - total / (width - 1);
      variance += (width - 1) * d * d / width;
    }
    total += value;
    for (int i = 0; i < levels && sizes[i] == maxBuckets + 1; i++) {
      if (i + 1 == levels) {
        addLevel();
      }
      int at = i * capacity();
      double n = Math.pow(2, i);
      double d = totals[at] / n - totals[at + 1] / n;
      append(i + 1, totals[at] + totals[at + 1], variances[at] + variances[at + 1] + n * d * d / 2);
      removeOldest(i, 2);
    }
  }

  /**
   * Scans the splits from the oldest bucket to the newest; on the first significant one drops the
   * oldest bucket and returns true.
   */
  private boolean cutOnce() {
    double n0 = 0;
    double n1 = width;
    double u0 = 0;
    double u1 = total;
    double v = Math.max(variance, 0) / width;
    double d = Math.log(2 * Math.log(width) / delta);
    for (int i = levels - 1; i >= 0; i--) {
      double n2 = Math.pow(2, i);
      for (int k = 0; k < sizes[i]; k++) {
        double u2 = totals[i * capacity() + k];
        n0 += n2;
        n1 -= n2;
        u0 += u2;
        u1 -= u2;
        if (i == 0 && k == sizes[0] - 1) {
          return false; // W1 would be empty
        }
        if (n0 > minSubWindow + 1 && n1 > minSubWindow + 1) {
          double m = 1 / (n0 - minSubWindow + 1) + 1 / (n1 - minSubWindow + 1);
          double epsilon = Math.sqrt(2 * m * v * d) + 2.0 / 3.0 * d * m;
          if (Math.abs(u0 / n0 - u1 / n1) > epsilon) {
            dropOldestBucket();
            return true;
          }
        }
      }
    }
    return false;
  }

  private void dropOldestBucket() {
    int level = levels - 1;
    double n = Math.pow(2, level);
    int at = level * capacity();
    double u = totals[at];
    double v = variances[at];
    width -= (long) n;
    total -= u;
    double d = u / n - total / width;
    variance -= v + n * width * d * d / (n + width);
    removeOldest(level, 1);
    while (levels > 0 && sizes[levels - 1] == 0) {
      levels--;
    }
    int keep = levels * capacity();
    sizes = Arrays.copyOf(sizes, levels);
    totals = Arrays.copyOf(totals, keep);
    variances = Arrays.copyOf(variances, keep);
  }

  private void addLevel() {
    levels++;
    sizes = Arrays.copyOf(sizes, levels);
    totals = Arrays.copyOf(totals, levels * capacity());
    variances = Arrays.copyOf(variances, levels * capacity());
  }

  private void append(int level, double sum, double var) {
    int at = level * capacity() + sizes[level];
    totals[at] = sum;
    variances[at] = var;
    sizes[level]++;
  }

  private void removeOldest(int level, int count) {
    int at = level * capacity();
    int left = sizes[level] - count;
    System.arraycopy(totals, at + count, totals, at, left);
    System.arraycopy(variances, at + count, variances, at, left);
    Arrays.fill(totals, at + left, at + sizes[level], 0);
    Arrays.fill(variances, at + left, at + sizes[level], 0);
    sizes[level] = left;
  }
}

package dev.sluice.operators.monitoring.detectors;

/**
 * DDM, the Drift Detection Method of Gama, Medas, Castillo and Rodrigues, "Learning with Drift
 * Detection", SBIA 2004 (LNCS 3171).
 *
 * <p>Models the errors as Bernoulli trials: after {@code i} errors the error rate is {@code p} and
 * its standard deviation {@code s = sqrt(p (1 - p) / i)}. It remembers the {@code (p_min, s_min)}
 * at which {@code p + s} was lowest and reports
 *
 * <ul>
 *   <li>{@link State#WARNING} when {@code p + s > p_min + warningLevel * s_min},
 *   <li>{@link State#DRIFT} when {@code p + s > p_min + driftLevel * s_min}, after which it starts
 *       learning the new concept from scratch (as in the paper, MOA and river).
 * </ul>
 *
 * <p>Parameters and defaults (the paper's levels, river's {@code warm_start}):
 *
 * <ul>
 *   <li>{@code minInstances} = 30: errors before any WARNING or DRIFT, and before {@code p_min} is
 *       tracked (the normal approximation needs them);
 *   <li>{@code warningLevel} = 2.0 (a ~95% one-sided level);
 *   <li>{@code driftLevel} = 3.0 (~99%).
 * </ul>
 *
 * <p>DDM only detects a rising error rate. It is meant for 0/1 errors; absolute errors in [0, 1]
 * are accepted (the mean is still their rate) but the variance is then an over-estimate.
 */
public final class Ddm implements DriftDetector {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MIN_INSTANCES = 30;
  public static final double DEFAULT_WARNING_LEVEL = 2.0;
  public static final double DEFAULT_DRIFT_LEVEL = 3.0;

  public int minInstances = DEFAULT_MIN_INSTANCES;
  public double warningLevel = DEFAULT_WARNING_LEVEL;
  public double driftLevel = DEFAULT_DRIFT_LEVEL;

  /** Errors since the last reset. */
  public long n;

  /** Running error rate. */
  public double p;

  public double pMin = Double.MAX_VALUE;
  public double sMin = Double.MAX_VALUE;
  public State last = State.STABLE;

  /** DDM with the paper's defaults. */
  public Ddm() {}

  public Ddm(int minInstances, double warningLevel, double driftLevel) {
    if (minInstances < 1) {
      throw new IllegalArgumentException("minInstances must be >= 1, got " + minInstances);
    }
    if (!(warningLevel > 0 && driftLevel > warningLevel && Double.isFinite(driftLevel))) {
      throw new IllegalArgumentException(
          "need 0 < warningLevel < driftLevel, got " + warningLevel + " and " + driftLevel);
    }
    this.minInstances = minInstances;
    this.warningLevel = warningLevel;
    this.driftLevel = driftLevel;
  }

  @Override
  public State update(double error) {
    DriftDetector.checkError(error);
    n++;
    p += (error - p) / n;
    if (n < minInstances) {
      return last = State.STABLE;
    }
    double s = Math.sqrt(p * (1 - p) / n);
    if (p + s <= pMin + sMin) {
      pMin = p;
      sMin = s;
    }
    if (p + s > pMin + driftLevel * sMin) {
      resetStatistics();
      return last = State.DRIFT;
    }
    return last = p + s > pMin + warningLevel * sMin ? State.WARNING : State.STABLE;
  }

  /** Current error-rate estimate. */
  public double errorRate() {
    return p;
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
    p = 0;
    pMin = Double.MAX_VALUE;
    sMin = Double.MAX_VALUE;
  }
}

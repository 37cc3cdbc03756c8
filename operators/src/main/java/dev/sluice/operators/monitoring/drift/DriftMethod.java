package dev.sluice.operators.monitoring.drift;

import java.util.Locale;

/**
 * Which statistic decides whether a window drifted, with its default threshold (Evidently's
 * defaults). A p-value method flags drift when the p-value is below the threshold, a distance
 * method when the distance is at or above it (Evidently's comparisons).
 */
public enum DriftMethod {
  /**
   * Evidently's choice by reference size: numeric {@link #KS} when the reference has at most
   * {@value DriftDecision#SMALL_REFERENCE} values, else {@link #WASSERSTEIN}; categorical {@link
   * #CHI2} when at most {@value DriftDecision#SMALL_REFERENCE}, else {@link #JS}. Each with its
   * default threshold.
   */
  AUTO("auto", null, Double.NaN, true, true),
  /** Population stability index on the reference's decile bins (or categories), {@code >= 0.1}. */
  PSI("psi", DriftStatistics.PSI, 0.1, true, true),
  /** Kolmogorov–Smirnov p-value, {@code < 0.05}; numeric only. */
  KS("ks", DriftStatistics.KS_P_VALUE, 0.05, true, false),
  /** Wasserstein-1 distance over the reference std, {@code >= 0.1}; numeric only. */
  WASSERSTEIN("wasserstein", DriftStatistics.WASSERSTEIN_NORM, 0.1, true, false),
  /** Jensen–Shannon distance (base 2), {@code >= 0.1}. */
  JS("js", DriftStatistics.JS_DISTANCE, 0.1, true, true),
  /** Chi-square goodness-of-fit p-value, {@code < 0.05}; categorical only. */
  CHI2("chi2", DriftStatistics.CHI2_P_VALUE, 0.05, false, true);

  private final String id;
  private final String statistic;
  private final double defaultThreshold;
  private final boolean numeric;
  private final boolean categorical;

  DriftMethod(
      String id, String statistic, double defaultThreshold, boolean numeric, boolean categorical) {
    this.id = id;
    this.statistic = statistic;
    this.defaultThreshold = defaultThreshold;
    this.numeric = numeric;
    this.categorical = categorical;
  }

  /** The configuration name: {@code auto, psi, ks, wasserstein, js, chi2}. */
  public String id() {
    return id;
  }

  /** The key in {@link DriftStatistics#values()} this method compares; null for AUTO. */
  public String statistic() {
    return statistic;
  }

  /** Evidently's default threshold; NaN for AUTO (it picks a method, then uses its default). */
  public double defaultThreshold() {
    return defaultThreshold;
  }

  /** Whether drift means the statistic is below the threshold (a p-value) rather than at/above. */
  public boolean isPValue() {
    return this == KS || this == CHI2;
  }

  /** Whether the method applies to numeric ({@code true}) or categorical variables. */
  public boolean appliesTo(boolean categoricalVariable) {
    return categoricalVariable ? categorical : numeric;
  }

  /**
   * The method of a configuration name, case-insensitive.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static DriftMethod parse(String id) {
    for (DriftMethod m : values()) {
      if (m.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown drift method '" + id + "'; expected auto, psi, ks, wasserstein, js or chi2");
  }
}

/**
 * Drift statistics without Flink: a window of one variable (a model input, the score or the label)
 * is summarised by a bounded, mergeable {@link dev.sluice.operators.monitoring.drift.WindowSketch}
 * on a grid derived from the model's reference profile, then compared with that profile by {@link
 * dev.sluice.operators.monitoring.drift.DriftStatistics} (PSI, Kolmogorov–Smirnov, Jensen–Shannon,
 * normalised Wasserstein, chi-square), decided by {@link
 * dev.sluice.operators.monitoring.drift.DriftDecision} under a {@link
 * dev.sluice.operators.monitoring.drift.DriftPolicy} and written as a {@code DriftResult} by {@link
 * dev.sluice.operators.monitoring.drift.DriftResults}. The tests compare the statistics with
 * scipy's exact values on the raw samples ({@code src/test/resources/drift/generate_expected.py}).
 */
package dev.sluice.operators.monitoring.drift;

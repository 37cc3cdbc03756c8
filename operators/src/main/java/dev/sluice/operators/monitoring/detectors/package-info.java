/**
 * Streaming concept-drift detectors over per-prediction errors: {@link
 * dev.sluice.operators.monitoring.detectors.Adwin}, {@link
 * dev.sluice.operators.monitoring.detectors.PageHinkley} and {@link
 * dev.sluice.operators.monitoring.detectors.Ddm}, behind {@link
 * dev.sluice.operators.monitoring.detectors.DriftDetector}. Pure Java, Flink POJOs.
 */
package dev.sluice.operators.monitoring.detectors;

/**
 * Alarm rules over drift results and model metrics: {@link
 * dev.sluice.operators.monitoring.alarms.AlarmRule} (declared as data, parsed by {@link
 * dev.sluice.operators.monitoring.alarms.AlarmRules}), the pure {@link
 * dev.sluice.operators.monitoring.alarms.AlarmEvaluator} (hysteresis, de-duplication, deterministic
 * ids) and the keyed {@link dev.sluice.operators.monitoring.alarms.AlarmFunction} that keeps its
 * state in Flink.
 *
 * <p>Wiring: {@code DriftResult}s and {@code ModelMetrics} go through {@code
 * AlarmRules.observations(...)} (a flatMap), the observations are keyed by {@link
 * dev.sluice.operators.monitoring.alarms.AlarmFunction#KEY} and processed by an {@code
 * AlarmFunction}, whose alerts go to the alert topic.
 */
package dev.sluice.operators.monitoring.alarms;

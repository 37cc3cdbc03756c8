/**
 * Online evaluation with delayed ground truth, as keyed Flink functions:
 *
 * <ol>
 *   <li>{@link dev.sluice.operators.monitoring.evaluation.LabelJoinFunction}, keyed by event id,
 *       joins each {@link dev.sluice.avro.Prediction} (decision and shadow) with the {@link
 *       dev.sluice.avro.Label} of its transaction, which may arrive days later, and emits one
 *       {@link dev.sluice.operators.monitoring.evaluation.LabelledPrediction} per prediction:
 *       labelled when the label arrives, unlabelled when none arrived within the maximum label
 *       delay;
 *   <li>{@link dev.sluice.operators.monitoring.evaluation.WindowEvaluator}, keyed by model name,
 *       version and shadow flag, collects the predictions of each event-time window and emits
 *       {@link dev.sluice.avro.ModelMetrics}: PROVISIONAL while labels may still arrive, FINAL once
 *       they no longer can, with realized metrics (over the labelled predictions, from {@link
 *       dev.sluice.operators.evaluation.BinaryMetrics} and {@link
 *       dev.sluice.operators.evaluation.CardPrecision}) beside confidence-based estimates ({@link
 *       dev.sluice.operators.monitoring.evaluation.ConfidenceBasedEstimates}, from all scores).
 * </ol>
 *
 * <p>The tests compare the metrics with scikit-learn and a numpy CBPE ({@code
 * src/test/resources/monitoring/generate_expected.py}).
 */
package dev.sluice.operators.monitoring.evaluation;

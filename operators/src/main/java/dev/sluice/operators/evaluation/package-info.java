/**
 * Model evaluation without Flink, for offline training and (later) online evaluation over labelled
 * predictions: {@link dev.sluice.operators.evaluation.BinaryMetrics} (ROC AUC, average precision,
 * log loss, Brier score, precision / recall / F1 at a threshold, as scikit-learn defines them),
 * {@link dev.sluice.operators.evaluation.CardPrecision} (the fraud handbook's Card Precision@k) and
 * {@link dev.sluice.operators.evaluation.ProfileBuilder} (the reference profile drift monitoring
 * compares with). The tests compare them with values computed by scikit-learn, numpy and pandas
 * ({@code src/test/resources/evaluation/generate_expected.py}).
 */
package dev.sluice.operators.evaluation;

package dev.sluice.operators.scoring;

import dev.sluice.avro.models.ModelVersion;

/**
 * One model version opened for scoring. Opened once per operator instance and version, closed on
 * swap and on close. Not thread-safe.
 */
public interface Scorer extends AutoCloseable {
  /** The version this scorer runs. */
  ModelVersion version();

  /** Columns per row: the signature's feature count. */
  int featureCount();

  /**
   * Scores a batch. Applies the version's preprocessing, runs the graph and reads the positive
   * class's probability according to the version's output convention.
   *
   * @param values raw feature values, row-major: row {@code r}, column {@code c} at {@code r *
   *     featureCount() + c}, columns in signature order
   * @param rows rows in the batch, at least one
   * @param scores receives the positive-class probability of row {@code r} at {@code scores[r]}
   * @throws ScoringException if the runtime fails or returns a non-finite score for the batch
   */
  void score(float[] values, int rows, double[] scores) throws ScoringException;

  @Override
  void close();
}

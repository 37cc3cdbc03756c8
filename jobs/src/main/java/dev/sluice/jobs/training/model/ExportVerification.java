package dev.sluice.jobs.training.model;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.operators.scoring.Scorer;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.operators.scoring.ScoringException;
import dev.sluice.state.models.InvalidModelException;
import java.util.Locale;

/**
 * Checks an exported model before it is registered: the production scorer ({@link
 * dev.sluice.operators.scoring.OnnxScorer}, with the candidate's column order and preprocessing)
 * must give the trained model's own probabilities on the test rows.
 */
public final class ExportVerification {
  /** Largest accepted |ONNX - trainer| probability difference (float32 inference). */
  public static final double TOLERANCE = 1e-5;

  private static final int BATCH = 256;

  private ExportVerification() {}

  /**
   * @return the largest absolute difference over the test rows
   * @throws InvalidModelException if the scorer cannot open the candidate, or a difference exceeds
   *     {@link #TOLERANCE} (the message names the row and both values)
   */
  public static double verify(TrainedModel model, ModelVersion candidate, ScorerFactory scorers)
      throws InvalidModelException {
    TrainedModel.ExportCheck check = model.exportCheck();
    int columns = check.columns();
    float[] values = check.rawValues();
    double[] expected = check.expectedScores();
    double[] scores = new double[BATCH];
    float[] batch = new float[BATCH * columns];
    double max = 0;
    try (Scorer scorer = scorers.open(candidate)) {
      for (int start = 0; start < check.rows(); start += BATCH) {
        int rows = Math.min(BATCH, check.rows() - start);
        System.arraycopy(values, start * columns, batch, 0, rows * columns);
        scorer.score(batch, rows, scores);
        for (int r = 0; r < rows; r++) {
          double diff = Math.abs(scores[r] - expected[start + r]);
          if (!(diff <= TOLERANCE)) {
            throw new InvalidModelException(
                String.format(
                    Locale.ROOT,
                    "export check: test row %d scores %.8f in ONNX Runtime but %.8f in the trained"
                        + " %s (tolerance %.0e): the exported graph, its column order or its"
                        + " preprocessing differs from the model",
                    start + r,
                    scores[r],
                    expected[start + r],
                    model.kind().id(),
                    TOLERANCE));
          }
          max = Math.max(max, diff);
        }
      }
    } catch (ScoringException e) {
      throw new InvalidModelException("export check: ONNX Runtime failed on the test rows", e);
    }
    return max;
  }
}

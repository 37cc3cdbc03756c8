package dev.sluice.jobs.training.model;

import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.ReferenceProfile;
import dev.sluice.avro.models.TrainingLineage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained, evaluated and exported model: everything a {@link ModelVersion} needs except what the
 * registry assigns (version number, SHA-256, registration time), plus the data to verify the ONNX
 * export against the scorer.
 *
 * @param kind which model
 * @param onnx the ONNX model file (Tribuo's export, without its provenance metadata so that the
 *     same data and seed give the same bytes)
 * @param signature input name, feature names in the ONNX column order, output convention and the
 *     positive class
 * @param preprocessing STANDARDIZE with the training means and deviations, in signature order
 * @param threshold decision threshold on the fraud probability
 * @param lineage trainer, hyper-parameters, seed, code version, data source, split and row counts
 * @param metrics test-split metrics by name ({@link ModelTrainer#AUC_ROC} and the others)
 * @param profile reference profile of the training split: raw features in signature order, the
 *     model's scores and the labels
 * @param exportCheck test rows and Tribuo's own scores for them, to compare ONNX scoring with
 */
public record TrainedModel(
    ModelKind kind,
    byte[] onnx,
    ModelSignature signature,
    Preprocessing preprocessing,
    double threshold,
    TrainingLineage lineage,
    Map<String, Double> metrics,
    ReferenceProfile profile,
    ExportCheck exportCheck) {

  public TrainedModel {
    Objects.requireNonNull(kind, "kind");
    onnx = Objects.requireNonNull(onnx, "onnx").clone();
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(preprocessing, "preprocessing");
    Objects.requireNonNull(lineage, "lineage");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(exportCheck, "exportCheck");
  }

  /** A copy of the ONNX bytes. */
  @Override
  public byte[] onnx() {
    return onnx.clone();
  }

  /** A metric by name, or NaN when it was not computed. */
  public double metric(String name) {
    return metrics.getOrDefault(name, Double.NaN);
  }

  /**
   * A registration candidate: version 0 and an empty SHA-256, which the registry assigns.
   *
   * @param name model name, e.g. {@code fraud}
   * @param description free text
   * @param registeredAt wall-clock time of the request
   * @param registeredBy user and host
   */
  public ModelVersion candidate(
      String name, String description, Instant registeredAt, String registeredBy) {
    return candidateBuilder(name, description, registeredAt, registeredBy)
        .setOnnx(ByteBuffer.wrap(onnx.clone()))
        .build();
  }

  /**
   * {@link #candidate} without the ONNX bytes (an empty {@code onnx} field): the sidecar written
   * next to the {@code .onnx} file.
   */
  public ModelVersion candidateWithoutBytes(
      String name, String description, Instant registeredAt, String registeredBy) {
    return candidateBuilder(name, description, registeredAt, registeredBy)
        .setOnnx(ByteBuffer.allocate(0))
        .build();
  }

  private ModelVersion.Builder candidateBuilder(
      String name, String description, Instant registeredAt, String registeredBy) {
    return ModelVersion.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setVersion(0)
        .setSha256("")
        .setSignature(ModelSignature.newBuilder(signature).build())
        .setPreprocessing(Preprocessing.newBuilder(preprocessing).build())
        .setThreshold(threshold)
        .setLineage(TrainingLineage.newBuilder(lineage).build())
        .setMetrics(new LinkedHashMap<>(metrics))
        .setProfile(ReferenceProfile.newBuilder(profile).build())
        .setDescription(description == null ? "" : description)
        .setRegisteredAt(Objects.requireNonNull(registeredAt, "registeredAt"))
        .setRegisteredBy(Objects.requireNonNull(registeredBy, "registeredBy"));
  }

  /**
   * Rows to check an ONNX scorer with: the test split's raw feature values (before preprocessing)
   * as floats, row-major in signature order (the layout of {@code
   * dev.sluice.operators.scoring.Scorer#score}), and the fraud probability Tribuo computed for each
   * row from the double values. The float rounding of the raw values moves a probability by about
   * 1e-7; the scorer's float arithmetic adds as much.
   *
   * @param rawValues row {@code r}, column {@code c} at {@code r * columns + c}
   * @param rows rows
   * @param columns features per row
   * @param expectedScores Tribuo's fraud probability per row
   */
  public record ExportCheck(float[] rawValues, int rows, int columns, double[] expectedScores) {
    public ExportCheck {
      if (rawValues.length != (long) rows * columns || expectedScores.length != rows) {
        throw new IllegalArgumentException(
            rawValues.length
                + " values and "
                + expectedScores.length
                + " scores for "
                + rows
                + " rows of "
                + columns);
      }
      rawValues = rawValues.clone();
      expectedScores = expectedScores.clone();
    }

    @Override
    public float[] rawValues() {
      return rawValues.clone();
    }

    @Override
    public double[] expectedScores() {
      return expectedScores.clone();
    }

    /** Raw values of one row, a copy. */
    public float[] row(int r) {
      return Arrays.copyOfRange(rawValues, r * columns, (r + 1) * columns);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ExportCheck other
          && rows == other.rows
          && columns == other.columns
          && Arrays.equals(rawValues, other.rawValues)
          && Arrays.equals(expectedScores, other.expectedScores);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(rawValues) * 31 + Arrays.hashCode(expectedScores);
    }

    @Override
    public String toString() {
      return "ExportCheck[rows=" + rows + ", columns=" + columns + "]";
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainedModel other
        && kind == other.kind
        && Arrays.equals(onnx, other.onnx)
        && signature.equals(other.signature)
        && preprocessing.equals(other.preprocessing)
        && Double.compare(threshold, other.threshold) == 0
        && lineage.equals(other.lineage)
        && metrics.equals(other.metrics)
        && profile.equals(other.profile)
        && exportCheck.equals(other.exportCheck);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, signature, lineage) * 31 + Arrays.hashCode(onnx);
  }

  @Override
  public String toString() {
    return "TrainedModel["
        + kind.id()
        + ", "
        + onnx.length
        + " ONNX bytes, metrics="
        + metrics
        + "]";
  }
}

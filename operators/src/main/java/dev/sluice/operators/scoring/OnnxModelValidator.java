package dev.sluice.operators.scoring;

import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.ReferenceProfile;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.ModelValidator;
import dev.sluice.state.models.RegistryState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The registry's gate for ONNX models: a version is accepted only if {@link OnnxScorer} will score
 * it. Checks, in order, each refusal naming the check and the offending value:
 *
 * <ol>
 *   <li>{@code sha256}: when set, it is the hex SHA-256 of the bytes;
 *   <li>{@code threshold}: within [0, 1];
 *   <li>{@code preprocessing}: empty arrays for NONE; one finite shift and one finite, non-zero
 *       scale per feature for STANDARDIZE;
 *   <li>the bytes load in ONNX Runtime (otherwise "not a loadable ONNX model" with its reason);
 *   <li>{@code signature} against the graph: the input exists, is float, rank 2, as wide as the
 *       feature list; the probability output exists with the convention's type; {@code
 *       positiveIndex} is within the columns; for a map output, {@code positiveClass} is one of the
 *       keys the graph's ZipMap declares;
 *   <li>{@code smoke batch}: {@value #SMOKE_ROWS} rows score with every score finite and in [0, 1].
 *       The rows are drawn from the reference profile's per-feature quantiles when the version has
 *       one, otherwise a seeded normal spread around 0 in the model's input space (around {@code
 *       shift} with spread {@code scale} for STANDARDIZE).
 * </ol>
 *
 * <p>Stateless and thread-safe; each call opens and closes its own session.
 */
public final class OnnxModelValidator implements ModelValidator {
  /** Rows in the smoke batch. */
  public static final int SMOKE_ROWS = 64;

  private static final long SMOKE_SEED = 20240611L;

  @Override
  public void validate(ModelVersion candidate) throws InvalidModelException {
    checkSha256(candidate);
    double threshold = candidate.getThreshold();
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
      throw new InvalidModelException("threshold: " + threshold + " is outside [0, 1]");
    }
    ModelSignature signature = candidate.getSignature();
    int features = signature.getFeatures().size();
    double[][] preprocessing = OnnxScorer.preprocessing(candidate.getPreprocessing(), features);
    try (OnnxScorer scorer = OnnxScorer.open(candidate)) {
      if (signature.getOutput() == OutputConvention.LABEL_AND_PROBABILITY_MAP) {
        checkMapKey(signature, OnnxClassLabels.read(OnnxScorer.bytes(candidate.getOnnx())));
      }
      float[] rows = smokeBatch(candidate, preprocessing);
      double[] scores = new double[SMOKE_ROWS];
      try {
        scorer.score(rows, SMOKE_ROWS, scores);
      } catch (ScoringException e) {
        throw new InvalidModelException(
            "smoke batch of "
                + SMOKE_ROWS
                + " rows ("
                + (candidate.getProfile() != null ? "reference profile quantiles" : "seeded spread")
                + "): "
                + e.getMessage(),
            e);
      }
    }
  }

  private static void checkSha256(ModelVersion candidate) throws InvalidModelException {
    String declared = candidate.getSha256();
    if (declared == null || declared.isEmpty()) {
      return;
    }
    String actual = RegistryState.sha256(candidate.getOnnx());
    if (!actual.equals(declared)) {
      throw new InvalidModelException(
          "sha256: the record says " + declared + ", the onnx bytes hash to " + actual);
    }
  }

  private static void checkMapKey(ModelSignature signature, OnnxClassLabels labels)
      throws InvalidModelException {
    List<String> keys = labels.zipMap();
    if (!keys.isEmpty() && !keys.contains(signature.getPositiveClass())) {
      throw new InvalidModelException(
          "signature: positiveClass '"
              + signature.getPositiveClass()
              + "' is not a key of output '"
              + signature.getProbabilityOutput()
              + "' (keys "
              + keys
              + ")");
    }
  }

  /**
   * {@value #SMOKE_ROWS} raw rows (before preprocessing). From a profile, feature {@code j} of row
   * {@code i} is quantile {@code (i * 37 + j * 11) mod 101}, so the rows mix low and high values of
   * different features instead of moving them all together; features the profile lacks, and every
   * feature without a profile, get {@code shift + scale * N(0, 1)} (shift 0, scale 1 for NONE).
   */
  static float[] smokeBatch(ModelVersion candidate, double[][] preprocessing) {
    List<String> features = candidate.getSignature().getFeatures();
    int width = features.size();
    Map<String, DistributionProfile> profiles = new HashMap<>();
    ReferenceProfile profile = candidate.getProfile();
    if (profile != null) {
      for (DistributionProfile feature : profile.getFeatures()) {
        profiles.put(feature.getName(), feature);
      }
    }
    Random random = new Random(SMOKE_SEED);
    float[] rows = new float[SMOKE_ROWS * width];
    for (int i = 0; i < SMOKE_ROWS; i++) {
      for (int j = 0; j < width; j++) {
        DistributionProfile feature = profiles.get(features.get(j));
        double value;
        if (feature != null && !feature.getQuantiles().isEmpty()) {
          List<Double> quantiles = feature.getQuantiles();
          value = quantiles.get((i * 37 + j * 11) % 101 % quantiles.size());
        } else if (feature != null && Double.isFinite(feature.getMean())) {
          value = feature.getMean() + feature.getStd() * random.nextGaussian();
        } else {
          double shift = preprocessing[0] == null ? 0.0 : preprocessing[0][j];
          double scale = preprocessing[1] == null ? 1.0 : preprocessing[1][j];
          value = shift + scale * random.nextGaussian();
        }
        rows[i * width + j] = (float) value;
      }
    }
    return rows;
  }
}

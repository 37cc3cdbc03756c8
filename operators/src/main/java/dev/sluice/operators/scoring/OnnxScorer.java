package dev.sluice.operators.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.state.models.InvalidModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores micro-batches with ONNX Runtime: one {@link OrtSession} per model version, created once
 * from the version's bytes and closed by {@link #close()}.
 *
 * <p>Each {@link #score} copies the rows into one reused direct {@link FloatBuffer} (grown when a
 * larger batch arrives), applying the version's preprocessing {@code (x - shift) / scale} on the
 * way, wraps it in a single {@code [rows, features]} tensor without another copy, runs the graph
 * for the probability output only and reads the positive class's probability by the signature's
 * {@link dev.sluice.avro.models.OutputConvention} (see {@link ProbabilityOutput}). Per-call native
 * objects (the input tensor, the result) are closed before {@code score} returns.
 *
 * <p>The session runs on one intra-op and one inter-op thread, sequentially, with all graph
 * optimizations: parallelism comes from Flink's task slots, not from threads inside one task.
 *
 * <p>A score that is NaN, infinite or outside [0, 1] by more than {@value #RANGE_SLACK} fails the
 * batch with a {@link ScoringException} naming the row ({@link ScoringException#row()}); a score
 * within the slack is clamped. Not thread-safe.
 */
public final class OnnxScorer implements Scorer {
  /** Opens an {@link OnnxScorer} per version; serializable, so it can be shipped to tasks. */
  public static final ScorerFactory FACTORY = OnnxScorer::open;

  /** How far outside [0, 1] a score may stray from float rounding before it counts as invalid. */
  static final double RANGE_SLACK = 1e-6;

  private static final int FLOAT_BYTES = Float.BYTES;

  private final ModelVersion version;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final String inputName;
  private final int features;
  private final double[] shift;
  private final double[] scale;
  private final ProbabilityOutput output;
  private final Set<String> requestedOutputs;
  private FloatBuffer input;
  private boolean closed;

  private OnnxScorer(
      ModelVersion version,
      OrtEnvironment environment,
      OrtSession session,
      double[] shift,
      double[] scale,
      ProbabilityOutput output) {
    this.version = version;
    this.environment = environment;
    this.session = session;
    this.inputName = version.getSignature().getInputName();
    this.features = version.getSignature().getFeatures().size();
    this.shift = shift;
    this.scale = scale;
    this.output = output;
    this.requestedOutputs = Set.of(output.name);
    this.input = allocate(64 * features);
  }

  /**
   * Loads the version's ONNX bytes and checks them against its signature and preprocessing.
   *
   * @throws InvalidModelException if the bytes are not a loadable ONNX model, the graph's input or
   *     probability output do not match the signature, or the preprocessing is malformed; the
   *     message names the offending input, output or array and the expected and actual values
   */
  public static OnnxScorer open(ModelVersion version) throws InvalidModelException {
    ModelSignature signature = version.getSignature();
    int featureCount = signature.getFeatures().size();
    if (featureCount == 0) {
      throw new InvalidModelException("signature: features is empty; a model reads at least one");
    }
    double[][] preprocessing = preprocessing(version.getPreprocessing(), featureCount);
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession session = createSession(environment, bytes(version.getOnnx()));
    try {
      checkInput(signature, session.getInputInfo());
      ProbabilityOutput output = ProbabilityOutput.bind(signature, session.getOutputInfo());
      return new OnnxScorer(
          version, environment, session, preprocessing[0], preprocessing[1], output);
    } catch (OrtException e) {
      InvalidModelException invalid =
          new InvalidModelException(
              "ONNX Runtime could not describe the graph's inputs and outputs: " + e.getMessage(),
              e);
      closeQuietly(session, invalid);
      throw invalid;
    } catch (InvalidModelException | RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  @Override
  public ModelVersion version() {
    return version;
  }

  @Override
  public int featureCount() {
    return features;
  }

  @Override
  public void score(float[] values, int rows, double[] scores) throws ScoringException {
    if (closed) {
      throw new IllegalStateException("scorer of " + label() + " is closed");
    }
    int cells = rows * features;
    if (rows < 1 || values.length < cells || scores.length < rows) {
      throw new IllegalArgumentException(
          "batch of "
              + rows
              + " rows x "
              + features
              + " features needs values.length >= "
              + cells
              + " and scores.length >= "
              + rows
              + "; got "
              + values.length
              + " and "
              + scores.length);
    }
    FloatBuffer buffer = fill(values, cells);
    try (OnnxTensor tensor =
            OnnxTensor.createTensor(environment, buffer, new long[] {rows, features});
        OrtSession.Result result = session.run(Map.of(inputName, tensor), requestedOutputs)) {
      OnnxValue value =
          result
              .get(output.name)
              .orElseThrow(
                  () -> new ScoringException("the run returned no output '" + output.name + "'"));
      output.read(value, rows, scores);
    } catch (OrtException e) {
      throw new ScoringException(
          "ONNX Runtime failed on a batch of " + rows + " rows of " + label() + ": " + e, e);
    }
    checkRange(scores, rows);
  }

  /** Closes the session; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX session of " + label() + " failed", e);
    }
  }

  /** Whether {@link #close()} has released the session. */
  boolean isClosed() {
    return closed;
  }

  /** Capacity of the reused input buffer, in floats (grows, never shrinks). */
  int inputCapacity() {
    return input.capacity();
  }

  private FloatBuffer fill(float[] values, int cells) {
    if (input.capacity() < cells) {
      input = allocate(Math.max(cells, input.capacity() * 2));
    }
    FloatBuffer buffer = input;
    buffer.clear();
    if (shift == null) {
      buffer.put(values, 0, cells);
    } else {
      for (int i = 0, c = 0; i < cells; i++) {
        buffer.put((float) ((values[i] - shift[c]) / scale[c]));
        if (++c == features) {
          c = 0;
        }
      }
    }
    buffer.flip();
    return buffer;
  }

  private void checkRange(double[] scores, int rows) throws ScoringException {
    for (int r = 0; r < rows; r++) {
      double score = scores[r];
      if (score >= 0.0 && score <= 1.0) {
        continue;
      }
      if (score >= -RANGE_SLACK && score <= 1.0 + RANGE_SLACK) {
        scores[r] = score < 0.0 ? 0.0 : 1.0;
        continue;
      }
      int bad = 0;
      for (int i = r; i < rows; i++) {
        double s = scores[i];
        if (!(s >= -RANGE_SLACK && s <= 1.0 + RANGE_SLACK)) {
          bad++;
        }
      }
      throw new ScoringException(
          "row "
              + r
              + " of a batch of "
              + rows
              + ": "
              + label()
              + " scored "
              + score
              + (Double.isNaN(score) ? "" : ", outside [0, 1],")
              + " from output '"
              + output.name
              + "' ("
              + bad
              + " row"
              + (bad == 1 ? "" : "s")
              + " of the batch affected)",
          r);
    }
  }

  private String label() {
    return "model " + version.getName() + " v" + version.getVersion();
  }

  private static FloatBuffer allocate(int floats) {
    return ByteBuffer.allocateDirect(floats * FLOAT_BYTES)
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  /**
   * Shift and scale as arrays, or {@code {null, null}} for NONE.
   *
   * @throws InvalidModelException naming the array and the offending index or length
   */
  static double[][] preprocessing(Preprocessing preprocessing, int features)
      throws InvalidModelException {
    List<Double> shift = preprocessing.getShift();
    List<Double> scale = preprocessing.getScale();
    if (preprocessing.getKind() == PreprocessingKind.NONE) {
      if (!shift.isEmpty() || !scale.isEmpty()) {
        throw new InvalidModelException(
            "preprocessing: kind NONE must have empty shift and scale; got "
                + shift.size()
                + " shift and "
                + scale.size()
                + " scale values");
      }
      return new double[][] {null, null};
    }
    if (shift.size() != features || scale.size() != features) {
      throw new InvalidModelException(
          "preprocessing: STANDARDIZE needs one shift and one scale per feature ("
              + features
              + "); got "
              + shift.size()
              + " shift and "
              + scale.size()
              + " scale values");
    }
    double[] shifts = new double[features];
    double[] scales = new double[features];
    for (int i = 0; i < features; i++) {
      shifts[i] = shift.get(i);
      scales[i] = scale.get(i);
      if (!Double.isFinite(shifts[i])) {
        throw new InvalidModelException(
            "preprocessing: shift[" + i + "] is " + shifts[i] + "; it must be finite");
      }
      if (!Double.isFinite(scales[i]) || scales[i] == 0.0) {
        throw new InvalidModelException(
            "preprocessing: scale[" + i + "] is " + scales[i] + "; it must be finite and non-zero");
      }
    }
    return new double[][] {shifts, scales};
  }

  private static void checkInput(ModelSignature signature, Map<String, NodeInfo> inputs)
      throws InvalidModelException {
    String name = signature.getInputName();
    int features = signature.getFeatures().size();
    if (inputs.size() != 1) {
      throw new InvalidModelException(
          "graph: has "
              + inputs.size()
              + " inputs ("
              + OnnxModelInspector.describe(inputs.values())
              + "); the scorer feeds exactly one float [batch, features] tensor");
    }
    NodeInfo input = inputs.get(name);
    if (input == null) {
      throw new InvalidModelException(
          "signature: inputName '"
              + name
              + "' is not an input of the graph (inputs: "
              + OnnxModelInspector.describe(inputs.values())
              + ")");
    }
    String found = OnnxModelInspector.describe(input);
    if (!(input.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
      throw new InvalidModelException(
          "graph: input '" + name + "' is " + found + "; the scorer feeds float[batch, features]");
    }
    long[] shape = info.getShape();
    if (shape.length != 2) {
      throw new InvalidModelException(
          "graph: input '"
              + name
              + "' is "
              + found
              + ", rank "
              + shape.length
              + "; the scorer feeds rank 2, float[batch, "
              + features
              + "]");
    }
    if (shape[1] > 0 && shape[1] != features) {
      throw new InvalidModelException(
          "signature: "
              + features
              + " features, but input '"
              + name
              + "' "
              + found
              + " has "
              + shape[1]
              + " columns");
    }
    if (shape[0] > 0) {
      throw new InvalidModelException(
          "graph: input '"
              + name
              + "' "
              + found
              + " has a fixed batch size of "
              + shape[0]
              + "; the scorer sends batches of any size (export with a dynamic batch axis)");
    }
  }

  private static OrtSession createSession(OrtEnvironment environment, byte[] model)
      throws InvalidModelException {
    try (SessionOptions options = sessionOptions()) {
      return environment.createSession(model, options);
    } catch (OrtException e) {
      throw new InvalidModelException(
          "not a loadable ONNX model (" + model.length + " bytes): " + e.getMessage(), e);
    }
  }

  /** The session options every scorer uses; see the class comment. */
  static SessionOptions sessionOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    try {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      return options;
    } catch (OrtException e) {
      options.close();
      throw e;
    }
  }

  static byte[] bytes(ByteBuffer onnx) {
    ByteBuffer view = onnx.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private static void closeQuietly(OrtSession session, Exception primary) {
    try {
      session.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "OnnxScorer{"
        + label()
        + ", input "
        + inputName
        + "["
        + features
        + "], output "
        + output.name
        + "}";
  }
}

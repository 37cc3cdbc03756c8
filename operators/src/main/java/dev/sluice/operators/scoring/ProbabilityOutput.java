package dev.sluice.operators.scoring;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.state.models.InvalidModelException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where a graph puts the positive-class probability, one subclass per way of reading it. {@link
 * #bind} checks a signature's output convention against the graph's declared outputs once, when the
 * session opens; {@link #read} then copies the positive-class probability of each row of a result.
 *
 * <ul>
 *   <li>{@code PROBABILITY_TENSOR}: a float or double tensor, {@code [n, k]} read at column {@code
 *       positiveIndex}, or {@code [n]} / {@code [n, 1]} read as is (Tribuo, PyTorch);
 *   <li>{@code LABEL_AND_PROBABILITY_TENSOR}: an int64 or string label output plus a float {@code
 *       [n, k]} probabilities tensor (skl2onnx with zipmap=False, onnxmltools);
 *   <li>{@code LABEL_AND_PROBABILITY_MAP}: a label output plus {@code seq(map(int64|string,
 *       float))}, one map per row, read at key {@code positiveClass} (skl2onnx's ZipMap).
 * </ul>
 */
abstract class ProbabilityOutput {
  /** Name of the graph output read. */
  final String name;

  private ProbabilityOutput(String name) {
    this.name = name;
  }

  /**
   * Reads row {@code r}'s positive-class probability into {@code scores[r]} for {@code r < rows};
   * range checks are the caller's.
   */
  abstract void read(OnnxValue value, int rows, double[] scores)
      throws OrtException, ScoringException;

  /**
   * Checks the signature's output against the graph's outputs and returns its reader.
   *
   * @throws InvalidModelException naming the output, what the convention expects and what the graph
   *     declares
   */
  static ProbabilityOutput bind(ModelSignature signature, Map<String, NodeInfo> outputs)
      throws InvalidModelException {
    String name = signature.getProbabilityOutput();
    OutputConvention convention = signature.getOutput();
    NodeInfo output = outputs.get(name);
    if (output == null) {
      throw new InvalidModelException(
          "signature: probabilityOutput '"
              + name
              + "' is not an output of the graph (outputs: "
              + OnnxModelInspector.describe(outputs.values())
              + ")");
    }
    String found = OnnxModelInspector.describe(output);
    if (convention != OutputConvention.PROBABILITY_TENSOR) {
      requireLabelOutput(convention, name, outputs);
    }
    return switch (convention) {
      case PROBABILITY_TENSOR -> tensor(signature, output, found, true);
      case LABEL_AND_PROBABILITY_TENSOR -> tensor(signature, output, found, false);
      case LABEL_AND_PROBABILITY_MAP -> map(signature, output, found);
    };
  }

  private static void requireLabelOutput(
      OutputConvention convention, String probabilityOutput, Map<String, NodeInfo> outputs)
      throws InvalidModelException {
    for (NodeInfo candidate : outputs.values()) {
      if (!candidate.getName().equals(probabilityOutput)
          && candidate.getInfo() instanceof TensorInfo info
          && (info.type == OnnxJavaType.INT64 || info.type == OnnxJavaType.STRING)) {
        return;
      }
    }
    throw new InvalidModelException(
        "signature: output convention "
            + convention
            + " needs an int64 or string label output besides '"
            + probabilityOutput
            + "'; the graph has "
            + OnnxModelInspector.describe(outputs.values()));
  }

  private static ProbabilityOutput tensor(
      ModelSignature signature, NodeInfo output, String found, boolean singleScoreAllowed)
      throws InvalidModelException {
    String name = output.getName();
    OutputConvention convention = signature.getOutput();
    if (!(output.getInfo() instanceof TensorInfo info)
        || (info.type != OnnxJavaType.FLOAT && info.type != OnnxJavaType.DOUBLE)) {
      throw new InvalidModelException(
          "signature: output convention "
              + convention
              + " reads a float or double tensor from '"
              + name
              + "', the graph declares "
              + found);
    }
    long[] shape = info.getShape();
    boolean single = shape.length == 1 || (shape.length == 2 && shape[1] == 1);
    int positiveIndex = signature.getPositiveIndex();
    if (single && singleScoreAllowed) {
      if (positiveIndex != -1 && positiveIndex != 0) {
        throw new InvalidModelException(
            "signature: positiveIndex is "
                + positiveIndex
                + " but output '"
                + name
                + "' is a single score "
                + found
                + " (use -1)");
      }
      return new TensorColumn(name, info.type == OnnxJavaType.DOUBLE, 0, 1);
    }
    if (shape.length != 2 || shape[1] == 1) {
      throw new InvalidModelException(
          "signature: output convention "
              + convention
              + " reads a [batch, classes] tensor from '"
              + name
              + "', the graph declares "
              + found);
    }
    long classes = shape[1];
    if (positiveIndex < 0 || (classes > 0 && positiveIndex >= classes)) {
      throw new InvalidModelException(
          "signature: positiveIndex "
              + positiveIndex
              + " is outside the "
              + (classes > 0 ? classes + " columns" : "columns")
              + " of output '"
              + name
              + "' "
              + found);
    }
    return new TensorColumn(name, info.type == OnnxJavaType.DOUBLE, positiveIndex, classes);
  }

  private static ProbabilityOutput map(ModelSignature signature, NodeInfo output, String found)
      throws InvalidModelException {
    String name = output.getName();
    if (!(output.getInfo() instanceof SequenceInfo info)
        || !info.isSequenceOfMaps()
        || info.mapInfo.valueType != OnnxJavaType.FLOAT) {
      throw new InvalidModelException(
          "signature: output convention LABEL_AND_PROBABILITY_MAP reads seq(map(int64|string, float))"
              + " from '"
              + name
              + "', the graph declares "
              + found);
    }
    MapInfo mapInfo = info.mapInfo;
    String positiveClass = signature.getPositiveClass();
    Object key;
    if (mapInfo.keyType == OnnxJavaType.STRING) {
      key = positiveClass;
    } else if (mapInfo.keyType == OnnxJavaType.INT64) {
      try {
        key = Long.parseLong(positiveClass);
      } catch (NumberFormatException e) {
        throw new InvalidModelException(
            "signature: positiveClass '"
                + positiveClass
                + "' is not an integer, but the keys of output '"
                + name
                + "' "
                + found
                + " are int64");
      }
    } else {
      throw new InvalidModelException(
          "signature: the maps of output '"
              + name
              + "' "
              + found
              + " have "
              + OnnxModelInspector.typeName(mapInfo.keyType)
              + " keys; only int64 and string keys name classes");
    }
    return new MapEntry(name, key);
  }

  /** One column of a {@code [n, k]} tensor, or the only value of {@code [n]} / {@code [n, 1]}. */
  private static final class TensorColumn extends ProbabilityOutput {
    private final boolean isDouble;
    private final int column;
    private final long declaredColumns;

    TensorColumn(String name, boolean isDouble, int column, long declaredColumns) {
      super(name);
      this.isDouble = isDouble;
      this.column = column;
      this.declaredColumns = declaredColumns;
    }

    @Override
    void read(OnnxValue value, int rows, double[] scores) throws ScoringException {
      OnnxTensor tensor = (OnnxTensor) value;
      long[] shape = tensor.getInfo().getShape();
      int columns = shape.length == 2 ? (int) shape[1] : 1;
      if (shape[0] != rows || column >= columns) {
        throw new ScoringException(
            "output '"
                + name
                + "' has shape "
                + Arrays.toString(shape)
                + " for a batch of "
                + rows
                + " rows; expected ["
                + rows
                + (declaredColumns > 1 ? ", " + declaredColumns : "")
                + "] with column "
                + column);
      }
      if (isDouble) {
        DoubleBuffer buffer = tensor.getDoubleBuffer();
        for (int r = 0; r < rows; r++) {
          scores[r] = buffer.get(r * columns + column);
        }
      } else {
        FloatBuffer buffer = tensor.getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          scores[r] = buffer.get(r * columns + column);
        }
      }
    }
  }

  /** The entry of the positive class in each row's map of a {@code seq(map(key, float))}. */
  private static final class MapEntry extends ProbabilityOutput {
    private final Object key;

    MapEntry(String name, Object key) {
      super(name);
      this.key = key;
    }

    @Override
    void read(OnnxValue value, int rows, double[] scores) throws OrtException, ScoringException {
      List<? extends OnnxValue> maps = ((OnnxSequence) value).getValue();
      if (maps.size() != rows) {
        throw new ScoringException(
            "output '" + name + "' has " + maps.size() + " maps for a batch of " + rows + " rows");
      }
      for (int r = 0; r < rows; r++) {
        Map<?, ?> entries = ((OnnxMap) maps.get(r)).getValue();
        Object probability = entries.get(key);
        if (probability == null) {
          throw new ScoringException(
              "output '"
                  + name
                  + "': positive class '"
                  + key
                  + "' is not a key of the map of row "
                  + r
                  + " (keys "
                  + entries.keySet()
                  + ")",
              r);
        }
        scores[r] = ((Number) probability).doubleValue();
      }
    }
  }
}

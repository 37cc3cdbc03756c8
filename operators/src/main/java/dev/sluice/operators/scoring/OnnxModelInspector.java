package dev.sluice.operators.scoring;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.state.models.InvalidModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Describes an ONNX model's inputs and outputs and proposes the {@link ModelSignature} under which
 * {@link OnnxScorer} can score it, so that registering a model exported by Tribuo, skl2onnx or
 * onnxmltools needs no hand-written signature.
 *
 * <p>The output convention is detected from the outputs' types, whatever their names: a {@code
 * seq(map(int64|string, float))} output is {@code LABEL_AND_PROBABILITY_MAP} (skl2onnx's ZipMap); a
 * float or double {@code [batch, classes]} tensor next to an int64 or string label output is {@code
 * LABEL_AND_PROBABILITY_TENSOR}; a float or double tensor alone is {@code PROBABILITY_TENSOR}, one
 * column per class or a single score. The positive class's column comes from the class labels of
 * the graph's {@code ai.onnx.ml} classifier node when it has one; without labels (Tribuo, PyTorch)
 * a two-column output is taken as {@code [negative, positive]}, column 1.
 *
 * <p>Anything the scorer cannot score is refused with an {@link InvalidModelException} that says
 * why: not exactly one input, a non-float input, an input of another rank or width, a fixed batch
 * size, no or two probability-like outputs, map keys that are neither int64 nor string, a positive
 * class the labels do not know.
 */
public final class OnnxModelInspector {
  private OnnxModelInspector() {}

  /** What an input or output is in ONNX's type system. */
  public enum Kind {
    TENSOR,
    SEQUENCE,
    MAP,
    OTHER
  }

  /**
   * One input or output of the graph.
   *
   * @param name its name in the graph
   * @param kind tensor, sequence or map
   * @param elementType ONNX element type name ({@code float}, {@code int64}, {@code string}, ...)
   *     of a tensor; the value type of a map or of the maps in a sequence; empty otherwise
   * @param keyType the key type of a map or of the maps in a sequence; empty otherwise
   * @param shape a tensor's dimensions, -1 for a dynamic one; empty for sequences and maps
   * @param type the whole type as text, e.g. {@code float[-1,4]}, {@code seq(map(int64,float))}
   */
  public record Port(
      String name, Kind kind, String elementType, String keyType, List<Long> shape, String type) {
    /** Whether this is a float or double tensor. */
    boolean isRealTensor() {
      return kind == Kind.TENSOR && (elementType.equals("float") || elementType.equals("double"));
    }

    /** Whether this is an int64 or string tensor, as class labels are. */
    boolean isLabelTensor() {
      return kind == Kind.TENSOR && (elementType.equals("int64") || elementType.equals("string"));
    }

    /** Whether this is a sequence of maps (ZipMap's output). */
    boolean isSequenceOfMaps() {
      return kind == Kind.SEQUENCE && !keyType.isEmpty();
    }

    @Override
    public String toString() {
      return name + " " + type;
    }
  }

  /**
   * What a model reads and writes.
   *
   * @param producer the producer recorded in the model (e.g. {@code skl2onnx}), empty if none
   * @param inputs the graph's inputs
   * @param outputs the graph's outputs
   * @param classLabels the class labels of the graph's classifier node, in probability-column
   *     order; empty when the graph declares none
   * @param mapKeys the keys of ZipMap's maps as declared by the graph; empty when there is no
   *     ZipMap
   */
  public record Description(
      String producer,
      List<Port> inputs,
      List<Port> outputs,
      List<String> classLabels,
      List<String> mapKeys) {

    /**
     * Proposes the signature to score this model with.
     *
     * @param features feature names in the model's column order
     * @param positiveClass the positive class's label (e.g. {@code 1}, {@code fraud}); for a
     *     probability tensor without class labels a column index, or any label for a two-column
     *     output, whose column 1 is taken as positive
     * @throws InvalidModelException if the scorer cannot score the model, naming the input or
     *     output at fault
     */
    public ModelSignature proposeSignature(List<String> features, String positiveClass)
        throws InvalidModelException {
      Port input = scorableInput(features.size());
      List<Port> maps = outputs.stream().filter(Port::isSequenceOfMaps).toList();
      List<Port> tensors = outputs.stream().filter(Port::isRealTensor).toList();
      List<Port> candidates = new ArrayList<>(maps);
      candidates.addAll(tensors);
      if (candidates.isEmpty()) {
        throw new InvalidModelException(
            "no probability-like output: expected a float or double tensor or a"
                + " seq(map(int64|string, float)); the outputs are "
                + outputs);
      }
      if (candidates.size() > 1) {
        throw new InvalidModelException(
            "two or more candidate probability outputs "
                + candidates
                + "; cannot tell which holds the probabilities, register with an explicit"
                + " signature");
      }
      boolean hasLabel = outputs.stream().anyMatch(Port::isLabelTensor);
      ModelSignature.Builder signature =
          ModelSignature.newBuilder()
              .setInputName(input.name())
              .setFeatures(List.copyOf(features))
              .setFeatureSetVersion(null)
              .setViewVersions(Map.of());
      Port probabilities = candidates.get(0);
      signature.setProbabilityOutput(probabilities.name());
      if (probabilities.isSequenceOfMaps()) {
        return signature
            .setOutput(OutputConvention.LABEL_AND_PROBABILITY_MAP)
            .setPositiveClass(mapKey(probabilities, positiveClass))
            .setPositiveIndex(-1)
            .build();
      }
      List<Long> shape = probabilities.shape();
      boolean single = shape.size() == 1 || (shape.size() == 2 && shape.get(1) == 1);
      if (single) {
        return signature
            .setOutput(OutputConvention.PROBABILITY_TENSOR)
            .setPositiveClass(positiveClass)
            .setPositiveIndex(-1)
            .build();
      }
      if (shape.size() != 2) {
        throw new InvalidModelException(
            "output "
                + probabilities
                + " has rank "
                + shape.size()
                + "; probabilities are [batch, classes] or [batch]");
      }
      int index = positiveColumn(probabilities, positiveClass);
      return signature
          .setOutput(
              hasLabel
                  ? OutputConvention.LABEL_AND_PROBABILITY_TENSOR
                  : OutputConvention.PROBABILITY_TENSOR)
          .setPositiveClass(Integer.toString(index))
          .setPositiveIndex(index)
          .build();
    }

    private Port scorableInput(int features) throws InvalidModelException {
      if (inputs.size() != 1) {
        throw new InvalidModelException(
            "the model has "
                + inputs.size()
                + " inputs "
                + inputs
                + "; the scorer feeds exactly one float [batch, features] tensor");
      }
      Port input = inputs.get(0);
      if (input.kind() != Kind.TENSOR || !input.elementType().equals("float")) {
        throw new InvalidModelException(
            "input " + input + " is not a float tensor; the scorer feeds float [batch, features]");
      }
      List<Long> shape = input.shape();
      if (shape.size() != 2) {
        throw new InvalidModelException(
            "input "
                + input
                + " has rank "
                + shape.size()
                + "; the scorer feeds [batch, features]");
      }
      if (shape.get(1) > 0 && shape.get(1) != features) {
        throw new InvalidModelException(
            "input "
                + input
                + " has "
                + shape.get(1)
                + " columns but "
                + features
                + " feature names were given");
      }
      if (shape.get(0) > 0) {
        throw new InvalidModelException(
            "input "
                + input
                + " has a fixed batch size of "
                + shape.get(0)
                + "; the scorer sends batches of any size (export with a dynamic batch axis)");
      }
      return input;
    }

    private String mapKey(Port map, String positiveClass) throws InvalidModelException {
      if (!map.keyType().equals("int64") && !map.keyType().equals("string")) {
        throw new InvalidModelException(
            "output "
                + map
                + " has "
                + map.keyType()
                + " keys; only int64 and string keys name classes");
      }
      if (map.keyType().equals("int64")) {
        try {
          Long.parseLong(positiveClass);
        } catch (NumberFormatException e) {
          throw new InvalidModelException(
              "positive class '"
                  + positiveClass
                  + "' is not an integer, but the keys of output "
                  + map
                  + " are int64");
        }
      }
      if (!mapKeys.isEmpty() && !mapKeys.contains(positiveClass)) {
        throw new InvalidModelException(
            "positive class '"
                + positiveClass
                + "' is not a key of output "
                + map
                + " (keys "
                + mapKeys
                + ")");
      }
      return positiveClass;
    }

    private int positiveColumn(Port probabilities, String positiveClass)
        throws InvalidModelException {
      long columns = probabilities.shape().get(1);
      if (!classLabels.isEmpty()) {
        if (columns > 0 && columns != classLabels.size()) {
          throw new InvalidModelException(
              "output "
                  + probabilities
                  + " has "
                  + columns
                  + " columns but the graph declares "
                  + classLabels.size()
                  + " class labels "
                  + classLabels);
        }
        int index = classLabels.indexOf(positiveClass);
        if (index < 0) {
          throw new InvalidModelException(
              "positive class '"
                  + positiveClass
                  + "' is not one of the class labels "
                  + classLabels
                  + " of output "
                  + probabilities);
        }
        return index;
      }
      if (columns == 2) {
        return 1;
      }
      try {
        int index = Integer.parseInt(positiveClass);
        if (index >= 0 && (columns < 0 || index < columns)) {
          return index;
        }
      } catch (NumberFormatException e) {
        // fall through to the refusal below
      }
      throw new InvalidModelException(
          "output "
              + probabilities
              + " declares no class labels and "
              + (columns < 0 ? "a dynamic number of" : columns)
              + " columns; give the positive class as a column index, not '"
              + positiveClass
              + "'");
    }
  }

  /**
   * Loads the model in ONNX Runtime and describes it.
   *
   * @throws InvalidModelException if ONNX Runtime cannot load the bytes (with its reason)
   */
  public static Description inspect(byte[] onnx) throws InvalidModelException {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = OnnxScorer.sessionOptions();
        OrtSession session = environment.createSession(onnx, options)) {
      OnnxClassLabels labels = OnnxClassLabels.read(onnx);
      return new Description(
          session.getMetadata().getProducerName(),
          ports(session.getInputInfo().values()),
          ports(session.getOutputInfo().values()),
          labels.classifier(),
          labels.zipMap());
    } catch (OrtException e) {
      throw new InvalidModelException(
          "not a loadable ONNX model (" + onnx.length + " bytes): " + e.getMessage(), e);
    }
  }

  /** Shorthand for {@code inspect(onnx).proposeSignature(features, positiveClass)}. */
  public static ModelSignature proposeSignature(
      byte[] onnx, List<String> features, String positiveClass) throws InvalidModelException {
    return inspect(onnx).proposeSignature(features, positiveClass);
  }

  private static List<Port> ports(Collection<NodeInfo> nodes) {
    return nodes.stream().map(OnnxModelInspector::port).toList();
  }

  static Port port(NodeInfo node) {
    ValueInfo info = node.getInfo();
    String type = describe(info);
    if (info instanceof TensorInfo tensor) {
      List<Long> shape = Arrays.stream(tensor.getShape()).boxed().toList();
      return new Port(node.getName(), Kind.TENSOR, elementName(tensor), "", shape, type);
    }
    if (info instanceof SequenceInfo sequence) {
      if (sequence.isSequenceOfMaps()) {
        MapInfo map = sequence.mapInfo;
        return new Port(
            node.getName(),
            Kind.SEQUENCE,
            typeName(map.valueType),
            typeName(map.keyType),
            List.of(),
            type);
      }
      return new Port(
          node.getName(), Kind.SEQUENCE, typeName(sequence.sequenceType), "", List.of(), type);
    }
    if (info instanceof MapInfo map) {
      return new Port(
          node.getName(),
          Kind.MAP,
          typeName(map.valueType),
          typeName(map.keyType),
          List.of(),
          type);
    }
    return new Port(node.getName(), Kind.OTHER, "", "", List.of(), type);
  }

  /** Ports as text for messages: {@code input float[-1,4], label int64[-1]}. */
  static String describe(Collection<NodeInfo> nodes) {
    return nodes.stream()
        .map(node -> node.getName() + " " + describe(node.getInfo()))
        .collect(Collectors.joining(", "));
  }

  /** One port's type as text, e.g. {@code float[-1,2]}. */
  static String describe(NodeInfo node) {
    return describe(node.getInfo());
  }

  private static String describe(ValueInfo info) {
    if (info instanceof TensorInfo tensor) {
      return elementName(tensor)
          + Arrays.stream(tensor.getShape())
              .mapToObj(Long::toString)
              .collect(Collectors.joining(",", "[", "]"));
    }
    if (info instanceof SequenceInfo sequence) {
      if (sequence.isSequenceOfMaps()) {
        return "seq(" + describe(sequence.mapInfo) + ")";
      }
      return "seq(" + typeName(sequence.sequenceType) + ")";
    }
    if (info instanceof MapInfo map) {
      return "map(" + typeName(map.keyType) + "," + typeName(map.valueType) + ")";
    }
    return String.valueOf(info);
  }

  private static String elementName(TensorInfo tensor) {
    String name = tensor.onnxType.name();
    String prefix = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";
    return (name.startsWith(prefix) ? name.substring(prefix.length()) : name)
        .toLowerCase(Locale.ROOT);
  }

  /** ONNX's name for a Java-side element type: {@code float}, {@code int64}, {@code string}. */
  static String typeName(OnnxJavaType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}

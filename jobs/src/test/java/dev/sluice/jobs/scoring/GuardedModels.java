package dev.sluice.jobs.scoring;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX graphs built in Java (Tribuo's protobuf classes) for scoring tests: the shared logistic
 * regression of the operators' fixtures ({@code onnx/expected.json}: {@code w = [0.8, -1.2, 0.5,
 * 2.0]}, {@code b = -0.3}), Tribuo's layout ({@code input float[batch, 4]} -> softmax {@code output
 * float[batch, 2]}), with a guard that makes ONNX Runtime itself fail for some inputs.
 */
final class GuardedModels {
  static final float[] WEIGHTS = {0.8f, -1.2f, 0.5f, 2.0f};
  static final float BIAS = -0.3f;

  private GuardedModels() {}

  /**
   * The logistic regression, except that ONNX Runtime fails the run for any batch holding a row
   * whose first feature is above {@code threshold}: the row's features are multiplied by {@code
   * Gather(data = [1.0], indices = Cast<int64>(x > limits))}, where {@code limits = [threshold,
   * FLT_MAX, ...]}; for ordinary rows every index is 0 and the product changes nothing, for a row
   * above the threshold one index is 1, out of the bounds of a one-element tensor ("indices element
   * out of data bounds"). Nothing about it is visible in the graph's signature.
   */
  static byte[] failingAbove(float threshold) {
    int width = WEIGHTS.length;
    List<Float> limits = new ArrayList<>();
    limits.add(threshold);
    for (int i = 1; i < width; i++) {
      limits.add(Float.MAX_VALUE);
    }
    // Tribuo's two-class layout: softmax(x . W2 + B2) = [1 - sigmoid(z), sigmoid(z)].
    List<Float> w2 = new ArrayList<>();
    for (float w : WEIGHTS) {
      w2.add(-w / 2);
      w2.add(w / 2);
    }
    OnnxMl.GraphProto graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("guarded-lr")
            .addInput(floatTensor("input", -1, width))
            .addOutput(floatTensor("output", -1, 2))
            .addInitializer(tensor("limits", List.of((long) width), limits))
            .addInitializer(tensor("one", List.of(1L), List.of(1.0f)))
            .addInitializer(tensor("W2", List.of((long) width, 2L), w2))
            .addInitializer(tensor("B2", List.of(2L), List.of(-BIAS / 2, BIAS / 2)))
            .addNode(node("Greater", List.of("input", "limits"), "above"))
            .addNode(
                node("Cast", List.of("above"), "index")
                    .addAttribute(
                        intAttribute("to", OnnxMl.TensorProto.DataType.INT64.getNumber())))
            .addNode(
                node("Gather", List.of("one", "index"), "guard")
                    .addAttribute(intAttribute("axis", 0)))
            .addNode(node("Mul", List.of("input", "guard"), "guarded"))
            .addNode(node("MatMul", List.of("guarded", "W2"), "logits0"))
            .addNode(node("Add", List.of("logits0", "B2"), "logits"))
            .addNode(
                node("Softmax", List.of("logits"), "output").addAttribute(intAttribute("axis", 1)))
            .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("sluice-tests")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /** The logistic regression's positive-class probability, as the graph computes it. */
  static double probability(double[] row) {
    double z = BIAS;
    for (int i = 0; i < WEIGHTS.length; i++) {
      z += WEIGHTS[i] * row[i];
    }
    return 1.0 / (1.0 + Math.exp(-z));
  }

  private static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
    return OnnxMl.NodeProto.newBuilder()
        .setOpType(op)
        .setName(output)
        .addAllInput(inputs)
        .addOutput(output);
  }

  private static OnnxMl.AttributeProto intAttribute(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static OnnxMl.TensorProto tensor(String name, List<Long> dims, List<Float> values) {
    return OnnxMl.TensorProto.newBuilder()
        .setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .addAllDims(dims)
        .addAllFloatData(values)
        .build();
  }

  /** A float tensor's value info; a negative dimension is the dynamic batch axis. */
  private static OnnxMl.ValueInfoProto floatTensor(String name, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(
          d < 0
              ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
              : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
        .build();
  }
}

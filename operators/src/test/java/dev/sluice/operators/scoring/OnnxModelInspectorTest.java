package dev.sluice.operators.scoring;

import static dev.sluice.operators.scoring.OnnxFixtures.FEATURES;
import static dev.sluice.operators.scoring.OnnxFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.operators.scoring.OnnxFixtures.Expected;
import dev.sluice.operators.scoring.OnnxFixtures.Fixture;
import dev.sluice.operators.scoring.OnnxModelInspector.Description;
import dev.sluice.operators.scoring.OnnxModelInspector.Kind;
import dev.sluice.operators.scoring.OnnxModelInspector.Port;
import dev.sluice.state.models.InvalidModelException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link OnnxModelInspector}: descriptions, proposed signatures and refusals. */
class OnnxModelInspectorTest {

  @Test
  void describesATribuoGraph() throws Exception {
    Description description = OnnxModelInspector.inspect(bytes("tribuo_lr.onnx"));
    assertThat(description.producer()).isEqualTo("org.tribuo.onnx");
    assertThat(description.inputs())
        .containsExactly(
            new Port("input", Kind.TENSOR, "float", "", List.of(-1L, 4L), "float[-1,4]"));
    assertThat(description.outputs())
        .containsExactly(
            new Port("output", Kind.TENSOR, "float", "", List.of(-1L, 2L), "float[-1,2]"));
    assertThat(description.classLabels()).isEmpty();
    assertThat(description.mapKeys()).isEmpty();
  }

  @Test
  void describesAZipMapGraphWithItsClassLabels() throws Exception {
    Description description = OnnxModelInspector.inspect(bytes("skl_zipmap_string.onnx"));
    assertThat(description.producer()).isEqualTo("skl2onnx");
    assertThat(description.outputs())
        .containsExactlyInAnyOrder(
            new Port("output_label", Kind.TENSOR, "string", "", List.of(-1L), "string[-1]"),
            new Port(
                "output_probability",
                Kind.SEQUENCE,
                "float",
                "string",
                List.of(),
                "seq(map(string,float))"));
    assertThat(description.classLabels()).containsExactly("legit", "fraud");
    assertThat(description.mapKeys()).containsExactly("legit", "fraud");
  }

  @Test
  void readsIntegerClassLabelsInColumnOrder() throws Exception {
    Description description = OnnxModelInspector.inspect(bytes("skl_tensor_reversed.onnx"));
    assertThat(description.classLabels()).containsExactly("1", "0");
    assertThat(description.mapKeys()).isEmpty();
  }

  static Stream<Arguments> proposals() {
    return Stream.of(
        Arguments.of("tribuo_lr.onnx", "1", OnnxFixtures.TRIBUO_LR),
        Arguments.of("single_score.onnx", "1", OnnxFixtures.SINGLE_SCORE),
        Arguments.of("skl_zipmap_int.onnx", "1", OnnxFixtures.SKL_ZIPMAP_INT),
        Arguments.of("skl_zipmap_string.onnx", "fraud", OnnxFixtures.SKL_ZIPMAP_STRING),
        Arguments.of("skl_tensor.onnx", "1", OnnxFixtures.SKL_TENSOR),
        Arguments.of("skl_tensor_reversed.onnx", "1", OnnxFixtures.SKL_TENSOR_REVERSED),
        Arguments.of("double_output.onnx", "fraud", OnnxFixtures.DOUBLE_OUTPUT));
  }

  /**
   * The proposal equals the hand-written signature of the fixture, passes the validator and scores
   * like numpy.
   */
  @ParameterizedTest(name = "{0} positive {1}")
  @MethodSource("proposals")
  void proposesTheSignatureThatScoresLikeNumpy(String file, String positiveClass, Fixture fixture)
      throws Exception {
    ModelSignature proposed =
        OnnxModelInspector.proposeSignature(bytes(file), FEATURES, positiveClass);

    assertThat(proposed).isEqualTo(fixture.signature());
    ModelVersion version = OnnxFixtures.version(bytes(file), proposed).build();
    new OnnxModelValidator().validate(version);
    Expected expected = expected();
    double[] scores = new double[16];
    try (OnnxScorer scorer = OnnxScorer.open(version)) {
      scorer.score(OnnxFixtures.flatten(expected.rows(), 0, 16), 16, scores);
    }
    assertThat(scores).containsExactly(Arrays.copyOf(expected.positive(), 16), within(1e-6));
  }

  @Test
  void aTwoColumnTensorWithoutLabelsTakesColumnOneAsPositive() throws Exception {
    ModelSignature proposed =
        OnnxModelInspector.proposeSignature(bytes("tribuo_lr.onnx"), FEATURES, "fraud");
    assertThat(proposed.getOutput()).isEqualTo(OutputConvention.PROBABILITY_TENSOR);
    assertThat(proposed.getPositiveIndex()).isEqualTo(1);
    assertThat(proposed.getPositiveClass()).isEqualTo("1");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("two_inputs.onnx", FEATURES, "1", "the model has 2 inputs"),
        Arguments.of("int64_input.onnx", FEATURES, "1", "input input int64[-1,4] is not a float"),
        Arguments.of(
            "two_float_outputs.onnx",
            FEATURES,
            "1",
            "two or more candidate probability outputs [probabilities float[-1,2], scores"
                + " float[-1,2]]"),
        Arguments.of("label_only.onnx", FEATURES, "1", "no probability-like output"),
        Arguments.of(
            "tribuo_lr.onnx",
            FEATURES.subList(0, 3),
            "1",
            "input input float[-1,4] has 4 columns but 3 feature names were given"),
        Arguments.of(
            "skl_zipmap_string.onnx",
            FEATURES,
            "1",
            "positive class '1' is not a key of output output_probability"
                + " seq(map(string,float)) (keys [legit, fraud])"),
        Arguments.of(
            "skl_zipmap_int.onnx",
            FEATURES,
            "fraud",
            "positive class 'fraud' is not an integer, but the keys of output"
                + " output_probability seq(map(int64,float)) are int64"),
        Arguments.of(
            "skl_tensor_reversed.onnx",
            FEATURES,
            "2",
            "positive class '2' is not one of the class labels [1, 0]"));
  }

  @ParameterizedTest(name = "{0} positive {2}")
  @MethodSource("refusals")
  void refusesWhatTheScorerCannotScore(
      String file, List<String> features, String positiveClass, String message) {
    assertThatThrownBy(
            () -> OnnxModelInspector.proposeSignature(bytes(file), features, positiveClass))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining(message);
  }

  @Test
  void refusesBytesThatAreNotAnOnnxModel() {
    byte[] valid = bytes("tribuo_lr.onnx");
    byte[] truncated = Arrays.copyOf(valid, valid.length / 2);
    assertThatThrownBy(() -> OnnxModelInspector.inspect(truncated))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageStartingWith("not a loadable ONNX model (" + truncated.length + " bytes): ")
        .hasCauseInstanceOf(ai.onnxruntime.OrtException.class);
  }

  private static Expected expected() {
    return OnnxFixtures.expected();
  }
}

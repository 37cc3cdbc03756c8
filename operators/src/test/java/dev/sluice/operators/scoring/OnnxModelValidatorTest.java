package dev.sluice.operators.scoring;

import static dev.sluice.operators.scoring.OnnxFixtures.NAN_LOG;
import static dev.sluice.operators.scoring.OnnxFixtures.RAW_MARGIN;
import static dev.sluice.operators.scoring.OnnxFixtures.SKL_ZIPMAP_INT;
import static dev.sluice.operators.scoring.OnnxFixtures.SKL_ZIPMAP_STRING;
import static dev.sluice.operators.scoring.OnnxFixtures.TRIBUO_LR;
import static dev.sluice.operators.scoring.OnnxFixtures.bytes;
import static dev.sluice.operators.scoring.OnnxFixtures.signature;
import static dev.sluice.operators.scoring.OnnxFixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.operators.scoring.OnnxFixtures.Fixture;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.RegistryState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link OnnxModelValidator}: accepts every supported fixture, refuses each kind of mistake. */
class OnnxModelValidatorTest {
  private final OnnxModelValidator validator = new OnnxModelValidator();

  static Stream<Fixture> supported() {
    return OnnxFixtures.SUPPORTED.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("supported")
  void acceptsEverySupportedConvention(Fixture fixture) {
    assertThatCode(() -> validator.validate(version(fixture).build())).doesNotThrowAnyException();
  }

  @Test
  void acceptsAnEmptySha256AndStandardization() {
    ModelVersion version =
        version(TRIBUO_LR)
            .setSha256("")
            .setPreprocessing(
                OnnxFixtures.standardize(new double[] {1, 2, 3, 4}, new double[] {1, -2, 0.5, 9}))
            .build();
    assertThatCode(() -> validator.validate(version)).doesNotThrowAnyException();
  }

  @Test
  void refusesBytesThatAreNotAnOnnxModel() {
    byte[] valid = bytes(TRIBUO_LR.file());
    byte[] truncated = Arrays.copyOf(valid, valid.length - 20);
    ModelVersion version =
        version(truncated, TRIBUO_LR.signature())
            .setSha256(RegistryState.sha256(ByteBuffer.wrap(truncated)))
            .build();
    assertRefused(version, "not a loadable ONNX model (" + truncated.length + " bytes): ");
  }

  @Test
  void refusesASha256ThatDoesNotMatchTheBytes() {
    String wrong = "0".repeat(64);
    assertRefused(
        version(TRIBUO_LR).setSha256(wrong).build(),
        "sha256: the record says "
            + wrong
            + ", the onnx bytes hash to "
            + RegistryState.sha256(ByteBuffer.wrap(bytes(TRIBUO_LR.file()))));
  }

  @Test
  void refusesAThresholdOutsideTheUnitInterval() {
    assertRefused(version(TRIBUO_LR).setThreshold(1.5).build(), "threshold: 1.5 is outside [0, 1]");
    assertRefused(
        version(TRIBUO_LR).setThreshold(Double.NaN).build(), "threshold: NaN is outside [0, 1]");
  }

  @Test
  void refusesASignatureWithAnotherWidth() {
    ModelSignature threeFeatures =
        ModelSignature.newBuilder(TRIBUO_LR.signature())
            .setFeatures(List.of("a", "b", "c"))
            .build();
    assertRefused(
        version(bytes(TRIBUO_LR.file()), threeFeatures).build(),
        "signature: 3 features, but input 'input' float[-1,4] has 4 columns");
  }

  @Test
  void refusesAnUnknownInputName() {
    ModelSignature signature =
        signature("features", OutputConvention.PROBABILITY_TENSOR, "output", "1", 1);
    assertRefused(
        version(bytes(TRIBUO_LR.file()), signature).build(),
        "signature: inputName 'features' is not an input of the graph (inputs: input"
            + " float[-1,4])");
  }

  @Test
  void refusesAnUnknownOutput() {
    ModelSignature signature =
        signature("input", OutputConvention.PROBABILITY_TENSOR, "probabilities", "1", 1);
    assertRefused(
        version(bytes(TRIBUO_LR.file()), signature).build(),
        "signature: probabilityOutput 'probabilities' is not an output of the graph (outputs:"
            + " output float[-1,2])");
  }

  @Test
  void refusesAPositiveIndexOutsideTheColumns() {
    ModelSignature signature =
        signature("input", OutputConvention.PROBABILITY_TENSOR, "output", "2", 2);
    assertRefused(
        version(bytes(TRIBUO_LR.file()), signature).build(),
        "signature: positiveIndex 2 is outside the 2 columns of output 'output' float[-1,2]");
  }

  @Test
  void refusesAConventionTheOutputsDoNotHave() {
    ModelSignature mapOnTensor =
        signature("input", OutputConvention.LABEL_AND_PROBABILITY_MAP, "output", "1", -1);
    assertRefused(
        version(bytes(TRIBUO_LR.file()), mapOnTensor).build(),
        "signature: output convention LABEL_AND_PROBABILITY_MAP needs an int64 or string label"
            + " output besides 'output'");
    ModelSignature tensorOnMap =
        signature(
            "input", OutputConvention.LABEL_AND_PROBABILITY_TENSOR, "output_probability", "1", 1);
    assertRefused(
        version(bytes(SKL_ZIPMAP_INT.file()), tensorOnMap).build(),
        "reads a float or double tensor from 'output_probability', the graph declares"
            + " seq(map(int64,float))");
  }

  @Test
  void refusesAPositiveClassThatIsNotAKeyOfTheMap() {
    ModelSignature intKeys =
        ModelSignature.newBuilder(SKL_ZIPMAP_INT.signature()).setPositiveClass("7").build();
    assertRefused(
        version(bytes(SKL_ZIPMAP_INT.file()), intKeys).build(),
        "signature: positiveClass '7' is not a key of output 'output_probability' (keys [0, 1])");
    ModelSignature notAnInteger =
        ModelSignature.newBuilder(SKL_ZIPMAP_INT.signature()).setPositiveClass("fraud").build();
    assertRefused(
        version(bytes(SKL_ZIPMAP_INT.file()), notAnInteger).build(),
        "signature: positiveClass 'fraud' is not an integer");
    ModelSignature stringKeys =
        ModelSignature.newBuilder(SKL_ZIPMAP_STRING.signature()).setPositiveClass("Fraud").build();
    assertRefused(
        version(bytes(SKL_ZIPMAP_STRING.file()), stringKeys).build(),
        "signature: positiveClass 'Fraud' is not a key of output 'output_probability' (keys"
            + " [legit, fraud])");
  }

  @Test
  void refusesUnsupportedGraphs() {
    assertRefused(
        version(bytes("two_inputs.onnx"), TRIBUO_LR.signature()).build(), "graph: has 2 inputs (");
    assertRefused(
        version(bytes("int64_input.onnx"), TRIBUO_LR.signature()).build(),
        "graph: input 'input' is int64[-1,4]; the scorer feeds float[batch, features]");
  }

  @Test
  void refusesMalformedPreprocessing() {
    assertRefused(
        version(TRIBUO_LR)
            .setPreprocessing(
                Preprocessing.newBuilder()
                    .setKind(PreprocessingKind.NONE)
                    .setShift(List.of(1.0, 2.0, 3.0, 4.0))
                    .build())
            .build(),
        "preprocessing: kind NONE must have empty shift and scale; got 4 shift and 0 scale values");
    assertRefused(
        version(TRIBUO_LR)
            .setPreprocessing(
                OnnxFixtures.standardize(new double[] {0, 0, 0}, new double[] {1, 1, 1}))
            .build(),
        "preprocessing: STANDARDIZE needs one shift and one scale per feature (4); got 3 shift"
            + " and 3 scale values");
    assertRefused(
        version(TRIBUO_LR)
            .setPreprocessing(
                OnnxFixtures.standardize(new double[] {0, 0, 0, 0}, new double[] {1, 1, 0, 1}))
            .build(),
        "preprocessing: scale[2] is 0.0; it must be finite and non-zero");
    assertRefused(
        version(TRIBUO_LR)
            .setPreprocessing(
                OnnxFixtures.standardize(
                    new double[] {0, 0, 0, 0}, new double[] {1, Double.NaN, 1, 1}))
            .build(),
        "preprocessing: scale[1] is NaN; it must be finite and non-zero");
    assertRefused(
        version(TRIBUO_LR)
            .setPreprocessing(
                OnnxFixtures.standardize(
                    new double[] {0, 0, 0, Double.POSITIVE_INFINITY}, new double[] {1, 1, 1, 1}))
            .build(),
        "preprocessing: shift[3] is Infinity; it must be finite");
  }

  @Test
  void refusesAModelWhoseSmokeBatchScoresNan() {
    assertRefused(version(NAN_LOG).build(), "smoke batch of 64 rows (seeded spread): row ", "NaN");
  }

  @Test
  void refusesAModelWhoseSmokeBatchScoresOutsideTheUnitInterval() {
    assertRefused(version(RAW_MARGIN).build(), "smoke batch of 64 rows", "outside [0, 1]");
  }

  /** nan_log is fine on positive inputs: with a positive-valued profile, the smoke batch passes. */
  @Test
  void buildsTheSmokeBatchFromTheProfileQuantiles() throws Exception {
    List<Double> quantiles = new ArrayList<>();
    for (int q = 0; q <= 100; q++) {
      quantiles.add(0.5 + q * 0.05);
    }
    ModelVersion version = version(NAN_LOG).setProfile(OnnxFixtures.profile(quantiles)).build();
    assertThatCode(() -> validator.validate(version)).doesNotThrowAnyException();

    float[] batch = OnnxModelValidator.smokeBatch(version, new double[][] {null, null});
    assertThat(batch).hasSize(64 * 4);
    // Feature j of row i is quantile (37 i + 11 j) mod 101.
    assertThat(batch[1 * 4 + 2]).isEqualTo((float) (0.5 + ((37 + 22) % 101) * 0.05));
    assertThat(batch[63 * 4 + 3]).isEqualTo((float) (0.5 + ((37 * 63 + 33) % 101) * 0.05));
  }

  private void assertRefused(ModelVersion version, String... messageParts) {
    assertThatThrownBy(() -> validator.validate(version))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContainingAll(messageParts);
  }
}

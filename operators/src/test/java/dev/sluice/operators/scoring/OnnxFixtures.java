package dev.sluice.operators.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.avro.models.ReferenceProfile;
import dev.sluice.state.models.RegistryState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ONNX fixtures of {@code src/test/resources/onnx} (written by {@code generate_fixtures.py})
 * with the signature each is meant to be scored with, and the numpy expectations of {@code
 * expected.json}.
 */
final class OnnxFixtures {
  static final List<String> FEATURES = List.of("amount_z", "tx_count_1d", "terminal_risk", "hour");

  /**
   * A fixture file and the signature it is scored with; every supported one encodes the same
   * logistic regression, so {@link Expected#positive} holds for all of them.
   */
  record Fixture(String file, ModelSignature signature) {
    @Override
    public String toString() {
      return file;
    }
  }

  static final Fixture TRIBUO_LR =
      fixture("tribuo_lr.onnx", "input", OutputConvention.PROBABILITY_TENSOR, "output", "1", 1);
  static final Fixture SINGLE_SCORE =
      fixture("single_score.onnx", "input", OutputConvention.PROBABILITY_TENSOR, "score", "1", -1);
  static final Fixture SKL_ZIPMAP_INT =
      fixture(
          "skl_zipmap_int.onnx",
          "input",
          OutputConvention.LABEL_AND_PROBABILITY_MAP,
          "output_probability",
          "1",
          -1);
  static final Fixture SKL_ZIPMAP_STRING =
      fixture(
          "skl_zipmap_string.onnx",
          "input",
          OutputConvention.LABEL_AND_PROBABILITY_MAP,
          "output_probability",
          "fraud",
          -1);
  static final Fixture SKL_TENSOR =
      fixture(
          "skl_tensor.onnx",
          "input",
          OutputConvention.LABEL_AND_PROBABILITY_TENSOR,
          "probabilities",
          "1",
          1);

  /** Class labels [1, 0]: the positive class "1" is column 0. */
  static final Fixture SKL_TENSOR_REVERSED =
      fixture(
          "skl_tensor_reversed.onnx",
          "input",
          OutputConvention.LABEL_AND_PROBABILITY_TENSOR,
          "output_probability",
          "0",
          0);

  static final Fixture DOUBLE_OUTPUT =
      fixture("double_output.onnx", "input", OutputConvention.PROBABILITY_TENSOR, "output", "1", 1);

  /** sigmoid(log(x) . w + b): NaN for rows with a negative feature. */
  static final Fixture NAN_LOG =
      fixture("nan_log.onnx", "input", OutputConvention.PROBABILITY_TENSOR, "score", "1", -1);

  /** The margin x . w + b, not a probability. */
  static final Fixture RAW_MARGIN =
      fixture("raw_margin.onnx", "input", OutputConvention.PROBABILITY_TENSOR, "margin", "1", -1);

  static final String TWO_FLOAT_OUTPUTS = "two_float_outputs.onnx";
  static final String INT64_INPUT = "int64_input.onnx";
  static final String TWO_INPUTS = "two_inputs.onnx";
  static final String LABEL_ONLY = "label_only.onnx";
  static final String TRIBUO_LR_15 = "tribuo_lr_15.onnx";

  /** Every fixture that encodes the shared logistic regression in a supported convention. */
  static final List<Fixture> SUPPORTED =
      List.of(
          TRIBUO_LR,
          SINGLE_SCORE,
          SKL_ZIPMAP_INT,
          SKL_ZIPMAP_STRING,
          SKL_TENSOR,
          SKL_TENSOR_REVERSED,
          DOUBLE_OUTPUT);

  private static Expected expected;

  private OnnxFixtures() {}

  static Fixture fixture(
      String file,
      String input,
      OutputConvention convention,
      String probabilityOutput,
      String positiveClass,
      int positiveIndex) {
    return new Fixture(
        file, signature(input, convention, probabilityOutput, positiveClass, positiveIndex));
  }

  static ModelSignature signature(
      String input,
      OutputConvention convention,
      String probabilityOutput,
      String positiveClass,
      int positiveIndex) {
    return ModelSignature.newBuilder()
        .setInputName(input)
        .setFeatures(FEATURES)
        .setOutput(convention)
        .setProbabilityOutput(probabilityOutput)
        .setPositiveClass(positiveClass)
        .setPositiveIndex(positiveIndex)
        .build();
  }

  static byte[] bytes(String file) {
    try (InputStream in = OnnxFixtures.class.getResourceAsStream("/onnx/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /onnx/" + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final Preprocessing NO_PREPROCESSING =
      Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build();

  /** A version of the fixture with no preprocessing, threshold 0.5 and a correct sha256. */
  static ModelVersion.Builder version(Fixture fixture) {
    return version(bytes(fixture.file()), fixture.signature());
  }

  static ModelVersion.Builder version(byte[] onnx, ModelSignature signature) {
    return ModelVersion.newBuilder()
        .setName("fraud")
        .setVersion(3)
        .setOnnx(ByteBuffer.wrap(onnx))
        .setSha256(RegistryState.sha256(ByteBuffer.wrap(onnx)))
        .setSignature(signature)
        .setPreprocessing(NO_PREPROCESSING)
        .setThreshold(0.5)
        .setRegisteredAt(Instant.parse("2024-06-11T08:00:00Z"))
        .setRegisteredBy("test@localhost");
  }

  static Preprocessing standardize(double[] shift, double[] scale) {
    return Preprocessing.newBuilder()
        .setKind(PreprocessingKind.STANDARDIZE)
        .setShift(boxed(shift))
        .setScale(boxed(scale))
        .build();
  }

  /** A reference profile whose every feature has the given 101 quantiles. */
  static ReferenceProfile profile(List<Double> quantiles) {
    List<DistributionProfile> features = new ArrayList<>();
    for (String name : FEATURES) {
      features.add(
          DistributionProfile.newBuilder()
              .setName(name)
              .setKind(DistributionKind.NUMERIC)
              .setCount(1000)
              .setMean(quantiles.get(50))
              .setStd(1.0)
              .setMin(quantiles.get(0))
              .setMax(quantiles.get(quantiles.size() - 1))
              .setQuantiles(quantiles)
              .setCategories(Map.of())
              .build());
    }
    return ReferenceProfile.newBuilder()
        .setSource("test")
        .setRows(1000)
        .setFeatures(features)
        .build();
  }

  static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>();
    for (double value : values) {
      list.add(value);
    }
    return list;
  }

  /** Rows {@code from .. from + count - 1} of {@code rows}, row-major. */
  static float[] flatten(float[][] rows, int from, int count) {
    int width = rows[0].length;
    float[] values = new float[count * width];
    for (int r = 0; r < count; r++) {
      System.arraycopy(rows[from + r], 0, values, r * width, width);
    }
    return values;
  }

  /** The numpy side of {@code expected.json}. */
  record Expected(
      float[][] rows,
      double[] positive,
      double[] shift,
      double[] scale,
      double[] standardizedPositive,
      float[][] nanLogRows,
      double[] nanLogPositive,
      double[] margin) {}

  static synchronized Expected expected() {
    if (expected == null) {
      try (InputStream in = OnnxFixtures.class.getResourceAsStream("/onnx/expected.json")) {
        JsonNode json = new ObjectMapper().readTree(in);
        expected =
            new Expected(
                floatRows(json.get("rows")),
                doubles(json.get("positive")),
                doubles(json.at("/standardize/shift")),
                doubles(json.at("/standardize/scale")),
                doubles(json.at("/standardize/positive")),
                floatRows(json.at("/nanLog/rows")),
                doubles(json.at("/nanLog/positive")),
                doubles(json.get("margin")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return expected;
  }

  /** Rows as numpy fed them: the decimal rounded to double, then to float32. */
  private static float[][] floatRows(JsonNode rows) {
    float[][] values = new float[rows.size()][];
    for (int r = 0; r < rows.size(); r++) {
      JsonNode row = rows.get(r);
      values[r] = new float[row.size()];
      for (int c = 0; c < row.size(); c++) {
        values[r][c] = (float) row.get(c).asDouble();
      }
    }
    return values;
  }

  private static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < array.size(); i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }
}

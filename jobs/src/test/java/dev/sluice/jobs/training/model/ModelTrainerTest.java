package dev.sluice.jobs.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.training.SimulatedTrainingData;
import dev.sluice.jobs.training.TrainingSet;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.operators.evaluation.BinaryMetrics;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole training path on a small simulated history: simulate, backfill on the MiniCluster,
 * build the handbook's split, train each model kind, evaluate, profile and export. The exported
 * ONNX is run through ONNX Runtime with the candidate's own preprocessing and column order, and
 * must give Tribuo's probabilities.
 */
class ModelTrainerTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  /**
   * 300 customers and 600 terminals for the handbook split plus 37 days of history (58 days, about
   * 34,000 transactions; about 4,000 train and 2,300 test rows, a tenth of them fraud).
   */
  private static final int CUSTOMERS = 300;

  private static final int TERMINALS = 600;
  private static final long SEED = 7;

  /**
   * What logistic regression must earn on that data: it reaches about 0.80 (random scores 0.47 to
   * 0.53), so a broken pipeline (shuffled columns, unstandardised inputs, a label mix-up) fails it.
   */
  private static final double MIN_AUC = 0.75;

  private static TrainingSet set;
  private static TrainingContext context;
  private static final Map<ModelKind, TrainedModel> TRAINED = new EnumMap<>(ModelKind.class);

  @BeforeAll
  static void simulateBackfillAndTrain(@TempDir Path dir) throws Exception {
    TrainingSplit split = TrainingSplit.HANDBOOK;
    set =
        SimulatedTrainingData.build(
                SimulatedTrainingData.config(split, CUSTOMERS, TERMINALS, 0, null),
                split,
                FraudFeatures.TerminalRisk.AS_KNOWN,
                dir,
                2,
                line -> {})
            .trainingSet();
    context =
        TrainingContext.of(
            FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN),
            "test",
            "simulation",
            "test");
    for (ModelKind kind : ModelKind.values()) {
      TRAINED.put(kind, ModelTrainer.train(set, kind, SEED, context));
    }
  }

  @Test
  void logisticRegressionClearlyBeatsRandomScores() {
    TrainedModel model = TRAINED.get(ModelKind.LOGISTIC_REGRESSION);
    double random = HandbookTable.randomScores(set, SEED).get(ModelTrainer.AUC_ROC);
    assertThat(model.metric(ModelTrainer.AUC_ROC)).isGreaterThan(MIN_AUC);
    assertThat(random).isBetween(0.4, 0.6);
    assertThat(model.metric(ModelTrainer.AVERAGE_PRECISION))
        .isGreaterThan(2 * fraudRate(TrainingSet.Split.TEST));
  }

  @ParameterizedTest
  @EnumSource(ModelKind.class)
  void everyMetricIsComputedOnTheTestSplit(ModelKind kind) {
    TrainedModel model = TRAINED.get(kind);
    assertThat(model.metrics())
        .containsOnlyKeys(
            ModelTrainer.AUC_ROC,
            ModelTrainer.AVERAGE_PRECISION,
            ModelTrainer.CARD_PRECISION_AT_100,
            ModelTrainer.LOG_LOSS,
            ModelTrainer.BRIER,
            ModelTrainer.PRECISION,
            ModelTrainer.RECALL,
            ModelTrainer.F1);
    assertThat(model.metrics().values()).allMatch(v -> v >= 0 && v <= 1 || v > 1 && v < 10);
    // Recomputed independently of the trainer from the export check's Tribuo scores.
    List<TrainingSet.Row> test = set.rows(TrainingSet.Split.TEST);
    boolean[] labels = new boolean[test.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = test.get(i).fraud();
    }
    assertThat(model.metric(ModelTrainer.AUC_ROC))
        .isEqualTo(BinaryMetrics.rocAuc(model.exportCheck().expectedScores(), labels));
  }

  @ParameterizedTest
  @EnumSource(ModelKind.class)
  void onnxRuntimeGivesTribuosProbabilitiesWithTheCandidatesPreprocessing(ModelKind kind)
      throws Exception {
    TrainedModel model = TRAINED.get(kind);
    ModelVersion candidate = model.candidate("fraud", "", Instant.EPOCH, "test");
    TrainedModel.ExportCheck check = model.exportCheck();
    int columns = candidate.getSignature().getFeatures().size();
    assertThat(check.columns()).isEqualTo(columns);
    assertThat(check.rows()).isEqualTo(set.rows(TrainingSet.Split.TEST).size());

    // Scored the way the production scorer will: raw values, then the candidate's shift / scale.
    float[] input = check.rawValues();
    List<Double> shift = candidate.getPreprocessing().getShift();
    List<Double> scale = candidate.getPreprocessing().getScale();
    for (int i = 0; i < input.length; i++) {
      int c = i % columns;
      input[i] = (float) ((input[i] - shift.get(c)) / scale.get(c));
    }
    byte[] onnx = new byte[candidate.getOnnx().remaining()];
    candidate.getOnnx().duplicate().get(onnx);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    double maxDiff = 0;
    try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
        OnnxTensor tensor =
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(input), new long[] {check.rows(), columns});
        OrtSession.Result result =
            session.run(Map.of(candidate.getSignature().getInputName(), tensor))) {
      float[][] probabilities =
          (float[][])
              result.get(candidate.getSignature().getProbabilityOutput()).orElseThrow().getValue();
      int positive = candidate.getSignature().getPositiveIndex();
      double[] expected = check.expectedScores();
      for (int r = 0; r < check.rows(); r++) {
        maxDiff = Math.max(maxDiff, Math.abs(probabilities[r][positive] - expected[r]));
      }
    }
    assertThat(maxDiff).isLessThan(1e-5);
  }

  @ParameterizedTest
  @EnumSource(ModelKind.class)
  void theExportCheckPassesTheCandidateAndCatchesAWrongPreprocessing(ModelKind kind)
      throws Exception {
    TrainedModel model = TRAINED.get(kind);
    ModelVersion candidate = model.candidate("fraud", "test", Instant.EPOCH, "test");
    assertThat(ExportVerification.verify(model, candidate, OnnxScorer.FACTORY))
        .isLessThan(ExportVerification.TOLERANCE);

    // The same graph fed unstandardised values: the check must notice.
    ModelVersion unstandardised =
        ModelVersion.newBuilder(candidate)
            .setPreprocessing(Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
            .build();
    assertThatThrownBy(() -> ExportVerification.verify(model, unstandardised, OnnxScorer.FACTORY))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("export check: test row");
  }

  @Test
  void columnsFollowTribuosFeatureMapNotTheTrainingSetOrder() {
    TrainedModel model = TRAINED.get(ModelKind.LOGISTIC_REGRESSION);
    List<String> signature = model.signature().getFeatures();
    List<String> sorted = new ArrayList<>(set.featureNames());
    sorted.sort(null);
    assertThat(signature).isEqualTo(sorted).isNotEqualTo(set.featureNames());
    // Preprocessing, profile and export check are all in that order: TX_AMOUNT's mean is the
    // training mean of the TX_AMOUNT column wherever it sits.
    int inSet = set.featureNames().indexOf("TX_AMOUNT");
    int inSignature = signature.indexOf("TX_AMOUNT");
    double mean =
        set.rows(TrainingSet.Split.TRAIN).stream()
            .mapToDouble(r -> r.example().feature(inSet))
            .average()
            .orElseThrow();
    assertThat(model.preprocessing().getKind()).isEqualTo(PreprocessingKind.STANDARDIZE);
    assertThat(model.preprocessing().getShift().get(inSignature)).isCloseTo(mean, within(1e-9));
    assertThat(model.profile().getFeatures().get(inSignature).getMean())
        .isCloseTo(mean, within(1e-9));
    assertThat(model.exportCheck().row(0)[inSignature])
        .isEqualTo((float) set.rows(TrainingSet.Split.TEST).get(0).example().feature(inSet));
  }

  @Test
  void signatureLineageAndCandidate() {
    TrainedModel model = TRAINED.get(ModelKind.LOGISTIC_REGRESSION);
    assertThat(model.signature().getInputName()).isEqualTo("input");
    assertThat(model.signature().getProbabilityOutput()).isEqualTo("output");
    assertThat(model.signature().getOutput()).isEqualTo(OutputConvention.PROBABILITY_TENSOR);
    assertThat(model.signature().getPositiveClass())
        .isEqualTo(Integer.toString(model.signature().getPositiveIndex()));
    assertThat(model.signature().getFeatureSetVersion()).isEqualTo(context.featureSetVersion());
    assertThat(model.signature().getViewVersions())
        .containsOnlyKeys("transaction", "customer_spending", "terminal_risk");
    assertThat(model.threshold()).isEqualTo(0.5);

    TrainingSet.Summary summary = set.summary();
    assertThat(model.lineage().getSeed()).isEqualTo(SEED);
    assertThat(model.lineage().getTrainStart()).isEqualTo("2018-07-25");
    assertThat(model.lineage().getTrainEnd()).isEqualTo("2018-07-31");
    assertThat(model.lineage().getTestStart()).isEqualTo("2018-08-08");
    assertThat(model.lineage().getTestEnd()).isEqualTo("2018-08-14");
    assertThat(model.lineage().getTrainRows()).isEqualTo(summary.trainRows());
    assertThat(model.lineage().getTrainPositives()).isEqualTo(summary.trainFrauds());
    assertThat(model.lineage().getTestRows()).isEqualTo(summary.testRows());
    assertThat(model.lineage().getTestPositives()).isEqualTo(summary.testFrauds());
    assertThat(model.lineage().getParameters()).containsKeys("optimiser", "epochs");

    ModelVersion candidate = model.candidate("fraud", "d", Instant.EPOCH, "me@host");
    assertThat(candidate.getVersion()).isZero();
    assertThat(candidate.getSha256()).isEmpty();
    assertThat(candidate.getOnnx().remaining()).isEqualTo(model.onnx().length);
    assertThat(candidate.getMetrics()).isEqualTo(model.metrics());
    assertThat(
            model
                .candidateWithoutBytes("fraud", "d", Instant.EPOCH, "me@host")
                .getOnnx()
                .remaining())
        .isZero();
  }

  @Test
  void profileOfTheTrainSplit() {
    TrainedModel model = TRAINED.get(ModelKind.LOGISTIC_REGRESSION);
    long trainRows = set.summary().trainRows();
    assertThat(model.profile().getRows()).isEqualTo(trainRows);
    assertThat(model.profile().getFeatures())
        .extracting(DistributionProfile::getName)
        .isEqualTo(model.signature().getFeatures());
    for (DistributionProfile p : model.profile().getFeatures()) {
      assertThat(p.getCount()).as(p.getName()).isEqualTo(trainRows);
      if (p.getKind() == DistributionKind.NUMERIC) {
        assertThat(p.getQuantiles()).as(p.getName()).hasSize(101);
        assertThat(p.getBinCounts().stream().mapToLong(Long::longValue).sum()).isEqualTo(trainRows);
        assertThat(p.getBinEdges()).hasSize(p.getBinCounts().size() + 1);
      } else {
        assertThat(p.getCategories().values().stream().mapToLong(Long::longValue).sum())
            .isEqualTo(trainRows);
      }
    }
    assertThat(profile(model, "TX_DURING_WEEKEND").getKind())
        .isEqualTo(DistributionKind.CATEGORICAL);
    assertThat(profile(model, "TX_AMOUNT").getKind()).isEqualTo(DistributionKind.NUMERIC);
    assertThat(model.profile().getPrediction().getKind()).isEqualTo(DistributionKind.NUMERIC);
    assertThat(model.profile().getPrediction().getMin()).isGreaterThanOrEqualTo(0);
    assertThat(model.profile().getPrediction().getMax()).isLessThanOrEqualTo(1);
    assertThat(model.profile().getLabel().getCategories())
        .containsEntry("1", set.summary().trainFrauds())
        .containsEntry("0", trainRows - set.summary().trainFrauds());
  }

  @Test
  void theSameSeedGivesTheSameBytesAnotherSeedAnotherModel() {
    TrainedModel first = TRAINED.get(ModelKind.LOGISTIC_REGRESSION);
    TrainedModel again = ModelTrainer.train(set, ModelKind.LOGISTIC_REGRESSION, SEED, context);
    assertThat(again.onnx()).isEqualTo(first.onnx());
    assertThat(again).isEqualTo(first);
    TrainedModel other = ModelTrainer.train(set, ModelKind.LOGISTIC_REGRESSION, SEED + 1, context);
    assertThat(other.onnx()).isNotEqualTo(first.onnx());
  }

  @Test
  void unusableTrainingSetsAreRejected() {
    TrainingSet noTest =
        new TrainingSet(set.featureNames(), set.rows(TrainingSet.Split.TRAIN), set.summary());
    assertThatThrownBy(() -> ModelTrainer.train(noTest, ModelKind.LOGISTIC_REGRESSION, 0, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 test rows");
    TrainingContext otherFeatures =
        new TrainingContext(List.of("TX_AMOUNT"), "v", Map.of(), "test", "simulation", "test");
    assertThatThrownBy(
            () -> ModelTrainer.train(set, ModelKind.LOGISTIC_REGRESSION, 0, otherFeatures))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("differ from the feature set's");
  }

  private static DistributionProfile profile(TrainedModel model, String name) {
    return model.profile().getFeatures().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static double fraudRate(TrainingSet.Split split) {
    List<TrainingSet.Row> rows = set.rows(split);
    return rows.stream().filter(TrainingSet.Row::fraud).count() / (double) rows.size();
  }
}

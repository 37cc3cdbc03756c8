package dev.sluice.cli;

import static dev.sluice.state.models.ModelFixtures.FRAUD;
import static dev.sluice.state.models.ModelFixtures.candidate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelValidator;
import dev.sluice.state.models.RegistryState;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice model ...} against a real broker and registry, on a registry (topic) per test
 * holding fraud versions 1 and 2 and churn version 1.
 */
class ModelCommandITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private String topic;
  private CliRun cli;

  @BeforeEach
  void registerModels(TestInfo test) throws Exception {
    topic = "cli-" + test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    try (KafkaModelRegistry registry = registry()) {
      registry.register(candidate(FRAUD, "fraud 1"));
      registry.register(candidate(FRAUD, "fraud 2"));
      registry.register(candidate("churn", "churn 1"));
    }
  }

  private KafkaModelRegistry registry() throws Exception {
    return KafkaModelRegistry.open(
        new ModelRegistryLog(
            SERVICES.kafka().bootstrapServers(),
            RegistryConfig.of(SERVICES.registry().url()),
            topic),
        ModelValidator.ACCEPT_ALL);
  }

  private RegistryState state() throws Exception {
    try (KafkaModelRegistry registry = registry()) {
      return registry.read();
    }
  }

  /** Runs {@code sluice model args...} against this test's registry. */
  private int model(String... args) {
    List<String> all = new ArrayList<>(List.of("model"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers",
            SERVICES.kafka().bootstrapServers(),
            "--registry-url",
            SERVICES.registry().url(),
            "--registry-topic",
            topic));
    cli = new CliRun();
    return cli.run(all.toArray(String[]::new));
  }

  @Test
  void listShowsModelsThenAModelsVersions() {
    assertThat(model("promote", FRAUD, "1")).isZero();

    assertThat(model("list")).isZero();
    assertThat(cli.out())
        .containsPattern("churn\\s+1\\s")
        .containsPattern("fraud\\s+2\\s.*champion=1");

    assertThat(model("list", FRAUD)).isZero();
    String[] lines = cli.out().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).contains("VERSION", "ALIASES", "TRAINER", "AUC_ROC", "AVERAGE_PRECISION");
    assertThat(lines[1])
        .startsWith("1 ")
        .contains("champion", "2026-01-15T10:00:00Z", "tester@test", "tribuo LogisticRegression")
        .contains("0.8700", "0.6100");
    assertThat(lines[2]).startsWith("2 ").doesNotContain("champion");
  }

  @Test
  void showPicksTheChampionElseTheLatestOrWhatTheSelectorNames() throws Exception {
    assertThat(model("show", FRAUD)).isZero();
    assertThat(cli.out()).contains("model:           fraud:2").contains("aliases:         -");

    assertThat(model("promote", FRAUD, "1", "--reason", "baseline")).isZero();
    assertThat(model("show", FRAUD)).isZero();
    String shown = cli.out();
    assertThat(shown)
        .contains("model:           fraud:1")
        .contains("aliases:         champion")
        .contains("sha256:          " + state().version(FRAUD, 1).orElseThrow().getSha256())
        .contains("size:            7 B")
        .contains(
            "LABEL_AND_PROBABILITY_TENSOR, probabilities in 'probabilities', positive class 1")
        .contains("threshold:       0.5")
        .contains("preprocessing:   standardize")
        .contains("tx_amount")
        .contains("trainer:       tribuo LogisticRegression")
        .contains("auc_roc:       0.8700")
        .contains("profile:         none recorded");

    assertThat(model("show", FRAUD + ":2")).isZero();
    assertThat(cli.out()).contains("model:           fraud:2");
    assertThat(model("show", FRAUD + "@champion")).isZero();
    assertThat(cli.out()).contains("model:           fraud:1");
  }

  @Test
  void registerTakesAnExportersFileAfterValidationAndRefusesABadOne(@TempDir Path dir)
      throws Exception {
    Path zipMap = dir.resolve("skl.onnx");
    Files.write(zipMap, fixture("skl_zipmap_int.onnx"));
    assertThat(
            model(
                "register",
                FRAUD,
                "--onnx",
                zipMap.toString(),
                "--features",
                "f0,f1,f2,f3",
                "--any-feature-set",
                "--promote",
                "challenger"))
        .isZero();
    assertThat(cli.out())
        .contains("registered fraud v3 (LABEL_AND_PROBABILITY_MAP")
        .contains("challenger of fraud: - -> 3");
    ModelVersion registered = state().version(FRAUD, 3).orElseThrow();
    assertThat(registered.getSignature().getFeatures()).containsExactly("f0", "f1", "f2", "f3");
    assertThat(registered.getSignature().getFeatureSetVersion()).isNull();

    Path corrupt = dir.resolve("corrupt.onnx");
    Files.write(corrupt, Arrays.copyOf(fixture("tribuo_lr.onnx"), 50));
    assertThat(model("register", FRAUD, "--onnx", corrupt.toString(), "--features", "f0,f1,f2,f3"))
        .isEqualTo(1);
    assertThat(cli.err()).contains("corrupt.onnx", "not a loadable ONNX model");
    Path narrow = dir.resolve("narrow.onnx");
    Files.write(narrow, fixture("tribuo_lr.onnx"));
    assertThat(model("register", FRAUD, "--onnx", narrow.toString())).isEqualTo(1);
    assertThat(cli.err()).contains("narrow.onnx", "4 columns", "15 feature names");
    assertThat(state().versions(FRAUD)).as("nothing written").hasSize(3);
  }

  @Test
  void trainRegistersTheCheckedModelWithLineageMetricsAndProfileAndPromotesIt() throws Exception {
    assertThat(
            model(
                "train",
                "--simulate",
                "--customers",
                "150",
                "--terminals",
                "300",
                "--simulate-from",
                "2018-07-01",
                "--register",
                "--promote",
                "champion"))
        .isZero();
    RegistryState state = state();
    assertThat(state.aliases(FRAUD)).containsEntry("champion", 3);
    ModelVersion trained = state.version(FRAUD, 3).orElseThrow();
    assertThat(trained.getLineage().getTrainer()).containsIgnoringCase("logistic");
    assertThat(trained.getLineage().getTrainStart()).isEqualTo("2018-07-25");
    assertThat(trained.getMetrics()).containsKeys("auc_roc", "average_precision");
    assertThat(trained.getProfile().getFeatures()).hasSize(15);
    assertThat(trained.getPreprocessing().getKind()).isEqualTo(PreprocessingKind.STANDARDIZE);
    assertThat(trained.getSignature().getFeatureSetVersion())
        .isEqualTo(FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN).version());
  }

  private static byte[] fixture(String name) throws Exception {
    try (var in = ModelCommandITCase.class.getResourceAsStream("/onnx/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void promoteRollbackDemoteMoveTheAliasesAndHistoryShowsThem() throws Exception {
    assertThat(model("promote", FRAUD, "1")).isZero();
    assertThat(cli.out()).contains("champion of fraud: - -> 1 (promote, change 1)");
    assertThat(model("promote", FRAUD, "2", "--reason", "better auc")).isZero();
    assertThat(model("rollback", FRAUD, "--reason", "alerts")).isZero();
    assertThat(cli.out()).contains("champion of fraud: 2 -> 1 (rollback, change 3)");
    assertThat(model("promote", FRAUD, "2", "--alias", "challenger")).isZero();
    assertThat(model("demote", FRAUD, "--alias", "challenger")).isZero();
    assertThat(cli.out()).contains("challenger of fraud: 2 -> - (demote, change 5)");

    assertThat(state().aliases(FRAUD)).isEqualTo(Map.of("champion", 1));
    assertThat(model("history", FRAUD)).isZero();
    String[] lines = cli.out().split("\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[2]).contains("promote", "champion", "1->2", "better auc");
    assertThat(lines[3]).contains("rollback", "champion", "2->1", "alerts");
    assertThat(lines[5]).contains("demote", "challenger", "2->-");
  }

  @Test
  void unknownModelsVersionsAndAliasesAreNamedWithExitCodeOne() {
    assertThat(model("show", "nope")).isEqualTo(1);
    assertThat(cli.err())
        .contains("sluice model show: unknown model 'nope' (models: churn, fraud)");

    assertThat(model("show", "fraud:9")).isEqualTo(1);
    assertThat(cli.err()).contains("unknown version 9 of fraud (versions: 1, 2)");

    assertThat(model("promote", FRAUD, "9")).isEqualTo(1);
    assertThat(cli.err())
        .contains("sluice model promote: unknown version 9 of fraud (versions: 1, 2)");

    assertThat(model("show", "fraud@champion")).isEqualTo(1);
    assertThat(cli.err()).contains("alias 'champion' of fraud is not set (aliases: none)");

    assertThat(model("rollback", FRAUD)).isEqualTo(1);
    assertThat(cli.err()).contains("champion of fraud is not set and has no earlier target");

    assertThat(model("demote", FRAUD, "--alias", "challenger")).isEqualTo(1);
    assertThat(cli.err()).contains("cannot demote challenger of fraud: it is not set");

    assertThat(model("list", "Fraud")).isEqualTo(1);
    assertThat(cli.err()).contains("model name 'Fraud' is not valid");
  }

  @Test
  void aMissingRegistryTopicIsNamedAndNotCreated() {
    topic = "no-such-registry";

    assertThat(model("list")).isEqualTo(1);

    assertThat(cli.err())
        .contains("no model registry topic 'no-such-registry'")
        .contains("sluice topics create");
    assertThat(model("list")).as("still missing").isEqualTo(1);
  }
}

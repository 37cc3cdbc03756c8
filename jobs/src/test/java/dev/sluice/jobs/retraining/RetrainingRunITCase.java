package dev.sluice.jobs.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.TrainingLineage;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.jobs.training.LabelledHistoryJob;
import dev.sluice.jobs.training.SimulatedTrainingData;
import dev.sluice.jobs.training.TrainingSet;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.jobs.training.model.ModelKind;
import dev.sluice.jobs.training.model.ModelTrainer;
import dev.sluice.jobs.training.model.TrainedModel;
import dev.sluice.jobs.training.model.TrainingContext;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.RegistryState;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retraining run for real: a simulated store whose fraud pattern changes (night-time card testing
 * from day 30), read by the BATCH job with labels as known at the trigger, trained, compared with a
 * champion trained before the change on the same holdout, and registered in a registry on a real
 * broker with its lineage.
 */
class RetrainingRunITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final String MODEL = "fraud";
  private static final Instant START = Instant.parse("2018-04-01T00:00:00Z");
  private static final FeatureSet<?> FEATURES =
      FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);

  private static OfflineStoreLayout store;
  private static ModelRegistryLog registryLog;

  @BeforeAll
  static void simulateAndRegisterAChampionFromBeforeTheChange(@TempDir Path dir) throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder()
            .customers(400)
            .terminals(800)
            .days(46)
            .start(START)
            .seed(3)
            .nightFraudDrift(new SimulatorConfig.NightFraudDrift(30, 15))
            .build();
    // Champion: trained on days 16-22, tested on 23-26, before the change.
    TrainingSplit before = new TrainingSplit(LocalDate.of(2018, 4, 17), 7, 0, 4);
    TrainingSet set =
        SimulatedTrainingData.build(
                config, before, FraudFeatures.TerminalRisk.AS_KNOWN, dir, 2, line -> {})
            .trainingSet();
    store = new OfflineStoreLayout(dir.resolve("offline").toUri().toString());
    TrainedModel champion = ModelTrainer.train(set, ModelKind.LOGISTIC_REGRESSION, 0, context());
    registryLog =
        new ModelRegistryLog(
            SERVICES.kafka().bootstrapServers(),
            RegistryConfig.of(SERVICES.registry().url()),
            "retraining-run-models");
    try (KafkaModelRegistry registry = registry()) {
      ModelVersion v1 =
          registry.register(champion.candidate(MODEL, "before the change", Instant.now(), "test"));
      registry.promote(MODEL, v1.getVersion(), RegistryState.CHAMPION, "test");
    }
  }

  private static KafkaModelRegistry registry() throws Exception {
    return KafkaModelRegistry.open(registryLog, new OnnxModelValidator());
  }

  private static TrainingContext context() {
    return TrainingContext.of(FEATURES, "test", "simulation", "test");
  }

  private static RetrainingRun.Context runContext(KafkaModelRegistry registry) {
    return new RetrainingRun.Context(
        (from, to, knownBy) ->
            LabelledHistoryJob.collect(store, FEATURES, from, to, knownBy, 2).examples().stream()
                .map(e -> new RetrainingRun.Labelled(e.example(), e.fraud()))
                .toList(),
        context(),
        List.of(ModelKind.values()),
        0,
        registry,
        OnnxScorer.FACTORY,
        "auc_roc",
        Clock.systemUTC(),
        "test");
  }

  /** Triggered on day 44: 14 days ending on day 43, the last 3 days' holdout. */
  private static RunSpec spec(String runId, long minRows) {
    RetrainingPolicy policy =
        RetrainingPolicy.DEFAULTS.toBuilder().minLabelledRows(minRows).build();
    return RunSpec.of(
        runId,
        MODEL,
        RetrainingTrigger.ALERT,
        "alert a-1 (error-rate-rise, errors/page_hinkley)",
        START.plus(Duration.ofDays(44)),
        policy,
        1);
  }

  @Test
  void aRunAfterTheChangeTrainsABetterModelAndRegistersItWithItsLineage() throws Exception {
    List<String> progress = new ArrayList<>();
    RunResult result;
    try (KafkaModelRegistry registry = registry()) {
      result =
          RetrainingRun.execute(spec("fraud-run-1", 1_000), runContext(registry), progress::add);
    }
    assertThat(result).as("progress %s", progress).isInstanceOf(RunResult.Succeeded.class);
    RunResult.Succeeded s = (RunResult.Succeeded) result;
    // The champion learnt the fraud before night-time card testing; the new model has seen it.
    assertThat(s.candidate().get("auc_roc")).isGreaterThan(s.champion().get("auc_roc") + 0.05);
    assertThat(Long.parseLong(s.details().get("train_rows"))).isGreaterThan(5_000);
    assertThat(Long.parseLong(s.details().get("holdout_frauds"))).isPositive();

    try (KafkaModelRegistry registry = registry()) {
      ModelVersion registered = registry.read().version(MODEL, s.version()).orElseThrow();
      TrainingLineage lineage = registered.getLineage();
      assertThat(lineage.getTrigger()).contains("ALERT").contains("a-1").contains("fraud-run-1");
      assertThat(lineage.getTrainStart()).isEqualTo("2018-04-30");
      assertThat(lineage.getTrainEnd()).isEqualTo("2018-05-13");
      assertThat(lineage.getTestStart()).isEqualTo("2018-05-11");
      assertThat(lineage.getParameters())
          .containsEntry("labels_known_by", "2018-05-15T00:00:00Z")
          .containsKey("holdout");
      assertThat(registered.getMetrics())
          .containsEntry("auc_roc", s.candidate().get("auc_roc"))
          .containsEntry("champion.auc_roc", s.champion().get("auc_roc"));
      // The run does not move aliases: promotion is the controller's decision.
      assertThat(registry.read().resolve(MODEL, RegistryState.CHAMPION).orElseThrow().getVersion())
          .isEqualTo(1);
    }
  }

  @Test
  void theHoldoutsCardsAreNotTrainedOnAndOnlyLabelsKnownAtTheTriggerCount() throws Exception {
    RunSpec spec = spec("fraud-run-x", 1_000);
    var all =
        LabelledHistoryJob.collect(
            store, FEATURES, spec.windowStart(), spec.windowEnd(), spec.asOf(), 2);
    assertThat(all.examples()).allMatch(e -> e.labelKnownAt() <= spec.asOf().toEpochMilli());
    assertThat(all.labelsNotYetKnown()).isPositive();
    List<RetrainingRun.Labelled> rows =
        all.examples().stream()
            .map(e -> new RetrainingRun.Labelled(e.example(), e.fraud()))
            .toList();
    RetrainingRun.Split split = RetrainingRun.split(spec, rows, FEATURES.featureNames());
    Set<String> holdoutCards = new HashSet<>();
    for (TrainingSet.Row r : split.set().rows(TrainingSet.Split.TEST)) {
      holdoutCards.add(r.example().customerId());
      assertThat(r.example().eventTime())
          .isGreaterThanOrEqualTo(spec.holdoutStart().toEpochMilli());
    }
    long holdoutDayTrainRows = 0;
    for (TrainingSet.Row r : split.set().rows(TrainingSet.Split.TRAIN)) {
      if (r.example().eventTime() >= spec.holdoutStart().toEpochMilli()) {
        holdoutDayTrainRows++;
        assertThat(holdoutCards).doesNotContain(r.example().customerId());
      }
    }
    assertThat(holdoutDayTrainRows).isPositive();
    double share = split.holdoutRows() / (double) (split.holdoutRows() + holdoutDayTrainRows);
    assertThat(share).isBetween(0.2, 0.4);
    assertThat(split.trainRows() + split.holdoutRows()).isEqualTo(rows.size());
    assertThat(LocalDate.ofInstant(spec.windowEnd(), ZoneOffset.UTC)).isEqualTo("2018-05-14");
  }

  @Test
  void tooLittleLabelledDataRegistersNothing() throws Exception {
    RunResult result;
    int before;
    try (KafkaModelRegistry registry = registry()) {
      before = registry.read().versions(MODEL).size();
      result =
          RetrainingRun.execute(spec("fraud-run-2", 10_000_000), runContext(registry), l -> {});
    }
    assertThat(result).isInstanceOf(RunResult.NotEnoughData.class);
    assertThat(((RunResult.NotEnoughData) result).reason())
        .contains("too little labelled data")
        .contains("10,000,000");
    try (KafkaModelRegistry registry = registry()) {
      assertThat(registry.read().versions(MODEL)).hasSize(before);
    }
  }
}

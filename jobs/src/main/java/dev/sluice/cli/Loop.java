package dev.sluice.cli;

import dev.sluice.jobs.Topics;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.retraining.RetrainingController;
import dev.sluice.jobs.retraining.RetrainingPolicy;
import dev.sluice.jobs.retraining.RetrainingRun;
import dev.sluice.jobs.training.LabelledHistoryJob;
import dev.sluice.jobs.training.model.ModelKind;
import dev.sluice.jobs.training.model.TrainingContext;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * The closed loop wired to real services: a {@link RetrainingController} for one model whose runs
 * read the offline store with a Flink BATCH job, train every {@link ModelKind}, and register in the
 * Kafka model registry. Closing it stops the controller and closes its registries.
 */
final class Loop implements AutoCloseable {
  private final RetrainingController controller;
  private final KafkaModelRegistry aliases;
  private final KafkaModelRegistry registrations;

  private Loop(
      RetrainingController controller,
      KafkaModelRegistry aliases,
      KafkaModelRegistry registrations) {
    this.controller = controller;
    this.aliases = aliases;
    this.registrations = registrations;
  }

  /**
   * Starts the controller for {@code model} on a daemon thread.
   *
   * @param offlineStore where the feature job writes (the runs read their windows from it)
   * @param parallelism of each run's BATCH job
   */
  static Loop start(
      ConnectionOptions connection,
      RetrainingController.Topics topics,
      String model,
      RetrainingPolicy policy,
      OfflineStoreLayout offlineStore,
      int parallelism,
      RetrainingController.StartFrom startFrom,
      Consumer<String> log)
      throws IOException {
    ModelRegistryLog registryLog = ModelRegistryLog.of(connection.kafka(), connection.registry());
    KafkaModelRegistry aliases =
        KafkaModelRegistry.open(
            registryLog,
            new OnnxModelValidator(),
            KafkaModelRegistry.IfMissing.CREATE,
            "retraining-controller@" + ModelRegistryLog.currentActor());
    KafkaModelRegistry registrations =
        KafkaModelRegistry.open(
            registryLog,
            new OnnxModelValidator(),
            KafkaModelRegistry.IfMissing.CREATE,
            "retraining-run@" + ModelRegistryLog.currentActor());
    FeatureSet<?> features = FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);
    RetrainingRun.Context context =
        new RetrainingRun.Context(
            (from, to, knownBy) ->
                LabelledHistoryJob.collect(offlineStore, features, from, to, knownBy, parallelism)
                    .examples()
                    .stream()
                    .map(e -> new RetrainingRun.Labelled(e.example(), e.fraud()))
                    .toList(),
            TrainingContext.of(
                features,
                TrainCommand.codeVersion(),
                "offline store " + offlineStore.baseUri() + ", terminal risk AS_KNOWN",
                "retraining"),
            List.of(ModelKind.values()),
            0,
            registrations,
            OnnxScorer.FACTORY,
            policy.gateMetric(),
            Clock.systemUTC(),
            "retraining-run@" + ModelRegistryLog.currentActor());
    RetrainingController controller =
        new RetrainingController(
            connection.kafka(),
            connection.registry(),
            topics,
            model,
            policy,
            aliases,
            spec -> RetrainingRun.execute(spec, context, log),
            startFrom,
            log);
    controller.start();
    return new Loop(controller, aliases, registrations);
  }

  /** The platform's alert, metrics and retraining topics. */
  static RetrainingController.Topics platformTopics() {
    return new RetrainingController.Topics(
        Topics.ALERTS.name(), Topics.MODEL_METRICS.name(), Topics.RETRAINING.name());
  }

  RetrainingController controller() {
    return controller;
  }

  @Override
  public void close() {
    controller.close();
    aliases.close();
    registrations.close();
  }
}

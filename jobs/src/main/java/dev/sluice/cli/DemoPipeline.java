package dev.sluice.cli;

import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.RedisService;
import dev.sluice.jobs.FeatureJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.IngestJob;
import dev.sluice.jobs.IngestRules;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.jobs.PlatformJob;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.Pacer;
import dev.sluice.simulator.ProgressReporter;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.online.RedisSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The demo's one job (ingest, features, scoring and monitoring of one model) and its simulator, as
 * the demo and the closed-loop benchmark run them. {@link Names} keeps runs apart: the demo uses
 * the platform's topics, the benchmark its own prefixed set.
 */
final class DemoPipeline {
  private DemoPipeline() {}

  /** Topic and consumer-group names of one run; the empty prefix gives the platform's own. */
  record Names(String prefix) {
    Names {
      Objects.requireNonNull(prefix, "prefix");
    }

    static final Names PLATFORM = new Names("");

    String topic(Topics.Spec spec) {
      return prefix.isEmpty() ? spec.name() : prefix + "-" + spec.name();
    }

    String group(String base) {
      return prefix.isEmpty() ? base : base + "-" + prefix;
    }

    /** Creates the run's topics ({@link #specs}) on the local broker. */
    void createTopics() throws Exception {
      try (Admin admin = admin()) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topics.Spec s : specs()) {
          topics.add(new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.configs()));
        }
        admin.createTopics(topics).all().get();
      }
    }

    /** Deletes the run's topics from the local broker. */
    void deleteTopics() throws Exception {
      try (Admin admin = admin()) {
        admin.deleteTopics(specs().stream().map(Topics.Spec::name).toList()).all().get();
      }
    }

    private static Admin admin() {
      return Admin.create(
          java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaService.BOOTSTRAP));
    }

    /** The run's topics (the model registry is shared: model names keep runs apart). */
    List<Topics.Spec> specs() {
      List<Topics.Spec> specs = new ArrayList<>();
      for (Topics.Spec s : Topics.ALL) {
        if (s == Topics.MODEL_REGISTRY) {
          continue;
        }
        specs.add(
            new Topics.Spec(
                topic(s),
                s.partitions(),
                s.retention(),
                s.description(),
                s.compacted(),
                s.extraConfigs()));
      }
      return specs;
    }
  }

  /**
   * The demo's platform job: ingest from {@code names}' transactions and labels, features into
   * Redis and {@code offlineStore}, scoring with {@code model}'s registry champion and challenger,
   * monitoring judged from {@code monitorFrom}.
   */
  static PlatformJob.Config config(
      Names names, String model, String offlineStore, Instant monitorFrom) {
    return config(
        names,
        model,
        offlineStore,
        monitorFrom,
        Duration.ofSeconds(5),
        RedisSettings.standalone("127.0.0.1", RedisService.PORT));
  }

  /**
   * As above, checkpointing every {@code checkpointInterval}, the online store in {@code redis}.
   */
  static PlatformJob.Config config(
      Names names,
      String model,
      String offlineStore,
      Instant monitorFrom,
      Duration checkpointInterval,
      RedisSettings redis) {
    RegistryConfig registry = ConnectionOptions.local().registry();
    JobOptions jobOptions = new JobOptions();
    jobOptions.checkpointInterval = checkpointInterval;
    jobOptions.maxRestarts = 10;
    // EARLIEST: on the first run, nothing the simulator sends before the job is up is skipped;
    // later runs resume from the group's committed offsets.
    IngestJob.Config config =
        new IngestJob.Config(
            KafkaService.BOOTSTRAP,
            registry,
            names.topic(Topics.TRANSACTIONS),
            names.topic(Topics.LABELS),
            names.topic(Topics.VALID_TRANSACTIONS),
            names.topic(Topics.VALID_LABELS),
            names.topic(Topics.DEAD_LETTERS),
            names.group("sluice-ingest"),
            KafkaConnectors.StartFrom.EARLIEST,
            IngestJob.Timing.DEFAULTS,
            IngestRules.Settings.DEFAULTS,
            jobOptions.checkpoints());
    FeatureJob.Config features =
        new FeatureJob.Config(
            KafkaService.BOOTSTRAP,
            registry,
            names.topic(Topics.VALID_TRANSACTIONS),
            names.topic(Topics.VALID_LABELS),
            names.topic(Topics.FEATURE_ROWS),
            names.topic(Topics.DEAD_LETTERS),
            names.group("sluice-features"),
            KafkaConnectors.StartFrom.EARLIEST,
            FeatureJob.Timing.DEFAULTS,
            FraudFeatures.TerminalRisk.AS_KNOWN,
            redis,
            offlineStore,
            true,
            false,
            config.checkpoints());
    return new PlatformJob.Config(
        config,
        features,
        new ScoringWorkflow.Config(
            KafkaService.BOOTSTRAP,
            registry,
            ModelRegistryLog.DEFAULT_TOPIC,
            names.topic(Topics.PREDICTIONS),
            names.topic(Topics.DEAD_LETTERS),
            names.group("sluice-scoring"),
            ScoringSettings.defaults(model)),
        DemoCommand.monitoring(
            KafkaService.BOOTSTRAP,
            registry,
            names.topic(Topics.MODEL_METRICS),
            names.topic(Topics.DRIFT),
            names.topic(Topics.ALERTS),
            names.group("sluice-monitoring"),
            model,
            monitorFrom));
  }

  /** Starts {@link #config}'s job in this JVM (MiniCluster, web UI on {@code webUiPort}). */
  static JobClient start(
      Names names,
      String model,
      String offlineStore,
      Instant monitorFrom,
      int webUiPort,
      String jobName)
      throws Exception {
    PlatformJob.Config config = config(names, model, offlineStore, monitorFrom);
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(FlinkEnvironments.Mode.LOCAL, config.checkpoints(), webUiPort);
    // One job graph for all, so the demo has one job to watch and to stop.
    return PlatformJob.start(env, config, OnnxScorer.FACTORY, jobName);
  }

  /**
   * Sends {@code simulation} to {@code names}' transactions and labels topics on a daemon thread:
   * the first {@code catchUpDays} days at {@code catchUpRate} events/s, then at {@code rate}.
   *
   * @param summary receives the simulator's summary when it ends
   */
  static Thread simulate(
      Names names,
      SimulatorConfig simulation,
      int catchUpDays,
      double catchUpRate,
      double rate,
      BooleanSupplier stopping,
      AtomicReference<SimulationSummary> summary) {
    Instant catchUpUntil = simulation.start().plus(Duration.ofDays(catchUpDays));
    RegistryConfig registry = ConnectionOptions.local().registry();
    Thread simulator =
        new Thread(
            () -> {
              try (KafkaEventSink sink =
                  new KafkaEventSink(
                      KafkaService.BOOTSTRAP,
                      registry,
                      names.topic(Topics.TRANSACTIONS),
                      names.topic(Topics.LABELS),
                      Duration.ofSeconds(10))) {
                SimulationSummary result =
                    SimulationRunner.run(
                        new Simulation(simulation),
                        sink,
                        Pacer.catchUp(catchUpUntil.toEpochMilli(), catchUpRate, Pacer.atRate(rate)),
                        ProgressReporter.silent(),
                        stopping);
                summary.set(result);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                System.err.println("sluice: the simulator stopped: " + e.getMessage());
              }
            },
            "sluice-simulator");
    simulator.setDaemon(true);
    simulator.start();
    return simulator;
  }
}

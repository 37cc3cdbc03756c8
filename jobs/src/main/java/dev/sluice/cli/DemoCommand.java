package dev.sluice.cli;

import dev.sluice.avro.Transaction;
import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.infra.RegistryService;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.monitoring.MonitoringWorkflow;
import dev.sluice.jobs.retraining.RetrainingController;
import dev.sluice.jobs.retraining.RetrainingPolicy;
import dev.sluice.operators.monitoring.DriftSettings;
import dev.sluice.operators.monitoring.alarms.AlarmRules;
import dev.sluice.operators.monitoring.detectors.ErrorStreamSettings;
import dev.sluice.operators.monitoring.evaluation.EvaluationSettings;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the README's run command. Starts the local infrastructure (idempotent),
 * creates the topics, runs the ingest job in this JVM with the Flink web UI, feeds it the
 * handbook's simulated traffic at a modest rate plus a bad record every few seconds, and prints
 * where to look. Ctrl-C (or {@code sluice infra down}, which stops the demo first) ends it cleanly.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start Kafka, the registry and Redis, train and register a first model if there is none, then",
      "run ingest, features and scoring as one job (web UI on 127.0.0.1:8081) fed by the fraud",
      "simulator and a few bad records, until Ctrl-C or 'bin/sluice infra down'. Features go to Redis",
      "and Parquet (var/data/offline), predictions to the 'predictions' topic."
    })
final class DemoCommand implements Callable<Integer> {
  /** Pid file of a running demo, so that {@code infra down} can stop it first. */
  static final String PID_NAME = "demo";

  @Option(
      names = "--rate",
      defaultValue = "100",
      description = "Simulated events per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--customers",
      defaultValue = "5000",
      description = "Simulated customers (default: ${DEFAULT-VALUE}, the handbook's).")
  int customers;

  @Option(
      names = "--terminals",
      defaultValue = "10000",
      description = "Simulated terminals (default: ${DEFAULT-VALUE}, the handbook's).")
  int terminals;

  @Option(
      names = "--bad-record-every",
      converter = DurationConverter.class,
      defaultValue = "5s",
      description =
          "Send one bad record this often, to show the dead-letter path (0s: never; default: ${DEFAULT-VALUE}).")
  Duration badRecordEvery;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "Flink web UI port (default: ${DEFAULT-VALUE}).")
  int webUiPort;

  @Option(
      names = "--model",
      defaultValue = "fraud",
      description =
          "Registered model the demo scores with; trained and registered first if it has no champion (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--catch-up-days",
      defaultValue = "37",
      description =
          "Send the first DAYS simulated days at --catch-up-rate, then pace at --rate: drift is judged once the features' 37-day history is full (default: ${DEFAULT-VALUE}; 0: pace from the start).")
  int catchUpDays;

  /**
   * Below what the demo's job takes on two cores (about 1,700 events/s with ingest, features,
   * scoring and monitoring): sent faster, a backlog builds up, the two ingest tasks drift apart by
   * hours of simulated time, and the features drop the older one's transactions as late (8% of the
   * first 37 days when sent unthrottled).
   */
  @Option(
      names = "--catch-up-rate",
      defaultValue = "1000",
      description =
          "Events per second while catching up (default: ${DEFAULT-VALUE}, about 12 minutes for 37 days; faster than the job takes them, transactions arrive out of order and are dropped as late).")
  double catchUpRate;

  @Mixin DriftScenarioOptions drift;

  @Option(
      names = "--story",
      description =
          "Play the closed loop's whole story in about 10 minutes: a smaller population (1,000"
              + " customers, 2,000 terminals), its own first models and offline store (model"
              + " 'story-<date>'), night-time card testing on 20 cards a day and bigger spending from"
              + " day 40, then alarms, a retraining run, a challenger in shadow, its promotion and"
              + " the recovery. Options given explicitly win over the preset's.")
  boolean story;

  @Option(
      names = "--no-loop",
      description =
          "Do not run the retraining controller (by default it runs in the demo: alarms with"
              + " retrain=true start retraining runs).")
  boolean noLoop;

  @Option(
      names = "--offline-store",
      paramLabel = "DIR",
      description =
          "Offline store the features go to and retraining runs read (default: var/data/offline;"
              + " --story: var/data/story/<model>/offline).")
  String offlineStore;

  @Mixin RetrainingOptions retraining;
  @Mixin PreflightOptions preflight;

  static final String JOB_NAME = "sluice demo: ingest + features + scoring + monitoring";

  @Spec CommandSpec spec;

  /** The preset of {@code --story}, for every option not given on the command line. */
  private void applyStory() {
    var given = spec.commandLine().getParseResult();
    if (!given.hasMatchedOption("--customers")) {
      customers = 1000;
    }
    if (!given.hasMatchedOption("--terminals")) {
      terminals = 2000;
    }
    if (!given.hasMatchedOption("--rate")) {
      rate = 300;
    }
    if (!given.hasMatchedOption("--catch-up-rate")) {
      catchUpRate = 1200;
    }
    if (!given.hasMatchedOption("--model")) {
      model =
          "story-"
              + java.time.format.DateTimeFormatter.ofPattern("MMdd-HHmm")
                  .withZone(java.time.ZoneOffset.UTC)
                  .format(Instant.now());
    }
    if (!drift.any()) {
      drift.nightFraudDay = 40;
      drift.nightFraudCards = 20;
      drift.spendingDay = 40;
    }
    if (offlineStore == null) {
      offlineStore =
          Project.home()
              .resolve("var/data/story")
              .resolve(model)
              .resolve("offline")
              .toUri()
              .toString();
    }
  }

  @Override
  public Integer call() throws Exception {
    if (story) {
      applyStory();
    }
    RetrainingPolicy policy = RetrainCommand.policy(spec, retraining);
    try {
      ModelRegistryLog.requireName("--model", model);
    } catch (RuntimeException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (catchUpDays < 0) {
      throw new ParameterException(
          spec.commandLine(), "--catch-up-days must be >= 0, got " + catchUpDays);
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new ParameterException(spec.commandLine(), "--rate must be > 0, got " + rate);
    }
    if (!(catchUpRate > 0) || Double.isInfinite(catchUpRate)) {
      throw new ParameterException(
          spec.commandLine(), "--catch-up-rate must be > 0, got " + catchUpRate);
    }
    SimulatorConfig simulation;
    try {
      simulation =
          drift.apply(SimulatorConfig.builder()).customers(customers).terminals(terminals).build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    LocalInfra infra =
        new LocalInfra(Project.layout(null), Project.console(), LocalInfra.allServices());
    infra.up();
    TopicsCommand.createAll(KafkaService.BOOTSTRAP, Project.console());
    Path pidFile = Project.layout(null).pidFile(PID_NAME);
    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");

    RegistryConfig registry = RegistryConfig.of(RegistryService.URL);
    preflight.run(
        new Preflight()
            .kafka(
                dev.sluice.state.KafkaClientSettings.of(KafkaService.BOOTSTRAP),
                dev.sluice.jobs.Topics.ALL.stream()
                    .collect(
                        java.util.stream.Collectors.toMap(
                            t -> "topic " + t.name(), dev.sluice.jobs.Topics.Spec::name)))
            .registry(registry)
            .redis(
                dev.sluice.state.online.RedisSettings.standalone(
                    "127.0.0.1", dev.sluice.cli.infra.RedisService.PORT),
                "the local Redis (bin/sluice infra status)")
            .offlineStore(
                offlineStore != null ? offlineStore : JobCommand.defaultOfflineStore(),
                "--offline-store"));
    FirstModels.ensure(ConnectionOptions.local(), model, "demo", customers, terminals);
    String offline = offlineStore != null ? offlineStore : JobCommand.defaultOfflineStore();
    Transaction first = firstTransaction(simulation);
    // Drift is judged once the features' longest windows (30 days, plus the 7-day delay of the
    // terminal features) are full: before that, every count is low by construction.
    Instant monitorFrom = first.getEventTime().plus(Duration.ofDays(37));
    JobClient job =
        DemoPipeline.start(
            DemoPipeline.Names.PLATFORM, model, offline, monitorFrom, webUiPort, JOB_NAME);
    Loop loop =
        noLoop
            ? null
            : Loop.start(
                ConnectionOptions.local(),
                Loop.platformTopics(),
                model,
                policy,
                new OfflineStoreLayout(offline),
                2,
                RetrainingController.StartFrom.NOW,
                line -> System.out.println("loop: " + line));

    AtomicBoolean stopping = new AtomicBoolean();
    DemoGarbage garbage =
        new DemoGarbage(
            KafkaService.BOOTSTRAP, registry, "transactions", badRecordEvery.toMillis());
    if (!badRecordEvery.isZero()) {
      Thread thread = new Thread(garbage, "sluice-demo-bad-records");
      thread.setDaemon(true);
      thread.start();
    }
    Thread simulator =
        DemoPipeline.simulate(
            DemoPipeline.Names.PLATFORM,
            simulation,
            catchUpDays,
            catchUpRate,
            rate,
            stopping::get,
            new AtomicReference<>());

    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  garbage.stop();
                  if (loop != null) {
                    loop.close();
                  }
                  try {
                    simulator.join(10_000);
                    job.cancel().get(20, java.util.concurrent.TimeUnit.SECONDS);
                    Files.deleteIfExists(pidFile);
                  } catch (Exception e) {
                    // Already finished or the cluster is gone: nothing left to stop.
                  }
                  System.out.println(
                      "sluice demo stopped (services keep running: bin/sluice infra down)");
                },
                "sluice-demo-stop"));

    System.out.printf(
        "%nsluice demo is running (Ctrl-C stops it; 'bin/sluice infra down' stops it and the services)%n");
    System.out.printf(
        "  Flink web UI        http://127.0.0.1:%d  (job '%s'; rule counters: a validator vertex > Metrics > rule.*)%n",
        webUiPort, JOB_NAME);
    System.out.printf(
        "  simulated traffic   %s, then %.0f events/s (%d customers, %d terminals) into 'transactions' and 'labels'%n",
        catchUpDays == 0
            ? "from " + simulation.start()
            : String.format(
                "days 0-%d (from %s) at %.0f events/s",
                catchUpDays - 1, simulation.start(), catchUpRate),
        rate,
        customers,
        terminals);
    System.out.printf(
        "  drift scenario      %s%n",
        drift.any()
            ? drift.describe()
            : "none (add e.g. --drift-night-fraud-day 45 or --drift-spending-day 45)");
    System.out.printf(
        "  closed loop         %s%n",
        noLoop
            ? "off (--no-loop)"
            : "retraining controller for '"
                + model
                + "': alarms with retrain=true start runs; steps on 'retraining', 'loop:' lines below;"
                + " bin/sluice retrain status --model "
                + model);
    System.out.printf(
        "  report              bin/sluice report --model %s   (HTML: online metrics, drift, alarms, promotions on one time axis)%n",
        model);
    System.out.printf(
        "  bad records         one every %s into 'transactions' (json, negative amount, future, empty, no key)%n",
        DurationConverter.format(badRecordEvery));
    System.out.printf(
        "  accepted            bin/sluice topics tail valid-transactions   |   bin/sluice topics tail valid-labels%n");
    System.out.printf("  dead letters        bin/sluice topics tail dead-letters%n");
    System.out.printf(
        "  predictions         bin/sluice topics tail predictions   (one decision per transaction, plus the challenger's shadow score)%n");
    System.out.printf(
        "  online evaluation   bin/sluice topics tail model-metrics   (per model version and day: provisional, final once labels are in)%n");
    System.out.printf(
        "  drift and alarms    bin/sluice topics tail drift   |   bin/sluice topics tail alerts   (judged from %s, once the features' 37-day history is full)%n",
        monitorFrom);
    System.out.printf(
        "  models              bin/sluice model list %s   |   bin/sluice model show %s%n",
        model, model);
    System.out.printf(
        "  switch live         bin/sluice model promote %s VERSION   (then: bin/sluice model rollback %s)%n",
        model, model);
    System.out.printf(
        "  feature rows        bin/sluice topics tail feature-rows   (one per transaction, as of it)%n");
    System.out.printf(
        "  online store        bin/sluice features get --entity customer=%s --entity terminal=%s%n",
        first.getCustomerId(), first.getTerminalId());
    System.out.printf(
        "                      (simulated time is 2018: values read now are EXPIRED; add --as-of 2018-04-15T00:00:00Z)%n");
    System.out.printf(
        "  offline store       %s/features  (Parquet, files finished at each checkpoint; retraining runs read it)%n",
        offline);
    System.out.printf(
        "  labels arrive days after their transactions in simulated time; a day's metrics are FINAL 7 simulated days after it%n%n");
    job.getJobExecutionResult().get();
    return 0;
  }

  /**
   * Monitoring as the demo (and the monitoring benchmark) run it: default evaluation, detectors and
   * rules; drift against {@code model}'s champion from {@code monitorFrom}, calendar features left
   * out.
   */
  static MonitoringWorkflow.Config monitoring(
      String bootstrapServers,
      RegistryConfig registry,
      String metricsTopic,
      String driftTopic,
      String alertTopic,
      String transactionalIdPrefix,
      String model,
      Instant monitorFrom) {
    return monitoring(
        KafkaClientSettings.of(bootstrapServers),
        registry,
        metricsTopic,
        driftTopic,
        alertTopic,
        transactionalIdPrefix,
        model,
        monitorFrom);
  }

  /** The demo's monitoring, with the Kafka client properties of {@code kafka}. */
  static MonitoringWorkflow.Config monitoring(
      KafkaClientSettings kafka,
      RegistryConfig registry,
      String metricsTopic,
      String driftTopic,
      String alertTopic,
      String transactionalIdPrefix,
      String model,
      Instant monitorFrom) {
    return new MonitoringWorkflow.Config(
        kafka.bootstrapServers(),
        registry,
        metricsTopic,
        driftTopic,
        alertTopic,
        transactionalIdPrefix,
        EvaluationSettings.DEFAULTS,
        DriftSettings.defaults(model)
            .withMonitorFrom(monitorFrom)
            .withIgnored(FraudFeatures.CALENDAR_FEATURES),
        ErrorStreamSettings.DEFAULTS,
        AlarmRules.parse(MonitoringWorkflow.DEFAULT_RULES),
        kafka);
  }

  /** The simulation's first transaction: its customer and terminal are the first in the store. */
  private static Transaction firstTransaction(SimulatorConfig config) {
    Simulation simulation = new Simulation(config);
    while (simulation.hasNext()) {
      if (simulation.next() instanceof SimulatedEvent.TransactionEvent tx) {
        return tx.transaction();
      }
    }
    throw new IllegalStateException("the simulation produced no transaction");
  }
}

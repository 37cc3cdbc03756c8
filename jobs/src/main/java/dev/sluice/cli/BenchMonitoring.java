package dev.sluice.cli;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.cli.report.TopicReader;
import dev.sluice.jobs.BackfillJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.features.FeatureWorkflow;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.monitoring.MonitoringWorkflow;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.features.FeaturePipeline;
import dev.sluice.operators.monitoring.alarms.AlarmRule;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.models.ModelRegistryLog;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench monitoring}: what monitoring costs and what it sees. Simulates days of the
 * handbook's traffic (optionally with a drift scenario) into Avro files, then runs the same job
 * over them twice in this JVM: features and scoring with the registry's champion (predictions to
 * Kafka), and the same plus the monitoring stages (label join, online evaluation, drift, error
 * detectors, alarms, all to Kafka). It prints each run's wall time, events/s and this process's CPU
 * time (the Kafka broker runs in another process), their ratio, and then, from the monitoring run's
 * topics, a day-by-day table of the drift and the champion's realized and estimated AUC and every
 * alert with the simulated days from the drift's start.
 */
@Command(
    name = "monitoring",
    mixinStandardHelpOptions = true,
    description = {
      "Run features + scoring over simulated history with and without the monitoring stages, and",
      "report throughput, CPU overhead, daily drift and AUC, and the alarms raised (with the delay",
      "from a drift scenario's start). Needs Kafka and the registry (bin/sluice infra up); trains",
      "and registers the first models if the model has no champion."
    })
final class BenchMonitoring implements Callable<Integer> {
  private static final long DAY = Duration.ofDays(1).toMillis();

  /** Drift is judged once the features' 30-day windows and the 7-day terminal delay are full. */
  static final int WARM_UP_DAYS = 37;

  @Mixin ConnectionOptions connection;

  @Mixin DriftScenarioOptions drift;

  @Spec CommandSpec spec;

  @Option(
      names = "--days",
      defaultValue = "75",
      description =
          "Simulated days; drift is judged from day "
              + WARM_UP_DAYS
              + " on (default: ${DEFAULT-VALUE}, i.e. 38 judged days).")
  int days;

  @Option(
      names = "--customers",
      defaultValue = "5000",
      description = "Default: ${DEFAULT-VALUE} (the handbook's).")
  int customers;

  @Option(
      names = "--terminals",
      defaultValue = "10000",
      description = "Default: ${DEFAULT-VALUE} (the handbook's).")
  int terminals;

  @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--model",
      defaultValue = "fraud",
      description = "Registered model scored with its champion (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--no-baseline",
      description = "Skip the run without monitoring (no overhead ratio; half the time).")
  boolean noBaseline;

  /** The monitoring run's configuration (for the report). */
  private MonitoringWorkflow.Config monitoringConfig;

  @Override
  public Integer call() throws Exception {
    if (days <= WARM_UP_DAYS) {
      throw new ParameterException(
          spec.commandLine(),
          "--days must be > " + WARM_UP_DAYS + " (drift is judged after the warm-up), got " + days);
    }
    if (parallelism < 1) {
      throw new ParameterException(
          spec.commandLine(), "--parallelism must be >= 1, got " + parallelism);
    }
    SimulatorConfig simulation;
    try {
      simulation =
          drift
              .apply(SimulatorConfig.builder())
              .days(days)
              .customers(customers)
              .terminals(terminals)
              .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    int champion = FirstModels.ensure(connection, model, "bench");
    Files.createDirectories(Project.home().resolve("var"));
    Path work = Files.createTempDirectory(Project.home().resolve("var"), "bench-monitoring-");
    String prefix = "bench-monitoring-" + Instant.now().getEpochSecond();
    Outputs topics = new Outputs(prefix);
    Map<String, Object> adminProps =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
    try (Admin admin = Admin.create(adminProps)) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics.all()) {
        Topics.Spec spec = new Topics.Spec(topic, 2, Duration.ofDays(1), "benchmark");
        newTopics.add(new NewTopic(topic, spec.partitions(), (short) 1).configs(spec.configs()));
      }
      admin.createTopics(newTopics).all().get();
    }
    try {
      Path files = work.resolve("history");
      SimulationSummary summary;
      try (AvroFilesSink sink = new AvroFilesSink(files, simulation.toString())) {
        summary = SimulationRunner.runAll(new Simulation(simulation), sink);
      }
      long events = summary.transactions() + summary.labels();
      System.out.printf(
          "history: %,d transactions + %,d labels over %d days from %s; drift: %s; champion %s v%d%n",
          summary.transactions(),
          summary.labels(),
          days,
          simulation.start(),
          drift.describe(),
          model,
          champion);
      Instant monitorFrom = simulation.start().plus(Duration.ofDays(WARM_UP_DAYS));
      Run base = null;
      if (!noBaseline) {
        base = run(false, files, work, topics, monitorFrom);
        base.print("features + scoring             ", events);
      }
      Run full = run(true, files, work, topics, monitorFrom);
      full.print("features + scoring + monitoring", events);
      if (base != null) {
        System.out.printf(
            "monitoring overhead (same data, same JVM): CPU x%.2f (%+.0f%%), wall time x%.2f;"
                + " monitoring alone %,.0f events/s of CPU%n",
            full.cpuSeconds / base.cpuSeconds,
            100 * (full.cpuSeconds / base.cpuSeconds - 1),
            full.wallSeconds / base.wallSeconds,
            events / Math.max(1e-9, full.cpuSeconds - base.cpuSeconds));
      }
      report(topics, simulation);
      return 0;
    } finally {
      try (Admin admin = Admin.create(adminProps)) {
        admin.deleteTopics(topics.all()).all().get();
      }
      BenchFeatures.deleteRecursively(work);
    }
  }

  /** The monitoring run's output topics. */
  record Outputs(String prefix) {
    String predictions() {
      return prefix + "-predictions";
    }

    String deadLetters() {
      return prefix + "-dead-letters";
    }

    String metrics() {
      return prefix + "-model-metrics";
    }

    String drift() {
      return prefix + "-drift";
    }

    String alerts() {
      return prefix + "-alerts";
    }

    List<String> all() {
      return List.of(predictions(), deadLetters(), metrics(), drift(), alerts());
    }
  }

  private record Run(double wallSeconds, double cpuSeconds) {
    void print(String what, long events) {
      System.out.printf(
          "%s: %6.1f s, %,8.0f events/s; CPU %6.1f s (%.2f cores)%n",
          what, wallSeconds, events / wallSeconds, cpuSeconds, cpuSeconds / wallSeconds);
    }
  }

  private Run run(boolean monitoring, Path files, Path work, Outputs topics, Instant monitorFrom)
      throws Exception {
    String name = monitoring ? "with-monitoring" : "without-monitoring";
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            FlinkEnvironments.Mode.LOCAL,
            new CheckpointSettings(
                work.resolve("checkpoints-" + name).toUri(), Duration.ofSeconds(10), 0),
            0);
    env.setParallelism(parallelism);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    BackfillJob.History history =
        BackfillJob.history(
            env,
            new BackfillJob.Config(
                BackfillJob.From.FILES,
                files.toString(),
                null,
                null,
                null,
                null,
                work.resolve("unused-offline-store").toUri().toString(),
                FraudFeatures.TerminalRisk.AS_KNOWN,
                null));
    FeaturePipeline.Output features =
        FeatureWorkflow.define(
            history.transactions(),
            history.labels(),
            FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN),
            Duration.ofHours(1),
            new FeatureWorkflow.Sinks(new DiscardingSink<>(), null, null, null, null, null));
    String transactions = topics.prefix() + "-" + name;
    ScoringWorkflow.Scored scored =
        ScoringWorkflow.attach(
            features.featureRows(),
            new ScoringWorkflow.Config(
                connection.bootstrapServers(),
                connection.registry(),
                ModelRegistryLog.DEFAULT_TOPIC,
                topics.predictions(),
                topics.deadLetters(),
                transactions,
                ScoringSettings.defaults(model)),
            OnnxScorer.FACTORY,
            ScoringWorkflow.RegistryReading.AS_OF_START);
    if (monitoring) {
      monitoringConfig =
          DemoCommand.monitoring(
              connection.bootstrapServers(),
              connection.registry(),
              topics.metrics(),
              topics.drift(),
              topics.alerts(),
              transactions,
              model,
              monitorFrom);
      MonitoringWorkflow.monitor(
          features.featureRows(),
          scored.predictions(),
          history.labels(),
          scored.registryEvents(),
          monitoringConfig);
    }
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    env.execute("sluice bench monitoring (" + name + ")");
    return new Run((System.nanoTime() - start) / 1e9, (processCpuNanos() - cpu) / 1e9);
  }

  /** CPU time of this process so far (all threads, JVM and native). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One simulated day's monitoring, as read back from the topics. */
  private static final class Day {
    long predictions;
    int drifted;
    int features;
    double scorePsi = Double.NaN;
    double labelPsi = Double.NaN;
    double auc = Double.NaN;
    double estimatedAuc = Double.NaN;
    double coverage = Double.NaN;
    final List<String> alerts = new ArrayList<>();
  }

  private void report(Outputs topics, SimulatorConfig simulation) throws Exception {
    long start = simulation.startMillis();
    TreeMap<Integer, Day> byDay = new TreeMap<>();
    TreeMap<String, List<DriftResult>> byFeature = new TreeMap<>();
    List<Alert> alerts = new ArrayList<>();
    try (TopicReader reader =
        new TopicReader(connection.bootstrapServers(), connection.registry())) {
      for (DriftResult r : reader.readAll(topics.drift(), DriftResult.class)) {
        Day day = byDay.computeIfAbsent(dayOf(r.getWindowStart(), start), d -> new Day());
        switch (r.getSubject()) {
          case "score" -> day.scorePsi = r.getStatistics().getOrDefault("psi", Double.NaN);
          case "label" -> day.labelPsi = r.getStatistics().getOrDefault("psi", Double.NaN);
          default -> {
            if (r.getKind() == DriftKind.ERROR_STREAM) {
              if (r.getDrifted()) {
                day.alerts.add("detector:" + r.getSubject());
              }
            } else {
              day.features++;
              day.drifted += r.getDrifted() ? 1 : 0;
              byFeature.computeIfAbsent(r.getSubject(), f -> new ArrayList<>()).add(r);
            }
          }
        }
      }
      for (ModelMetrics m : reader.readAll(topics.metrics(), ModelMetrics.class)) {
        if (m.getShadow() || m.getStatus() != MetricsStatus.FINAL) {
          continue;
        }
        Day day = byDay.computeIfAbsent(dayOf(m.getWindowStart(), start), d -> new Day());
        day.predictions = m.getPredictions();
        day.auc = m.getRealized().getOrDefault("auc_roc", Double.NaN);
        day.estimatedAuc = m.getEstimated().getOrDefault("auc_roc", Double.NaN);
        day.coverage = m.getLabelCoverage();
      }
      for (Alert a : reader.readAll(topics.alerts(), Alert.class)) {
        alerts.add(a);
        byDay
            .computeIfAbsent(dayOf(a.getWindowStart(), start), d -> new Day())
            .alerts
            .add((a.getState() == AlertState.FIRING ? "+" : "-") + a.getRule());
      }
    }
    System.out.printf(
        "%nper simulated day (drift judged from day %d; AUC of the champion's decisions, FINAL):%n",
        WARM_UP_DAYS);
    System.out.printf(
        "%4s %-10s %7s %8s %9s %9s %6s %7s %8s  %s%n",
        "day",
        "date",
        "scored",
        "drifted",
        "score_psi",
        "label_psi",
        "auc",
        "est_auc",
        "coverage",
        "alerts (+fired -resolved)");
    // Label drift goes on after the last transaction (its labels come up to 30 days later).
    for (Map.Entry<Integer, Day> e : byDay.headMap(simulation.days()).entrySet()) {
      Day d = e.getValue();
      System.out.printf(
          "%4d %-10s %7d %8s %9.3f %9.3f %6.3f %7.3f %8.3f  %s%n",
          e.getKey(),
          LocalDate.ofInstant(Instant.ofEpochMilli(start + e.getKey() * DAY), ZoneOffset.UTC),
          d.predictions,
          d.features == 0 ? "-" : d.drifted + "/" + d.features,
          d.scorePsi,
          d.labelPsi,
          d.auc,
          d.estimatedAuc,
          d.coverage,
          String.join(" ", d.alerts));
    }
    System.out.printf(
        "%nfeatures: windows flagged as drifted / judged, deciding statistic (median, max):%n");
    for (Map.Entry<String, List<DriftResult>> e : byFeature.entrySet()) {
      List<DriftResult> results = e.getValue();
      double[] decided =
          results.stream()
              .mapToDouble(r -> r.getStatistics().getOrDefault(r.getDecidedBy(), Double.NaN))
              .sorted()
              .toArray();
      System.out.printf(
          "  %-40s %3d / %3d   %-16s median %.3f max %.3f (threshold %.3f)%n",
          e.getKey(),
          results.stream().filter(DriftResult::getDrifted).count(),
          results.size(),
          results.get(0).getDecidedBy(),
          decided[decided.length / 2],
          decided[decided.length - 1],
          results.get(0).getThreshold());
    }
    int driftDay = drift.firstDay();
    alerts.sort(Comparator.comparing(Alert::getWindowStart));
    System.out.printf("%nalerts: %d%n", alerts.size());
    for (Alert a : alerts) {
      int day = dayOf(a.getWindowStart(), start);
      System.out.printf(
          "  %-8s %-18s %-8s %-20s v%d window day %d (%s) value %.4f threshold %.4f%s%n",
          a.getState(),
          a.getRule(),
          a.getSeverity(),
          a.getSubject(),
          a.getModelVersion(),
          day,
          LocalDate.ofInstant(a.getWindowStart(), ZoneOffset.UTC),
          a.getValue(),
          a.getThreshold(),
          driftDay < 0 || a.getState() != AlertState.FIRING
              ? ""
              : String.format(
                  ", raised %.1f simulated days after the drift started",
                  (raisedAt(a) - (start + driftDay * DAY)) / (double) DAY));
    }
    // Only the simulated period: after the last transaction the label windows thin out to nothing
    // (their labels arrive up to 30 days later), which is the end of the data, not drift.
    summarise(
        byDay.headMap(simulation.days()),
        driftDay,
        alerts.stream().filter(a -> dayOf(a.getWindowStart(), start) < simulation.days()).toList(),
        start);
  }

  /**
   * The event time at which the job raised {@code a}: once the watermark passed its window's end
   * plus the wait of the rule's source (the label delay for metrics, which are FINAL only then; the
   * lateness for drift and error-stream results).
   */
  private long raisedAt(Alert a) {
    Duration wait =
        monitoringConfig.rules().rule(a.getRule()).source() == AlarmRule.Source.METRICS
            ? monitoringConfig.evaluation().maxLabelDelay()
            : monitoringConfig.drift().lateness();
    return a.getWindowEnd().toEpochMilli() + wait.toMillis();
  }

  private void summarise(
      SortedMap<Integer, Day> byDay, int driftDay, List<Alert> alerts, long start) {
    int judgedFrom = WARM_UP_DAYS;
    int end = byDay.isEmpty() ? judgedFrom : byDay.lastKey();
    int quietUntil = driftDay < 0 ? end + 1 : driftDay;
    long falseAlarms =
        alerts.stream()
            .filter(a -> a.getState() == AlertState.FIRING)
            .filter(a -> dayOf(a.getWindowStart(), start) < quietUntil)
            .count();
    System.out.printf(
        "%nbefore any drift (days %d-%d, %d judged days): %d alarm(s) fired%n",
        judgedFrom, quietUntil - 1, Math.max(0, quietUntil - judgedFrom), falseAlarms);
    if (driftDay >= 0) {
      alerts.stream()
          .filter(a -> a.getState() == AlertState.FIRING)
          .filter(a -> dayOf(a.getWindowStart(), start) >= driftDay)
          .min(Comparator.comparingLong(this::raisedAt))
          .ifPresentOrElse(
              a ->
                  System.out.printf(
                      "first alarm after the drift started on day %d: %s (window of day %d),"
                          + " raised %.1f simulated days after the start%n",
                      driftDay,
                      a.getRule(),
                      dayOf(a.getWindowStart(), start),
                      (raisedAt(a) - (start + driftDay * DAY)) / (double) DAY),
              () -> System.out.printf("no alarm after the drift started on day %d%n", driftDay));
      System.out.printf(
          "champion's mean daily AUC: %.3f over days %d-%d, %.3f from day %d on%n",
          meanAuc(byDay, judgedFrom, driftDay),
          judgedFrom,
          driftDay - 1,
          meanAuc(byDay, driftDay, end + 1),
          driftDay);
    } else {
      System.out.printf(
          "champion's mean daily AUC: %.3f over days %d-%d%n",
          meanAuc(byDay, judgedFrom, end + 1), judgedFrom, end);
    }
  }

  private static double meanAuc(SortedMap<Integer, Day> byDay, int from, int to) {
    return byDay.subMap(from, to).values().stream()
        .mapToDouble(d -> d.auc)
        .filter(v -> !Double.isNaN(v))
        .average()
        .orElse(Double.NaN);
  }

  private static int dayOf(Instant t, long start) {
    return (int) Math.floorDiv(t.toEpochMilli() - start, DAY);
  }
}

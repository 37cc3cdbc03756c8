package dev.sluice.cli;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.report.TopicReader;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.retraining.RetrainingController;
import dev.sluice.jobs.retraining.RetrainingEvents;
import dev.sluice.jobs.retraining.RetrainingPolicy;
import dev.sluice.operators.evaluation.BinaryMetrics;
import dev.sluice.operators.evaluation.CardPrecision;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.Scorer;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.RegistryState;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench loop}: prequential evaluation of the closed loop against a frozen model. One
 * long simulated period with a drift scenario goes through the demo's job (ingest, features,
 * scoring, monitoring) with the retraining controller on, in its own topics and offline store.
 * Afterwards the same feature rows, every transaction's model input as the job computed it, are
 * replayed through the first champion, frozen. Both are scored against the simulation's labels per
 * simulated week: AUC ROC, average precision and Card Precision@100 side by side.
 */
@Command(
    name = "loop",
    mixinStandardHelpOptions = true,
    description = {
      "Prequential evaluation: replay a long simulated period with a drift scenario through the",
      "job with the retraining loop on, replay its feature rows through the first model frozen, and",
      "print per-week AUC ROC, average precision and Card Precision@100 of both side by side.",
      "Starts the local services like the demo; takes ~15 minutes with the defaults."
    })
final class BenchLoop implements Callable<Integer> {
  @Option(
      names = "--days",
      defaultValue = "91",
      description = "Simulated days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--customers", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
  int customers;

  @Option(names = "--terminals", defaultValue = "2000", description = "Default: ${DEFAULT-VALUE}.")
  int terminals;

  @Option(
      names = "--catch-up-days",
      defaultValue = "46",
      description =
          "Send the first DAYS days at --catch-up-rate, then pace at --rate so the loop reacts in"
              + " simulated time as a deployment would (default: ${DEFAULT-VALUE}).")
  int catchUpDays;

  @Option(
      names = "--catch-up-rate",
      defaultValue = "1200",
      description = "Events/s (default: ${DEFAULT-VALUE}).")
  double catchUpRate;

  @Option(
      names = "--rate",
      defaultValue = "400",
      description =
          "Events/s after the catch-up: ~10 s per simulated day (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the results here (default: var/bench/loop-<time>.txt).")
  Path out;

  @Option(names = "--keep-topics", description = "Keep the run's topics (deleted by default).")
  boolean keepTopics;

  @Mixin DriftScenarioOptions drift;
  @Mixin RetrainingOptions retraining;
  @Spec CommandSpec spec;

  private static final long DAY = 86_400_000L;

  @Override
  public Integer call() throws Exception {
    if (days < 14 || days > 365) {
      throw new ParameterException(
          spec.commandLine(), "--days must be within 14..365, got " + days);
    }
    if (!(rate > 0) || !(catchUpRate > 0)) {
      throw new ParameterException(spec.commandLine(), "--rate and --catch-up-rate must be > 0");
    }
    RetrainingPolicy policy = RetrainCommand.policy(spec, retraining);
    if (!drift.any()) {
      drift.nightFraudDay = 49;
      drift.nightFraudCards = 20;
    }
    SimulatorConfig simulation;
    try {
      simulation =
          drift
              .apply(SimulatorConfig.builder())
              .customers(customers)
              .terminals(terminals)
              .days(days)
              .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    new LocalInfra(Project.layout(null), Project.console(), LocalInfra.allServices()).up();
    TopicsCommand.createAll(KafkaService.BOOTSTRAP, Project.console());

    String stamp =
        DateTimeFormatter.ofPattern("MMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    String model = "loop-" + stamp;
    DemoPipeline.Names names = new DemoPipeline.Names("bench-" + model);
    ConnectionOptions connection = ConnectionOptions.local();
    names.createTopics();
    Path dir = Project.home().resolve("var/bench").resolve(model);
    Files.createDirectories(dir);
    try {
      return run(simulation, policy, model, names, connection, dir);
    } finally {
      if (!keepTopics) {
        names.deleteTopics();
      }
    }
  }

  private int run(
      SimulatorConfig simulation,
      RetrainingPolicy policy,
      String model,
      DemoPipeline.Names names,
      ConnectionOptions connection,
      Path dir)
      throws Exception {
    long wallStart = System.nanoTime();
    FirstModels.ensure(connection, model, "bench loop", customers, terminals);
    ModelVersion frozen;
    try (KafkaModelRegistry models =
        KafkaModelRegistry.open(
            ModelRegistryLog.of(connection.bootstrapServers(), connection.registry()),
            ModelCommand.NO_REGISTRATION)) {
      frozen = models.read().resolve(model, RegistryState.CHAMPION).orElseThrow();
    }
    String offline = dir.resolve("offline").toUri().toString();
    Instant monitorFrom = simulation.start().plus(Duration.ofDays(37));
    System.out.printf(
        "bench loop: model %s (frozen copy: v%d), %d days from %s, %d customers, drift: %s%n",
        model, frozen.getVersion(), days, simulation.start(), customers, drift.describe());
    System.out.printf(
        "bench loop: days 0-%d at %.0f events/s, then %.0f events/s; policy: %s%n",
        catchUpDays - 1, catchUpRate, rate, policy.describe());
    JobClient job =
        DemoPipeline.start(names, model, offline, monitorFrom, 0, "sluice bench loop " + model);
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicReference<SimulationSummary> summary = new AtomicReference<>();
    try (Loop loop =
        Loop.start(
            connection,
            new RetrainingController.Topics(
                names.topic(Topics.ALERTS),
                names.topic(Topics.MODEL_METRICS),
                names.topic(Topics.RETRAINING)),
            model,
            policy,
            new OfflineStoreLayout(offline),
            2,
            RetrainingController.StartFrom.EARLIEST,
            line -> System.out.println("loop: " + line))) {
      Thread simulator =
          DemoPipeline.simulate(
              names, simulation, catchUpDays, catchUpRate, rate, stopping::get, summary);
      simulator.join();
      if (summary.get() == null) {
        throw new IllegalStateException("the simulator did not finish; see the messages above");
      }
      System.out.printf(
          "bench loop: simulator done (%,d transactions) after %.0f s; waiting for the job to"
              + " drain%n",
          summary.get().transactions(), (System.nanoTime() - wallStart) / 1e9);
      awaitQuiet(names.topic(Topics.PREDICTIONS), Duration.ofSeconds(30));
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
    double wall = (System.nanoTime() - wallStart) / 1e9;

    Map<String, Boolean> labels = new HashMap<>();
    Simulation replay = new Simulation(simulation);
    while (replay.hasNext()) {
      if (replay.next() instanceof SimulatedEvent.LabelEvent l) {
        labels.put(l.label().getTransactionId(), l.label().getFraud());
      }
    }
    List<Prediction> decisions = new ArrayList<>();
    List<FeatureRow> rows;
    List<RetrainingEvent> events;
    try (TopicReader reader =
        new TopicReader(connection.bootstrapServers(), connection.registry())) {
      for (Prediction p : reader.readAll(names.topic(Topics.PREDICTIONS), Prediction.class)) {
        if (!p.getShadow() && model.equals(p.getModelName())) {
          decisions.add(p);
        }
      }
      rows = reader.readAll(names.topic(Topics.FEATURE_ROWS), FeatureRow.class);
      events = reader.readAll(names.topic(Topics.RETRAINING), RetrainingEvent.class);
    }
    Map<String, Double> frozenScores = score(frozen, rows);

    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream report = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    report.printf(
        "sluice bench loop: %d simulated days from %s, %,d customers, %,d terminals, drift: %s%n",
        days, simulation.start(), customers, terminals, drift.describe());
    report.printf(
        "model %s; frozen = v%d, the first champion; wall time %.0f s%n%n",
        model, frozen.getVersion(), wall);
    report.println("The loop's steps (event time):");
    for (RetrainingEvent e : events) {
      report.println("  " + RetrainingEvents.describe(e));
    }
    report.println();
    report.print(table(simulation.start(), decisions, frozenScores, labels));
    System.out.println();
    System.out.print(buffer.toString(StandardCharsets.UTF_8));
    Path file = out != null ? out : Project.home().resolve("var/bench").resolve(model + ".txt");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, buffer.toString(StandardCharsets.UTF_8));
    System.out.println("written to " + file);
    return 0;
  }

  /** The frozen model's score of every feature row, by transaction id. */
  private static Map<String, Double> score(ModelVersion model, List<FeatureRow> rows)
      throws Exception {
    List<String> order = model.getSignature().getFeatures();
    int width = order.size();
    int batch = 256;
    float[] values = new float[batch * width];
    double[] scores = new double[batch];
    Map<String, Double> out = new HashMap<>();
    try (Scorer scorer = OnnxScorer.FACTORY.open(model)) {
      for (int start = 0; start < rows.size(); start += batch) {
        int n = Math.min(batch, rows.size() - start);
        for (int r = 0; r < n; r++) {
          Map<String, Double> features = rows.get(start + r).getFeatures();
          for (int c = 0; c < width; c++) {
            Double v = features.get(order.get(c));
            if (v == null) {
              throw new IllegalStateException(
                  "feature row " + rows.get(start + r).getEventId() + " has no " + order.get(c));
            }
            values[r * width + c] = v.floatValue();
          }
        }
        scorer.score(values, n, scores);
        for (int r = 0; r < n; r++) {
          out.put(rows.get(start + r).getEventId(), scores[r]);
        }
      }
    }
    return out;
  }

  /** Per simulated week: both models on the transactions both scored, with their labels. */
  static String table(
      Instant start,
      List<Prediction> decisions,
      Map<String, Double> frozen,
      Map<String, Boolean> labels) {
    long first = start.toEpochMilli();
    Map<Integer, List<Prediction>> byWeek = new TreeMap<>();
    for (Prediction p : decisions) {
      if (frozen.containsKey(p.getEventId()) && labels.containsKey(p.getEventId())) {
        int week = (int) ((p.getEventTime().toEpochMilli() - first) / (7 * DAY));
        byWeek.computeIfAbsent(week, w -> new ArrayList<>()).add(p);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-4s %-10s %7s %6s %-12s | %-22s | %-22s | %s%n",
            "week",
            "from",
            "tx",
            "frauds",
            "loop served",
            "loop AUC   AP    CP@100",
            "frozen AUC AP    CP@100",
            "AUC diff"));
    for (Map.Entry<Integer, List<Prediction>> e : byWeek.entrySet()) {
      List<Prediction> week = e.getValue();
      int n = week.size();
      double[] loopScores = new double[n];
      double[] frozenScores = new double[n];
      boolean[] y = new boolean[n];
      long[] days = new long[n];
      String[] cards = new String[n];
      TreeSet<Integer> versions = new TreeSet<>();
      int frauds = 0;
      for (int i = 0; i < n; i++) {
        Prediction p = week.get(i);
        loopScores[i] = p.getScore();
        frozenScores[i] = frozen.get(p.getEventId());
        y[i] = labels.get(p.getEventId());
        frauds += y[i] ? 1 : 0;
        days[i] = Math.floorDiv(p.getEventTime().toEpochMilli(), DAY);
        cards[i] = p.getEntityId();
        versions.add(p.getModelVersion());
      }
      double[] loop = metrics(loopScores, y, days, cards);
      double[] still = metrics(frozenScores, y, days, cards);
      b.append(
          String.format(
              Locale.ROOT,
              "%-4d %-10s %,7d %6d %-12s | %.3f  %.3f %.3f      | %.3f  %.3f %.3f      | %+.3f%n",
              e.getKey(),
              LocalDate.ofInstant(
                  Instant.ofEpochMilli(first + e.getKey() * 7 * DAY), ZoneOffset.UTC),
              n,
              frauds,
              versions.stream().map(v -> "v" + v).reduce((x, z) -> x + "," + z).orElse("-"),
              loop[0],
              loop[1],
              loop[2],
              still[0],
              still[1],
              still[2],
              loop[0] - still[0]));
    }
    return b.toString();
  }

  private static double[] metrics(double[] scores, boolean[] y, long[] days, String[] cards) {
    return new double[] {
      BinaryMetrics.rocAuc(scores, y),
      BinaryMetrics.averagePrecision(scores, y),
      CardPrecision.atK(100, days, cards, scores, y).mean()
    };
  }

  /** Waits until the topic's end offsets stop moving for {@code quiet}. */
  private static void awaitQuiet(String topic, Duration quiet) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaService.BOOTSTRAP))) {
      var partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (var p : partitions) {
        request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      }
      long last = -1;
      long stableSince = System.nanoTime();
      while (true) {
        long total = 0;
        for (var info : admin.listOffsets(request).all().get().values()) {
          total += info.offset();
        }
        if (total != last) {
          last = total;
          stableSince = System.nanoTime();
        } else if (System.nanoTime() - stableSince > quiet.toNanos()) {
          return;
        }
        Thread.sleep(1000);
      }
    }
  }
}

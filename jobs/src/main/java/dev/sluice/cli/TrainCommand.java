package dev.sluice.cli;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.training.OfflineTrainingData;
import dev.sluice.jobs.training.SimulatedTrainingData;
import dev.sluice.jobs.training.TrainingSet;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.jobs.training.model.ExportVerification;
import dev.sluice.jobs.training.model.HandbookTable;
import dev.sluice.jobs.training.model.ModelKind;
import dev.sluice.jobs.training.model.ModelTrainer;
import dev.sluice.jobs.training.model.TrainedModel;
import dev.sluice.jobs.training.model.TrainingContext;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelVersions;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice model train}: trains fraud models on a point-in-time training set, evaluates them
 * on the test split with the handbook's metrics, builds their reference profiles and exports ONNX
 * (see {@link ModelTrainer}). Progress goes to stderr; the metrics (and, with {@code
 * --handbook-table}, the handbook's table with our numbers beside the published ones) to stdout.
 *
 * <p>The training set comes from the offline store ({@code --offline-store}) or from a fresh
 * simulation backfilled in BATCH mode ({@code --simulate}, see {@link SimulatedTrainingData}).
 * {@code --out FILE.onnx} writes each model's ONNX and, next to it, {@code FILE.candidate.json}:
 * the registration candidate ({@link ModelVersion} in Avro JSON, without the ONNX bytes).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train fraud models on a point-in-time training set (the handbook's split by default),",
      "evaluate them on the test days (AUC ROC, average precision, Card Precision@100, log loss,",
      "Brier score), profile the training data and export ONNX with a registration candidate.",
      "Reproduce the handbook's table: --simulate --terminal-risk handbook --model all --handbook-table"
    })
public final class TrainCommand implements Callable<Integer> {
  /**
   * Tribuo logs every epoch at INFO through java.util.logging; the command prints its own progress.
   * Held here so that the level is not lost when the logger is garbage-collected.
   */
  private static final java.util.logging.Logger TRIBUO_LOG =
      java.util.logging.Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  /** Model name of the candidates. */
  static final String DEFAULT_NAME = "fraud";

  @Option(
      names = "--offline-store",
      paramLabel = "DIR",
      description = "Offline store to read the training set from (default: var/data/offline).")
  String offlineStore;

  @Option(
      names = "--simulate",
      description =
          "Simulate the handbook's population instead, backfill its features into a temporary"
              + " offline store and train on that.")
  boolean simulate;

  @Option(
      names = "--customers",
      paramLabel = "N",
      defaultValue = "5000",
      description = "--simulate: customers (default: ${DEFAULT-VALUE}).")
  int customers;

  @Option(
      names = "--terminals",
      paramLabel = "N",
      defaultValue = "10000",
      description = "--simulate: terminals (default: ${DEFAULT-VALUE}).")
  int terminals;

  @Option(
      names = "--simulation-seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "--simulate: the simulator's seed (default: ${DEFAULT-VALUE}).")
  long simulationSeed;

  @Option(
      names = "--simulate-from",
      paramLabel = "DATE",
      description =
          "--simulate: first simulated day (default: "
              + SimulatedTrainingData.HISTORY_DAYS
              + " days before the first training day, the history the features need; the"
              + " handbook starts on 2018-04-01).")
  LocalDate simulateFrom;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "--simulate: directory for the simulated events and the offline store, kept afterwards"
              + " (default: a temporary directory, deleted at the end).")
  Path workDir;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "--simulate: backfill parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--split",
      defaultValue = "handbook",
      paramLabel = "handbook|START/TRAIN/DELAY/TEST",
      description =
          "Train / delay / test days: 'handbook' (2018-07-25/7/7/7) or "
              + TrainingSplit.FORMAT
              + " (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--terminal-risk",
      defaultValue = "as-known",
      description =
          "Feature definition: as-known (production) or handbook (reproduces the paper) (default:"
              + " ${DEFAULT-VALUE}).")
  String terminalRisk;

  @Option(
      names = "--model",
      defaultValue = "logistic-regression",
      paramLabel = "MODEL",
      description =
          "logistic-regression, factorization-machine or all (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "The trainer's seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "FILE.onnx",
      description =
          "Write the ONNX model here and its candidate (Avro JSON, without the bytes) to"
              + " FILE.candidate.json; with several models, FILE-<model>.onnx each.")
  Path out;

  @Option(names = "--overwrite", description = "Replace existing output files.")
  boolean overwrite;

  @Option(
      names = "--name",
      defaultValue = DEFAULT_NAME,
      description = "Model name of the candidate (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = "--trigger",
      defaultValue = "manual",
      description = "Why training ran, recorded in the lineage (default: ${DEFAULT-VALUE}).")
  String trigger;

  @Option(
      names = "--register",
      description =
          "Register each trained model in the model registry (after the export check) with its"
              + " lineage, metrics and reference profile.")
  boolean register;

  @Option(
      names = "--promote",
      split = ",",
      paramLabel = "ALIAS",
      description =
          "With --register: point these aliases at the new versions, in --model order (e.g."
              + " --model all --promote champion,challenger).")
  List<String> promote = List.of();

  @Mixin ModelCommand.RegistryOptions registry;

  @Option(
      names = "--handbook-table",
      description =
          "Print AUC ROC, average precision and Card Precision@100 beside the handbook's published"
              + " values.")
  boolean handbookTable;

  @Override
  public Integer call() throws Exception {
    TrainingSplit periods = parseSplit(split);
    List<ModelKind> kinds = parseModels(model);
    if (!promote.isEmpty() && !register) {
      throw new IllegalArgumentException("--promote needs --register");
    }
    if (promote.size() > kinds.size()) {
      throw new IllegalArgumentException(
          "--promote names "
              + promote.size()
              + " aliases for "
              + kinds.size()
              + " trained model(s): one alias per model, in --model order");
    }
    if (register) {
      ModelRegistryLog.requireName("--name", name);
    }
    FraudFeatures.TerminalRisk risk = FraudFeatures.TerminalRisk.parse(terminalRisk);
    List<Path> outputs = outputs(kinds);
    long started = System.nanoTime();

    FeatureSet<?> features = FraudFeatures.featureSet(risk);
    String source;
    OfflineTrainingData.Result data;
    if (simulate) {
      SimulatorConfig config =
          SimulatedTrainingData.config(periods, customers, terminals, simulationSeed, simulateFrom);
      source = "simulation " + config;
      data = simulated(config, periods, risk);
    } else {
      if (workDir != null || simulateFrom != null) {
        throw new IllegalArgumentException("--work-dir and --simulate-from need --simulate");
      }
      OfflineStoreLayout layout =
          FeaturesCommand.existingOfflineStore(
              offlineStore,
              "run 'bin/sluice job backfill' into it, or train on a fresh simulation with"
                  + " --simulate");
      String base = layout.baseUri();
      progress("reading the training set " + periods.format() + " from " + base);
      source = "offline store " + base;
      data = OfflineTrainingData.build(layout, features, periods);
    }
    TrainingSet set = data.trainingSet();
    System.err.print(data.format());
    if (set.rows().isEmpty()) {
      throw new IllegalStateException(
          "no labelled transaction with features in "
              + periods.format()
              + " ("
              + source
              + "); check the split's dates and the terminal-risk definition");
    }

    TrainingContext context =
        TrainingContext.of(features, codeVersion(), source + ", terminal risk " + risk, trigger);
    List<TrainedModel> trained = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      ModelKind kind = kinds.get(i);
      progress("training " + kind.id() + " (seed " + seed + ")");
      long t = System.nanoTime();
      TrainedModel result = ModelTrainer.train(set, kind, seed, context);
      progress(String.format(Locale.ROOT, "trained %s in %.1f s", kind.id(), seconds(t)));
      trained.add(result);
      printMetrics(result);
      double diff =
          ExportVerification.verify(result, candidate(result, Instant.now()), OnnxScorer.FACTORY);
      progress(
          String.format(
              Locale.ROOT,
              "export check: %,d test rows scored by ONNX Runtime, max |onnx - %s| = %.1e",
              result.exportCheck().rows(),
              kind.id(),
              diff));
      if (!outputs.isEmpty()) {
        write(result, outputs.get(i));
      }
    }
    if (handbookTable) {
      if (risk != FraudFeatures.TerminalRisk.HANDBOOK) {
        progress("note: the handbook's numbers assume --terminal-risk handbook");
      }
      System.out.printf(
          "%nTest split %s (%,d transactions, %,d frauds), terminal risk %s:%n%n",
          set.summary().split().test(),
          set.summary().testRows(),
          set.summary().testFrauds(),
          risk.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      System.out.print(
          HandbookTable.format(
              HandbookTable.lines(trained, HandbookTable.randomScores(set, seed))));
    }
    if (register) {
      registerAll(trained);
    }
    progress(String.format(Locale.ROOT, "done in %.1f s", seconds(started)));
    return 0;
  }

  private void registerAll(List<TrainedModel> trained) throws Exception {
    try (KafkaModelRegistry models =
        ModelCommand.open(
            registry, new OnnxModelValidator(), KafkaModelRegistry.IfMissing.CREATE)) {
      for (int i = 0; i < trained.size(); i++) {
        ModelVersion version = models.register(candidate(trained.get(i), Instant.now()));
        System.out.printf(
            "registered %s v%d (%s, sha256 %s)%n",
            version.getName(),
            version.getVersion(),
            trained.get(i).kind().id(),
            version.getSha256());
        if (i < promote.size()) {
          System.out.println(
              ModelVersions.describe(
                  models.promote(
                      name, version.getVersion(), promote.get(i), "trained (" + trigger + ")")));
        }
      }
    }
  }

  private ModelVersion candidate(TrainedModel result, Instant at) {
    return result.candidate(
        name,
        "trained by sluice model train (" + result.kind().id() + ")",
        at,
        ModelRegistryLog.currentActor());
  }

  private OfflineTrainingData.Result simulated(
      SimulatorConfig config, TrainingSplit periods, FraudFeatures.TerminalRisk risk)
      throws Exception {
    if (offlineStore != null) {
      throw new IllegalArgumentException("give --offline-store or --simulate, not both");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
    }
    boolean temporary = workDir == null;
    Path dir = temporary ? Files.createTempDirectory("sluice-train-") : workDir;
    try {
      return SimulatedTrainingData.build(
          config, periods, risk, dir, parallelism, TrainCommand::progress);
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
    }
  }

  static TrainingSplit parseSplit(String text) {
    return "handbook".equalsIgnoreCase(text.trim())
        ? TrainingSplit.HANDBOOK
        : TrainingSplit.parse(text);
  }

  static List<ModelKind> parseModels(String text) {
    if ("all".equalsIgnoreCase(text.trim())) {
      return List.of(ModelKind.values());
    }
    try {
      return List.of(ModelKind.parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--model: " + e.getMessage() + " or all", e);
    }
  }

  /** The ONNX file of each model (none without --out), checked before any work is done. */
  private List<Path> outputs(List<ModelKind> kinds) {
    if (out == null) {
      return List.of();
    }
    String file = out.getFileName().toString();
    if (!file.endsWith(".onnx")) {
      throw new IllegalArgumentException("--out must name a .onnx file, got " + out);
    }
    List<Path> paths = new ArrayList<>();
    for (ModelKind kind : kinds) {
      Path onnx =
          kinds.size() == 1
              ? out
              : out.resolveSibling(
                  file.substring(0, file.length() - 5) + "-" + kind.id() + ".onnx");
      for (Path p : List.of(onnx, candidateFile(onnx))) {
        if (Files.exists(p) && !overwrite) {
          throw new IllegalArgumentException(p + " already exists: pass --overwrite to replace it");
        }
      }
      paths.add(onnx);
    }
    return paths;
  }

  static Path candidateFile(Path onnx) {
    String file = onnx.getFileName().toString();
    return onnx.resolveSibling(file.substring(0, file.length() - 5) + ".candidate.json");
  }

  private void write(TrainedModel result, Path onnx) throws IOException {
    ModelVersion candidate =
        result.candidateWithoutBytes(
            name,
            "trained by sluice model train (" + result.kind().id() + ")",
            Instant.now(),
            System.getProperty("user.name") + "@" + hostName());
    writeAtomically(onnx, result.onnx());
    writeAtomically(candidateFile(onnx), json(candidate));
    progress("wrote " + onnx.toAbsolutePath() + " and " + candidateFile(onnx).getFileName());
  }

  private void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path absolute = target.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    // Not createTempFile: its owner-only permissions would stay on the result.
    Path temp =
        absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.write(temp, bytes, StandardOpenOption.CREATE_NEW);
      if (overwrite) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      } else if (Files.exists(absolute)) {
        throw new FileAlreadyExistsException(absolute + " (pass --overwrite to replace it)");
      } else {
        Files.move(temp, absolute);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  static byte[] json(ModelVersion candidate) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonEncoder encoder =
        EncoderFactory.get().jsonEncoder(ModelVersion.getClassSchema(), bytes, true);
    new SpecificDatumWriter<>(ModelVersion.class).write(candidate, encoder);
    encoder.flush();
    bytes.write('\n');
    return bytes.toByteArray();
  }

  private static void printMetrics(TrainedModel result) {
    PrintStream out = System.out;
    out.printf("%s:", result.kind().id());
    for (Map.Entry<String, Double> m : result.metrics().entrySet()) {
      out.printf(Locale.ROOT, " %s=%.4f", m.getKey(), m.getValue());
    }
    out.println();
  }

  /** "sluice VERSION (git COMMIT)"; the commit is read from the project's checkout if it is one. */
  static String codeVersion() {
    String version = TrainCommand.class.getPackage().getImplementationVersion();
    String commit = "unknown commit";
    try {
      Process git =
          new ProcessBuilder("git", "-C", Project.home().toString(), "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String text = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 && !text.isEmpty()) {
        commit = "git " + text;
      }
    } catch (IOException e) {
      commit = "unknown commit (git: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "sluice " + (version == null ? "0.1.0-SNAPSHOT" : version) + " (" + commit + ")";
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static void progress(String line) {
    System.err.println("train: " + line);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

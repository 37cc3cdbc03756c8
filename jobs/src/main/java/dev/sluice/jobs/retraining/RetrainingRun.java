package dev.sluice.jobs.retraining;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.TrainingLineage;
import dev.sluice.jobs.training.FeatureExample;
import dev.sluice.jobs.training.TrainingSet;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.jobs.training.model.ExportVerification;
import dev.sluice.jobs.training.model.ModelKind;
import dev.sluice.jobs.training.model.ModelTrainer;
import dev.sluice.jobs.training.model.TrainedModel;
import dev.sluice.jobs.training.model.TrainingContext;
import dev.sluice.operators.scoring.Scorer;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.state.models.ModelRegistry;
import dev.sluice.state.models.RegistryState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One retraining run: reads the run's window from the offline store with labels as known at the
 * trigger (a Flink BATCH job, {@link LabelledHistory}), splits off the holdout (a share of the
 * cards of the window's last days, so no card is in both), trains each model kind, keeps the best
 * on the holdout, scores the champion on the same holdout rows, checks the export through the
 * production scorer and registers the model with its lineage: the trigger, the data range and the
 * metrics of both models. Promotion is not its business: the controller decides from the result.
 */
public final class RetrainingRun {
  /** Labelled history of a window, labels as known at an instant. */
  @FunctionalInterface
  public interface LabelledHistory {
    List<Labelled> read(Instant from, Instant to, Instant knownBy) throws Exception;
  }

  /** One labelled transaction of the window. */
  public record Labelled(FeatureExample example, boolean fraud) {
    public Labelled {
      Objects.requireNonNull(example, "example");
    }
  }

  /** What a run needs besides its spec. */
  public record Context(
      LabelledHistory history,
      TrainingContext training,
      List<ModelKind> kinds,
      long seed,
      ModelRegistry registry,
      ScorerFactory scorers,
      String gateMetric,
      Clock wallClock,
      String actor) {
    public Context {
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(training, "training");
      kinds = List.copyOf(kinds);
      if (kinds.isEmpty()) {
        throw new IllegalArgumentException("a run needs at least one model kind");
      }
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(scorers, "scorers");
      Objects.requireNonNull(gateMetric, "gateMetric");
      Objects.requireNonNull(wallClock, "wallClock");
      Objects.requireNonNull(actor, "actor");
    }
  }

  private RetrainingRun() {}

  /** Runs {@code spec}; failures come back as {@link RunResult.Failed}, never as exceptions. */
  public static RunResult execute(RunSpec spec, Context context, Consumer<String> progress) {
    long started = System.nanoTime();
    Map<String, String> details = new LinkedHashMap<>();
    try {
      progress.accept(
          spec.runId()
              + ": reading "
              + spec.windowStart()
              + ".."
              + spec.windowEnd()
              + " with labels known by "
              + spec.asOf());
      List<Labelled> rows =
          context.history().read(spec.windowStart(), spec.windowEnd(), spec.asOf());
      Split split = split(spec, rows, context.training().featureNames());
      details.put("read_seconds", seconds(started));
      details.put("train_rows", Long.toString(split.trainRows));
      details.put("train_frauds", Long.toString(split.trainFrauds));
      details.put("holdout_rows", Long.toString(split.holdoutRows));
      details.put("holdout_frauds", Long.toString(split.holdoutFrauds));
      String shortage = split.shortage(spec);
      if (shortage != null) {
        details.put("seconds", seconds(started));
        return new RunResult.NotEnoughData(spec.runId(), shortage, details);
      }
      progress.accept(
          String.format(
              Locale.ROOT,
              "%s: %,d training rows (%,d frauds), holdout %,d rows (%,d frauds)",
              spec.runId(),
              split.trainRows,
              split.trainFrauds,
              split.holdoutRows,
              split.holdoutFrauds));

      TrainedModel best = null;
      for (ModelKind kind : context.kinds()) {
        long t = System.nanoTime();
        TrainedModel model =
            ModelTrainer.train(split.set, kind, context.seed(), context.training());
        double value = model.metric(context.gateMetric());
        details.put("holdout_" + context.gateMetric() + "_" + kind.id(), format(value));
        details.put("train_seconds_" + kind.id(), seconds(t));
        progress.accept(
            String.format(
                Locale.ROOT,
                "%s: %s holdout %s %.4f",
                spec.runId(),
                kind.id(),
                context.gateMetric(),
                value));
        if (best == null
            || (Double.isFinite(value) && !(value <= best.metric(context.gateMetric())))) {
          best = model;
        }
      }
      details.put("kind", best.kind().id());

      Map<String, Double> champion = Map.of();
      RegistryState state = context.registry().read();
      Optional<ModelVersion> current = state.resolve(spec.model(), RegistryState.CHAMPION);
      if (current.isPresent()) {
        champion = scoreOnHoldout(current.get(), split, context.scorers());
        details.put("champion_version", Integer.toString(current.get().getVersion()));
      }

      Instant now = context.wallClock().instant();
      ModelVersion candidate =
          best.candidate(
              spec.model(),
              "retrained by "
                  + spec.runId()
                  + " ("
                  + best.kind().id()
                  + "), triggered by "
                  + spec.triggerDetail(),
              now,
              context.actor());
      ExportVerification.verify(best, candidate, context.scorers());
      candidate.setLineage(lineage(candidate.getLineage(), spec, split));
      Map<String, Double> metrics = new LinkedHashMap<>(candidate.getMetrics());
      champion.forEach((k, v) -> metrics.put("champion." + k, v));
      candidate.setMetrics(metrics);
      ModelVersion registered = context.registry().register(candidate);
      details.put("seconds", seconds(started));
      progress.accept(
          String.format(
              Locale.ROOT,
              "%s: registered %s v%d (%s, holdout %s %.4f vs champion %s)",
              spec.runId(),
              spec.model(),
              registered.getVersion(),
              best.kind().id(),
              context.gateMetric(),
              best.metric(context.gateMetric()),
              champion.isEmpty() ? "none" : format(champion.get(context.gateMetric()))));
      return new RunResult.Succeeded(
          spec.runId(), registered.getVersion(), best.metrics(), champion, details);
    } catch (Exception | LinkageError e) {
      details.put("seconds", seconds(started));
      String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      return new RunResult.Failed(
          spec.runId(), e.getClass().getSimpleName() + ": " + message, details);
    }
  }

  /** Train and holdout rows; the holdout's cards are a stable hash share of the customers. */
  static Split split(RunSpec spec, List<Labelled> rows, List<String> featureNames) {
    List<TrainingSet.Row> out = new ArrayList<>(rows.size());
    long holdoutFrom = spec.holdoutStart().toEpochMilli();
    long[] counts = new long[4];
    for (Labelled r : rows) {
      FeatureExample e = r.example();
      boolean holdout =
          e.eventTime() >= holdoutFrom && inHoldout(e.customerId(), spec.holdoutShare());
      TrainingSet.Split which = holdout ? TrainingSet.Split.TEST : TrainingSet.Split.TRAIN;
      out.add(new TrainingSet.Row(e, which, r.fraud()));
      int at = holdout ? 2 : 0;
      counts[at]++;
      counts[at + 1] += r.fraud() ? 1 : 0;
    }
    LocalDate first = LocalDate.ofInstant(spec.windowStart(), ZoneOffset.UTC);
    LocalDate holdoutDay = LocalDate.ofInstant(spec.holdoutStart(), ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(spec.windowEnd().minusMillis(1), ZoneOffset.UTC);
    int trainDays = (int) Math.max(1, holdoutDay.toEpochDay() - first.toEpochDay());
    int testDays = (int) Math.max(1, last.toEpochDay() - holdoutDay.toEpochDay() + 1);
    // Nominal: the holdout days are trained on too (the other cards' rows); the lineage says so.
    TrainingSplit nominal = new TrainingSplit(first, trainDays, 0, testDays);
    TrainingSet.Summary summary =
        new TrainingSet.Summary(nominal, counts[0], counts[1], counts[2], counts[3], 0, 0, 0);
    return new Split(
        new TrainingSet(featureNames, out, summary), counts[0], counts[1], counts[2], counts[3]);
  }

  /** Whether a card is in the holdout: a stable hash of its id below {@code share}. */
  static boolean inHoldout(String customerId, double share) {
    long h = customerId.hashCode() * 0x9E3779B97F4A7C15L;
    double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
    return u < share;
  }

  /** The train and holdout rows as a training set for {@link ModelTrainer}. */
  record Split(
      TrainingSet set, long trainRows, long trainFrauds, long holdoutRows, long holdoutFrauds) {

    /** Why this split cannot be trained on, or null. */
    String shortage(RunSpec spec) {
      if (trainRows < spec.minLabelledRows() || trainFrauds < spec.minPositives()) {
        return String.format(
            Locale.ROOT,
            "too little labelled data: %,d training rows with %,d frauds (labels known by %s);"
                + " the minimum is %,d rows and %,d frauds",
            trainRows,
            trainFrauds,
            spec.asOf(),
            spec.minLabelledRows(),
            spec.minPositives());
      }
      if (holdoutFrauds == 0 || holdoutFrauds == holdoutRows) {
        return String.format(
            Locale.ROOT,
            "the holdout (%,d rows from %s) has %,d frauds: both classes are needed to compare"
                + " models",
            holdoutRows,
            spec.holdoutStart(),
            holdoutFrauds);
      }
      return null;
    }
  }

  private static Map<String, Double> scoreOnHoldout(
      ModelVersion champion, Split split, ScorerFactory scorers) throws Exception {
    List<String> columns = split.set.featureNames();
    List<String> order = champion.getSignature().getFeatures();
    int[] from = new int[order.size()];
    for (int c = 0; c < from.length; c++) {
      from[c] = columns.indexOf(order.get(c));
      if (from[c] < 0) {
        throw new IllegalStateException(
            "the champion v"
                + champion.getVersion()
                + " reads "
                + order.get(c)
                + ", which the feature set "
                + columns
                + " does not have");
      }
    }
    List<TrainingSet.Row> holdout = split.set.rows(TrainingSet.Split.TEST);
    double[] scores = new double[holdout.size()];
    boolean[] labels = new boolean[holdout.size()];
    int batch = 256;
    float[] values = new float[batch * from.length];
    double[] out = new double[batch];
    try (Scorer scorer = scorers.open(champion)) {
      for (int start = 0; start < holdout.size(); start += batch) {
        int n = Math.min(batch, holdout.size() - start);
        for (int r = 0; r < n; r++) {
          FeatureExample e = holdout.get(start + r).example();
          for (int c = 0; c < from.length; c++) {
            values[r * from.length + c] = (float) e.feature(from[c]);
          }
          labels[start + r] = holdout.get(start + r).fraud();
        }
        scorer.score(values, n, out);
        System.arraycopy(out, 0, scores, start, n);
      }
    }
    return ModelTrainer.evaluate(holdout, scores, labels, champion.getThreshold());
  }

  private static TrainingLineage lineage(TrainingLineage trained, RunSpec spec, Split split) {
    Map<String, String> parameters = new HashMap<>(trained.getParameters());
    parameters.put("run", spec.runId());
    parameters.put("window", spec.windowStart() + ".." + spec.windowEnd());
    parameters.put("labels_known_by", spec.asOf().toString());
    parameters.put(
        "holdout",
        String.format(
            Locale.ROOT,
            "%.0f%% of the cards (stable hash) of %s..%s; their rows are not trained on",
            spec.holdoutShare() * 100,
            spec.holdoutStart(),
            spec.windowEnd()));
    return TrainingLineage.newBuilder(trained)
        .setParameters(parameters)
        .setTrainingSource(trained.getTrainingSource() + ", " + spec.runId())
        .setTrainStart(day(spec.windowStart()))
        .setTrainEnd(day(spec.windowEnd().minusMillis(1)))
        .setTestStart(day(spec.holdoutStart()))
        .setTestEnd(day(spec.windowEnd().minusMillis(1)))
        .setTrainRows(split.trainRows)
        .setTrainPositives(split.trainFrauds)
        .setTestRows(split.holdoutRows)
        .setTestPositives(split.holdoutFrauds)
        .setTrigger(spec.trigger() + ": " + spec.triggerDetail() + " (" + spec.runId() + ")")
        .build();
  }

  private static String day(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC).toString();
  }

  private static String seconds(long startNanos) {
    return String.format(
        Locale.ROOT, "%.1f", Duration.ofNanos(System.nanoTime() - startNanos).toMillis() / 1000.0);
  }

  private static String format(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}

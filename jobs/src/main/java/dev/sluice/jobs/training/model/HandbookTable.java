package dev.sluice.jobs.training.model;

import dev.sluice.jobs.training.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The fraud handbook's baseline table (chapter 3.5, DOMAIN.md) with our numbers beside the
 * published ones: AUC ROC, Average Precision and Card Precision@100 on the test split.
 */
public final class HandbookTable {

  /**
   * One published row.
   *
   * @param model the handbook's name for it
   * @param aucRoc published AUC ROC
   * @param averagePrecision published Average Precision
   * @param cardPrecisionAt100 published Card Precision@100
   */
  public record Published(
      String model, double aucRoc, double averagePrecision, double cardPrecisionAt100) {}

  /** The handbook's logistic regression. */
  public static final Published LOGISTIC_REGRESSION =
      new Published("logistic regression", 0.871, 0.606, 0.291);

  /** The handbook's random scores. */
  public static final Published RANDOM_SCORES = new Published("random scores", 0.5, 0.007, 0.017);

  /** Every row of the published table, in its order. */
  public static final List<Published> PUBLISHED =
      List.of(
          LOGISTIC_REGRESSION,
          new Published("decision tree, depth 2", 0.763, 0.496, 0.241),
          new Published("decision tree, unlimited", 0.788, 0.309, 0.243),
          new Published("random forest", 0.867, 0.658, 0.287),
          new Published("XGBoost", 0.862, 0.639, 0.273),
          RANDOM_SCORES);

  /**
   * One line of the table.
   *
   * @param model the name shown
   * @param ours our test metrics by {@link ModelTrainer} metric name, or null when not trained here
   * @param published the handbook's numbers, or null when the handbook has no such model
   */
  public record Line(String model, Map<String, Double> ours, Published published) {
    public Line {
      Objects.requireNonNull(model, "model");
    }
  }

  private HandbookTable() {}

  /** The published row of a model kind, or null when the handbook has none. */
  public static Published published(ModelKind kind) {
    return kind == ModelKind.LOGISTIC_REGRESSION ? LOGISTIC_REGRESSION : null;
  }

  /**
   * The metrics of uniformly random scores on the test rows (the handbook's "random scores"
   * baseline), seeded.
   */
  public static Map<String, Double> randomScores(TrainingSet set, long seed) {
    List<TrainingSet.Row> test = set.rows(TrainingSet.Split.TEST);
    SplittableRandom random = new SplittableRandom(seed);
    double[] scores = new double[test.size()];
    boolean[] labels = new boolean[test.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = random.nextDouble();
      labels[i] = test.get(i).fraud();
    }
    return ModelTrainer.evaluate(test, scores, labels, ModelTrainer.DEFAULT_THRESHOLD);
  }

  /**
   * The lines for trained models and random scores, followed by the published models not trained
   * here (for reference).
   */
  public static List<Line> lines(List<TrainedModel> models, Map<String, Double> random) {
    List<Line> lines = new ArrayList<>();
    List<Published> shown = new ArrayList<>();
    for (TrainedModel model : models) {
      Published published = published(model.kind());
      lines.add(new Line(model.kind().displayName(), model.metrics(), published));
      shown.add(published);
    }
    if (random != null) {
      lines.add(new Line(RANDOM_SCORES.model(), random, RANDOM_SCORES));
      shown.add(RANDOM_SCORES);
    }
    for (Published published : PUBLISHED) {
      if (!shown.contains(published)) {
        lines.add(new Line(published.model(), null, published));
      }
    }
    return lines;
  }

  /**
   * A Markdown table like DOMAIN.md's, each cell "ours / handbook"; "-" where a side has no number.
   */
  public static String format(List<Line> lines) {
    StringBuilder out = new StringBuilder();
    out.append("| model | AUC ROC (ours / handbook) | Average Precision (ours / handbook)")
        .append(" | Card Precision@100 (ours / handbook) |\n")
        .append("|---|---|---|---|\n");
    for (Line line : lines) {
      Published p = line.published();
      out.append("| ")
          .append(line.model())
          .append(" | ")
          .append(cell(line.ours(), ModelTrainer.AUC_ROC, p == null ? Double.NaN : p.aucRoc()))
          .append(" | ")
          .append(
              cell(
                  line.ours(),
                  ModelTrainer.AVERAGE_PRECISION,
                  p == null ? Double.NaN : p.averagePrecision()))
          .append(" | ")
          .append(
              cell(
                  line.ours(),
                  ModelTrainer.CARD_PRECISION_AT_100,
                  p == null ? Double.NaN : p.cardPrecisionAt100()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String cell(Map<String, Double> ours, String metric, double theirs) {
    double value = ours == null ? Double.NaN : ours.getOrDefault(metric, Double.NaN);
    return number(value) + " / " + number(theirs);
  }

  private static String number(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }
}

package dev.sluice.operators.monitoring.evaluation;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.operators.evaluation.BinaryMetrics;
import dev.sluice.operators.evaluation.CardPrecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link ModelMetrics} of one model key over one window's rows, without Flink: what {@link
 * WindowEvaluator} emits, usable offline on the same rows.
 *
 * <p>Realized metrics ({@link #REALIZED_KEYS}) are over the LABELLED rows only, with {@link
 * BinaryMetrics} and {@link CardPrecision} (days = UTC epoch days of the event times); all NaN
 * while no row is labelled. Estimated metrics ({@link #ESTIMATED_KEYS}) are {@link
 * ConfidenceBasedEstimates} over every row. The threshold is that of the latest row (by event time,
 * then event id); a version's threshold normally does not change.
 *
 * <p>Rows are sorted by (event time, event id) first, so the result does not depend on the order
 * state returns them in.
 */
public final class WindowMetrics {
  /** Keys of {@link ModelMetrics#getRealized()}. */
  public static final List<String> REALIZED_KEYS =
      List.of(
          "auc_roc",
          "average_precision",
          "log_loss",
          "brier",
          "precision",
          "recall",
          "f1",
          "card_precision_at_k");

  /** Keys of {@link ModelMetrics#getEstimated()}. */
  public static final List<String> ESTIMATED_KEYS =
      List.of("auc_roc", "precision", "recall", "f1", "positive_rate");

  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  private WindowMetrics() {}

  /**
   * Computes the metrics of a window.
   *
   * @param rows the window's rows, at least one, all of one model key
   * @param windowStart inclusive, epoch ms
   * @param windowEnd exclusive, epoch ms
   * @param status PROVISIONAL or FINAL
   * @param k of Card Precision@k
   * @param emittedAt processing time of emission
   */
  public static ModelMetrics compute(
      List<LabelledPrediction> rows,
      long windowStart,
      long windowEnd,
      MetricsStatus status,
      int k,
      Instant emittedAt) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a window has at least one row");
    }
    List<LabelledPrediction> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.<LabelledPrediction>comparingLong(r -> r.eventTime)
            .thenComparing(r -> r.eventId));
    LabelledPrediction latest = sorted.get(sorted.size() - 1);
    double threshold = latest.threshold;

    int n = sorted.size();
    double[] allScores = new double[n];
    List<LabelledPrediction> labelled = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      LabelledPrediction r = sorted.get(i);
      allScores[i] = r.score;
      if (r.status == LabelledPrediction.LabelStatus.LABELLED) {
        labelled.add(r);
      }
    }
    int m = labelled.size();
    double[] scores = new double[m];
    boolean[] labels = new boolean[m];
    long[] days = new long[m];
    String[] cards = new String[m];
    long positives = 0;
    double lagSum = 0;
    for (int i = 0; i < m; i++) {
      LabelledPrediction r = labelled.get(i);
      scores[i] = r.score;
      labels[i] = r.fraud;
      days[i] = Math.floorDiv(r.eventTime, DAY_MS);
      cards[i] = r.cardId;
      positives += r.fraud ? 1 : 0;
      lagSum += r.labelLagMillis;
    }

    Map<String, Double> realized = new LinkedHashMap<>();
    if (m == 0) {
      REALIZED_KEYS.forEach(key -> realized.put(key, Double.NaN));
    } else {
      BinaryMetrics.Confusion confusion = BinaryMetrics.atThreshold(scores, labels, threshold);
      realized.put("auc_roc", BinaryMetrics.rocAuc(scores, labels));
      realized.put("average_precision", BinaryMetrics.averagePrecision(scores, labels));
      realized.put("log_loss", BinaryMetrics.logLoss(scores, labels));
      realized.put("brier", BinaryMetrics.brierScore(scores, labels));
      realized.put("precision", confusion.precision());
      realized.put("recall", confusion.recall());
      realized.put("f1", confusion.f1());
      realized.put("card_precision_at_k", CardPrecision.atK(k, days, cards, scores, labels).mean());
    }

    ConfidenceBasedEstimates cbpe = ConfidenceBasedEstimates.of(allScores, threshold);
    Map<String, Double> estimated = new LinkedHashMap<>();
    estimated.put("auc_roc", cbpe.rocAuc());
    estimated.put("precision", cbpe.precision());
    estimated.put("recall", cbpe.recall());
    estimated.put("f1", cbpe.f1());
    estimated.put("positive_rate", cbpe.positiveRate());

    return ModelMetrics.newBuilder()
        .setModelName(latest.modelName)
        .setModelVersion(latest.modelVersion)
        .setShadow(latest.shadow)
        .setWindowStart(Instant.ofEpochMilli(windowStart))
        .setWindowEnd(Instant.ofEpochMilli(windowEnd))
        .setStatus(status)
        .setPredictions(n)
        .setLabelled(m)
        .setPositives(positives)
        .setLabelCoverage(m / (double) n)
        .setMeanLabelLagMillis(m == 0 ? Double.NaN : lagSum / m)
        .setRealized(realized)
        .setEstimated(estimated)
        .setThreshold(threshold)
        .setK(k)
        .setEmittedAt(emittedAt)
        .build();
  }
}

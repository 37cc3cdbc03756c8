package dev.sluice.jobs.training.model;

import ai.onnx.proto.OnnxMl;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.ReferenceProfile;
import dev.sluice.avro.models.TrainingLineage;
import dev.sluice.jobs.training.FeatureExample;
import dev.sluice.jobs.training.TrainingSet;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.operators.evaluation.BinaryMetrics;
import dev.sluice.operators.evaluation.CardPrecision;
import dev.sluice.operators.evaluation.ProfileBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a fraud model on a {@link TrainingSet}, evaluates it on the test split with the handbook's
 * metrics, profiles the training split and exports ONNX, in that order:
 *
 * <ol>
 *   <li>fit a {@link Standardization} on the train rows only;
 *   <li>train the {@link ModelKind}'s Tribuo trainer on the standardised train rows (labels {@value
 *       #NEGATIVE} and {@value #POSITIVE}; deterministic for a seed: the rows come in the training
 *       set's order);
 *   <li>score the test rows and compute {@link #AUC_ROC}, {@link #AVERAGE_PRECISION}, {@link
 *       #CARD_PRECISION_AT_100}, {@link #LOG_LOSS}, {@link #BRIER} and precision / recall / F1 at
 *       the threshold; Card Precision@100 groups by the row's customer and UTC day;
 *   <li>profile the train rows' raw features, the model's scores on them and their labels;
 *   <li>export ONNX and read the input order and the positive column from the model itself: Tribuo
 *       numbers features by its feature map (sorted by name), not in the training set's order, so
 *       the signature's features and the preprocessing arrays follow {@code getFeatureIDMap()}, and
 *       the fraud column is {@code getOutputIDInfo().getID(fraud)}.
 * </ol>
 *
 * <p>The exported graph reads standardised values; the registry's {@code Preprocessing} tells the
 * scorer to standardise the raw feature values first. Tribuo's export carries its provenance
 * (training time, host, JVM) as metadata and as the model's doc string; both are replaced so that
 * the same data and seed give byte-identical ONNX (and SHA-256), and the same facts are in the
 * {@link TrainingLineage}.
 */
public final class ModelTrainer {
  public static final String AUC_ROC = "auc_roc";
  public static final String AVERAGE_PRECISION = "average_precision";
  public static final String CARD_PRECISION_AT_100 = "card_precision_at_100";
  public static final String LOG_LOSS = "log_loss";
  public static final String BRIER = "brier";
  public static final String PRECISION = "precision";
  public static final String RECALL = "recall";
  public static final String F1 = "f1";

  /** Tribuo label of a genuine transaction. */
  public static final String NEGATIVE = "0";

  /** Tribuo label of a fraud. */
  public static final String POSITIVE = "1";

  /**
   * Decision threshold on the fraud probability. The handbook reports threshold-free metrics and
   * uses 0.5 for its threshold-based ones; choosing an operating point is the investigators' call
   * (Card Precision@k is the handbook's answer), so the candidate keeps 0.5.
   */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** Cards an investigator team checks per day in the handbook's Card Precision@k. */
  public static final int CARDS_PER_DAY = 100;

  /** ONNX domain of the exported graph. */
  static final String ONNX_DOMAIN = "dev.sluice.fraud";

  private static final LabelFactory LABELS = new LabelFactory();

  private ModelTrainer() {}

  /**
   * Trains, evaluates, profiles and exports one model.
   *
   * @param set train and test rows; both splits must have rows, the train split both classes
   * @param kind which model
   * @param seed the trainer's seed
   * @param context feature versions, code version, source and trigger for the lineage
   * @throws IllegalArgumentException if the set does not fit the context's features or a split is
   *     unusable
   */
  public static TrainedModel train(
      TrainingSet set, ModelKind kind, long seed, TrainingContext context) {
    Objects.requireNonNull(set, "set");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(context, "context");
    if (!set.featureNames().equals(context.featureNames())) {
      throw new IllegalArgumentException(
          "training set columns "
              + set.featureNames()
              + " differ from the feature set's "
              + context.featureNames());
    }
    List<TrainingSet.Row> train = set.rows(TrainingSet.Split.TRAIN);
    List<TrainingSet.Row> test = set.rows(TrainingSet.Split.TEST);
    checkSplit(set, train, test);
    List<String> columns = set.featureNames();

    Standardization standardization = Standardization.fit(columns, raw(train));
    MutableDataset<Label> dataset =
        new MutableDataset<>(
            new SimpleDataSourceProvenance(
                "sluice training set " + set.summary().split().format(), LABELS),
            LABELS);
    String[] names = columns.toArray(String[]::new);
    for (TrainingSet.Row row : train) {
      dataset.add(example(names, standardization, row));
    }
    Model<Label> model = kind.trainer(seed).train(dataset);
    if (!(model instanceof ONNXExportable exportable)) {
      throw new IllegalStateException(kind.id() + " model is not ONNX-exportable: " + model);
    }

    List<String> onnxOrder = onnxColumnOrder(model, columns);
    int positiveIndex = model.getOutputIDInfo().getID(new Label(POSITIVE));
    if (positiveIndex < 0 || model.getOutputIDInfo().size() != 2) {
      throw new IllegalStateException(
          "expected the labels "
              + NEGATIVE
              + " and "
              + POSITIVE
              + ", model has "
              + model.getOutputIDInfo());
    }

    double[] trainScores = score(model, names, standardization, train);
    double[] testScores = score(model, names, standardization, test);
    boolean[] testLabels = labels(test);
    Map<String, Double> metrics = evaluate(test, testScores, testLabels, DEFAULT_THRESHOLD);

    OnnxMl.ModelProto proto = exportable.exportONNXModel(ONNX_DOMAIN, 0);
    byte[] onnx =
        withoutProvenance(
                proto,
                "sluice "
                    + kind.id()
                    + " ("
                    + model.getClass().getName()
                    + "), seed "
                    + seed
                    + "; lineage in the model registry")
            .toByteArray();
    ModelSignature signature =
        ModelSignature.newBuilder()
            .setInputName(proto.getGraph().getInput(0).getName())
            .setFeatures(onnxOrder)
            .setFeatureSetVersion(context.featureSetVersion())
            .setViewVersions(new LinkedHashMap<>(context.viewVersions()))
            .setOutput(OutputConvention.PROBABILITY_TENSOR)
            .setProbabilityOutput(proto.getGraph().getOutput(0).getName())
            .setPositiveClass(Integer.toString(positiveIndex))
            .setPositiveIndex(positiveIndex)
            .build();

    TrainingSplit split = set.summary().split();
    TrainingSet.Summary summary = set.summary();
    TrainingLineage lineage =
        TrainingLineage.newBuilder()
            .setTrainer(
                "tribuo " + model.getClass().getSimpleName() + " (" + kind.displayName() + ")")
            .setParameters(kind.parameters())
            .setSeed(seed)
            .setCodeVersion(context.codeVersion())
            .setTrainingSource(context.trainingSource())
            .setTrainStart(split.train().start().toString())
            .setTrainEnd(split.train().last().toString())
            .setTestStart(split.test().start().toString())
            .setTestEnd(split.test().last().toString())
            .setTrainRows(train.size())
            .setTrainPositives(summary.trainFrauds())
            .setTestRows(test.size())
            .setTestPositives(summary.testFrauds())
            .setTrigger(context.trigger())
            .build();

    ReferenceProfile profile =
        ProfileBuilder.reference(
            "train split " + split.train(),
            onnxOrder,
            rawColumns(train, columns, onnxOrder),
            trainScores,
            labels(train));

    return new TrainedModel(
        kind,
        onnx,
        signature,
        standardization.reorder(onnxOrder).toPreprocessing(),
        DEFAULT_THRESHOLD,
        lineage,
        metrics,
        profile,
        exportCheck(test, columns, onnxOrder, testScores));
  }

  /** The test metrics of scores (fraud probabilities) for the test rows. */
  public static Map<String, Double> evaluate(
      List<TrainingSet.Row> test, double[] scores, boolean[] labels, double threshold) {
    long[] days = new long[test.size()];
    String[] cards = new String[test.size()];
    for (int i = 0; i < test.size(); i++) {
      FeatureExample example = test.get(i).example();
      days[i] = TrainingSplit.epochDay(example.eventTime());
      cards[i] = example.customerId();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put(AUC_ROC, BinaryMetrics.rocAuc(scores, labels));
    metrics.put(AVERAGE_PRECISION, BinaryMetrics.averagePrecision(scores, labels));
    metrics.put(
        CARD_PRECISION_AT_100,
        CardPrecision.atK(CARDS_PER_DAY, days, cards, scores, labels).mean());
    metrics.put(LOG_LOSS, BinaryMetrics.logLoss(scores, labels));
    metrics.put(BRIER, BinaryMetrics.brierScore(scores, labels));
    BinaryMetrics.Confusion at = BinaryMetrics.atThreshold(scores, labels, threshold);
    metrics.put(PRECISION, at.precision());
    metrics.put(RECALL, at.recall());
    metrics.put(F1, at.f1());
    return metrics;
  }

  private static void checkSplit(
      TrainingSet set, List<TrainingSet.Row> train, List<TrainingSet.Row> test) {
    String split = set.summary().split().format();
    if (train.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException(
          "training set "
              + split
              + " has "
              + train.size()
              + " train and "
              + test.size()
              + " test rows: both are needed");
    }
    long frauds = train.stream().filter(TrainingSet.Row::fraud).count();
    if (frauds == 0 || frauds == train.size()) {
      throw new IllegalArgumentException(
          "the train split of "
              + split
              + " has "
              + frauds
              + " frauds in "
              + train.size()
              + " rows: a classifier needs both classes");
    }
  }

  /**
   * Column names in the model's input order. Every training column must be in the model's feature
   * map: Tribuo leaves out a feature it never saw, which would shift the ONNX columns.
   */
  private static List<String> onnxColumnOrder(Model<Label> model, List<String> columns) {
    ImmutableFeatureMap map = model.getFeatureIDMap();
    String[] order = new String[map.size()];
    for (VariableInfo info : map) {
      order[map.getID(info.getName())] = info.getName();
    }
    List<String> onnxOrder = List.of(order);
    if (onnxOrder.size() != columns.size() || !onnxOrder.containsAll(columns)) {
      throw new IllegalStateException(
          "the model's features " + onnxOrder + " are not the training columns " + columns);
    }
    return onnxOrder;
  }

  private static Example<Label> example(
      String[] names, Standardization standardization, TrainingSet.Row row) {
    return new ArrayExample<>(
        new Label(row.fraud() ? POSITIVE : NEGATIVE),
        names,
        standardization.apply(row.example().features()));
  }

  private static double[] score(
      Model<Label> model,
      String[] names,
      Standardization standardization,
      List<TrainingSet.Row> rows) {
    List<Example<Label>> examples = new ArrayList<>(rows.size());
    for (TrainingSet.Row row : rows) {
      examples.add(example(names, standardization, row));
    }
    List<Prediction<Label>> predictions = model.predict(examples);
    double[] scores = new double[rows.size()];
    for (int i = 0; i < scores.length; i++) {
      Label fraud = predictions.get(i).getOutputScores().get(POSITIVE);
      if (fraud == null) {
        throw new IllegalStateException("the model gave no probability for label " + POSITIVE);
      }
      scores[i] = fraud.getScore();
    }
    return scores;
  }

  private static List<double[]> raw(List<TrainingSet.Row> rows) {
    List<double[]> out = new ArrayList<>(rows.size());
    for (TrainingSet.Row row : rows) {
      out.add(row.example().features());
    }
    return out;
  }

  private static boolean[] labels(List<TrainingSet.Row> rows) {
    boolean[] labels = new boolean[rows.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rows.get(i).fraud();
    }
    return labels;
  }

  private static List<double[]> rawColumns(
      List<TrainingSet.Row> rows, List<String> columns, List<String> order) {
    List<double[]> out = new ArrayList<>(order.size());
    for (String name : order) {
      int from = columns.indexOf(name);
      double[] column = new double[rows.size()];
      for (int r = 0; r < column.length; r++) {
        column[r] = rows.get(r).example().feature(from);
      }
      out.add(column);
    }
    return out;
  }

  private static TrainedModel.ExportCheck exportCheck(
      List<TrainingSet.Row> rows, List<String> columns, List<String> order, double[] scores) {
    int width = order.size();
    int[] from = new int[width];
    for (int c = 0; c < width; c++) {
      from[c] = columns.indexOf(order.get(c));
    }
    float[] values = new float[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      FeatureExample example = rows.get(r).example();
      for (int c = 0; c < width; c++) {
        values[r * width + c] = (float) example.feature(from[c]);
      }
    }
    return new TrainedModel.ExportCheck(values, rows.size(), width, scores);
  }

  private static OnnxMl.ModelProto withoutProvenance(OnnxMl.ModelProto proto, String docString) {
    List<OnnxMl.StringStringEntryProto> kept = new ArrayList<>();
    for (OnnxMl.StringStringEntryProto entry : proto.getMetadataPropsList()) {
      if (!ONNXExportable.PROVENANCE_METADATA_FIELD.equals(entry.getKey())) {
        kept.add(entry);
      }
    }
    // The doc string is the provenance's text, with its timestamps.
    return proto.toBuilder()
        .clearMetadataProps()
        .addAllMetadataProps(kept)
        .setDocString(docString)
        .build();
  }
}

package dev.sluice.jobs.training;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Labelled examples split into train and test, as {@link TrainingSetBuilder} assembles them: rows
 * in event-time order (ties by transaction id), the feature column names once for all rows, and
 * what was kept, dropped and removed.
 *
 * @param featureNames column names of every row's {@link FeatureExample#feature(int) values}
 * @param rows train and test rows, ordered by event time, then transaction id
 * @param summary counts for the command line and the run's log
 */
public record TrainingSet(List<String> featureNames, List<Row> rows, Summary summary) {

  /** Avro (and so Parquet) field names; also safe as CSV headers and pandas columns. */
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TrainingSet {
    featureNames = checkFeatureNames(featureNames);
    rows = List.copyOf(rows);
    Objects.requireNonNull(summary, "summary");
    for (Row row : rows) {
      if (row.example().featureCount() != featureNames.size()) {
        throw new IllegalArgumentException(
            "row of transaction "
                + row.example().transactionId()
                + " has "
                + row.example().featureCount()
                + " values for "
                + featureNames.size()
                + " feature columns");
      }
    }
  }

  /**
   * Validates feature column names: at least one, each a valid Avro name, no duplicates, none equal
   * to a column every output already has ({@link TrainingSetWriter#FIXED_COLUMNS}).
   *
   * @return an immutable copy
   */
  static List<String> checkFeatureNames(List<String> featureNames) {
    Objects.requireNonNull(featureNames, "featureNames");
    if (featureNames.isEmpty()) {
      throw new IllegalArgumentException("a training set needs at least one feature column");
    }
    Set<String> seen = new HashSet<>();
    for (String name : featureNames) {
      if (name == null || !COLUMN_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "feature column name must match " + COLUMN_NAME + ": " + name);
      }
      if (TrainingSetWriter.FIXED_COLUMNS.contains(name)) {
        throw new IllegalArgumentException(
            "feature column name "
                + name
                + " clashes with a fixed output column "
                + TrainingSetWriter.FIXED_COLUMNS);
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("feature column " + name + " appears twice");
      }
    }
    return List.copyOf(featureNames);
  }

  /** Rows of one split, in the set's order. */
  public List<Row> rows(Split split) {
    return rows.stream().filter(row -> row.split() == split).toList();
  }

  /** Which part of the training set a row is in. */
  public enum Split {
    TRAIN("train"),
    TEST("test");

    private final String value;

    Split(String value) {
      this.value = value;
    }

    /** {@code train} or {@code test}: the value of the output's {@code split} column. */
    public String value() {
      return value;
    }
  }

  /**
   * One labelled example.
   *
   * @param example the transaction's features as of the transaction
   * @param split train or test
   * @param fraud the label
   */
  public record Row(FeatureExample example, Split split, boolean fraud) {
    public Row {
      Objects.requireNonNull(example, "example");
      Objects.requireNonNull(split, "split");
    }
  }

  /**
   * What the builder kept and why it left the rest out. Counts only transactions and labels of the
   * split's days (train start to test end): everything else is outside the set by date.
   *
   * @param split the train / delay / test days
   * @param trainRows labelled transactions of the training days
   * @param trainFrauds of which fraud
   * @param testRows labelled transactions of the test days, after removing known-compromised cards
   * @param testFrauds of which fraud
   * @param testRowsRemovedAsKnownCompromised labelled test-day transactions removed because their
   *     card was known to be compromised on that test day (the handbook's test-set cleaning)
   * @param unlabelledSkipped train and test-day transactions with a feature row but no label
   * @param labelsWithoutFeatureRow labels of train and test-day transactions that have no feature
   *     row (still used for the cleaning)
   */
  public record Summary(
      TrainingSplit split,
      long trainRows,
      long trainFrauds,
      long testRows,
      long testFrauds,
      long testRowsRemovedAsKnownCompromised,
      long unlabelledSkipped,
      long labelsWithoutFeatureRow) {

    public Summary {
      Objects.requireNonNull(split, "split");
    }

    /**
     * Several lines for the command line, e.g. {@code train 2018-07-25..2018-07-31: 66,963 ...}.
     */
    public String format() {
      return String.format(
          Locale.ROOT,
          "training split %s%n"
              + "  train %s: %,d transactions, %,d frauds (%s)%n"
              + "  delay %s: dropped%n"
              + "  test  %s: %,d transactions, %,d frauds (%s); %,d removed as known-compromised"
              + " cards%n"
              + "  skipped: %,d unlabelled transactions, %,d labels without a feature row",
          split.format(),
          split.train(),
          trainRows,
          trainFrauds,
          percent(trainFrauds, trainRows),
          split.delay(),
          split.test(),
          testRows,
          testFrauds,
          percent(testFrauds, testRows),
          testRowsRemovedAsKnownCompromised,
          unlabelledSkipped,
          labelsWithoutFeatureRow);
    }

    private static String percent(long part, long whole) {
      return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * part / (double) whole);
    }
  }
}

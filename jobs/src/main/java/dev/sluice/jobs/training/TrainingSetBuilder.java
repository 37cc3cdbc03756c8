package dev.sluice.jobs.training;

import dev.sluice.avro.Label;
import dev.sluice.jobs.training.TrainingSet.Row;
import dev.sluice.jobs.training.TrainingSet.Split;
import dev.sluice.jobs.training.TrainingSet.Summary;
import dev.sluice.jobs.training.TrainingSplit.Period;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Joins point-in-time feature rows with their labels and splits them the way the handbook's {@code
 * get_train_test_set} does (chapter 3.5; see DOMAIN.md).
 *
 * <ol>
 *   <li><b>Join</b> on transaction id. Only labelled transactions become examples; a train or
 *       test-day feature row without a label is skipped and counted, and so is a label without a
 *       feature row.
 *   <li><b>Split</b> by the UTC day of the transaction's event time ({@link TrainingSplit}):
 *       training days give TRAIN rows, test days TEST rows, the delay period and every other day
 *       are dropped.
 *   <li><b>Clean the test set</b>: a test-day transaction is removed when its card (customer) is
 *       already known to be compromised on that test day. Known on test day {@code k} (0-based)
 *       are: the customers with a fraud among the training days, plus those with a fraud on day
 *       {@code trainStart + trainDays + j - 1} for some {@code j} in {@code 0..k}. With the
 *       handbook's 7/7/7 split, a fraud on delay day {@code j} (0-based, 08-01 is 0) removes the
 *       card from test day {@code j + 1} on; the frauds of the last delay day (08-07) never count.
 *       That is the handbook's loop exactly, index for index, including that it does not use {@code
 *       delta_delay} in the day it adds.
 * </ol>
 *
 * <p><b>Only labels decide who is known-compromised</b>, as in the handbook: it assumes that the
 * label of every transaction is known {@code delayDays} after it, so a fraud counts from the day
 * the loop above adds it, whatever the label's own {@link Label#getEventTime() eventTime} (when it
 * actually arrived). The frauds come from every label of a transaction in the split's days, with or
 * without a feature row, and from the delay period too, like the handbook's {@code
 * transactions_df}. A stricter, production-like cleaning would count a fraud only once its label
 * had arrived; that is not what the published table measures, so it is not done here.
 *
 * <p><b>Deviation</b>: the handbook anchors the test days on {@code train_df.TX_TIME_DAYS.min()},
 * the first training day that has a transaction; here they are anchored on {@link
 * TrainingSplit#trainStart()}. The two agree whenever the first training day has any transaction
 * (about 10,000 a day in the demo); when it has none, the handbook silently shifts the test days.
 *
 * <p><b>Input checks</b> (each throws {@link IllegalArgumentException} naming the transaction): a
 * feature row with the wrong number of values; two feature rows for one labelled transaction; a
 * feature row whose event time or customer differs from its label's; two labels of one transaction
 * that disagree on its time or customer, or on fraud with the same {@code eventTime}. Two labels
 * that disagree on fraud are a correction: the one that became known later wins.
 *
 * <p><b>Memory</b>: labels and rows are each iterated once (labels first), so both may stream from
 * a file. Kept are one small entry per label of the split's days and the output rows; labels and
 * rows of other days are discarded as they are read.
 */
public final class TrainingSetBuilder {
  private final List<String> featureNames;
  private final TrainingSplit split;

  /**
   * @param featureNames the column names of every feature row's values
   * @param split the train / delay / test days
   */
  public TrainingSetBuilder(List<String> featureNames, TrainingSplit split) {
    this.featureNames = TrainingSet.checkFeatureNames(featureNames);
    this.split = Objects.requireNonNull(split, "split");
  }

  /**
   * Joins, splits and cleans. Iterates {@code labels} once, then {@code rows} once.
   *
   * @param rows feature rows, any order, any days
   * @param labels labels, any order, any days
   */
  public TrainingSet build(Iterable<FeatureExample> rows, Iterable<Label> labels) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(labels, "labels");
    Map<String, KnownLabel> labelByTransaction = readLabels(labels);
    Map<String, Integer> knownFromTestDay = knownCompromisedCards(labelByTransaction);

    long trainStartDay = split.trainStart().toEpochDay();
    long testStartDay = trainStartDay + split.trainDays() + split.delayDays();
    int columns = featureNames.size();
    List<Row> out = new ArrayList<>();
    long trainRows = 0;
    long trainFrauds = 0;
    long testRows = 0;
    long testFrauds = 0;
    long removed = 0;
    long unlabelled = 0;
    for (FeatureExample example : rows) {
      long day = TrainingSplit.epochDay(example.eventTime());
      Period period = split.periodOfEpochDay(day);
      if (period != Period.TRAIN && period != Period.TEST) {
        continue;
      }
      if (example.featureCount() != columns) {
        throw new IllegalArgumentException(
            "feature row of transaction "
                + example.transactionId()
                + " has "
                + example.featureCount()
                + " values for "
                + columns
                + " feature columns "
                + featureNames);
      }
      KnownLabel label = labelByTransaction.get(example.transactionId());
      if (label == null) {
        unlabelled++;
        continue;
      }
      label.join(example);
      if (period == Period.TRAIN) {
        out.add(new Row(example, Split.TRAIN, label.fraud));
        trainRows++;
        trainFrauds += label.fraud ? 1 : 0;
      } else {
        int testDay = (int) (day - testStartDay);
        Integer knownFrom = knownFromTestDay.get(example.customerId());
        if (knownFrom != null && knownFrom <= testDay) {
          removed++;
          continue;
        }
        out.add(new Row(example, Split.TEST, label.fraud));
        testRows++;
        testFrauds += label.fraud ? 1 : 0;
      }
    }

    long labelsWithoutRow = 0;
    for (KnownLabel label : labelByTransaction.values()) {
      Period period = split.periodOfEpochDay(TrainingSplit.epochDay(label.transactionTime));
      if (!label.joined && (period == Period.TRAIN || period == Period.TEST)) {
        labelsWithoutRow++;
      }
    }

    out.sort(
        Comparator.comparingLong((Row row) -> row.example().eventTime())
            .thenComparing(row -> row.example().transactionId()));
    Summary summary =
        new Summary(
            split,
            trainRows,
            trainFrauds,
            testRows,
            testFrauds,
            removed,
            unlabelled,
            labelsWithoutRow);
    return new TrainingSet(featureNames, out, summary);
  }

  /** Labels of transactions in the split's days, one per transaction (corrections resolved). */
  private Map<String, KnownLabel> readLabels(Iterable<Label> labels) {
    Map<String, KnownLabel> byTransaction = new HashMap<>();
    for (Label label : labels) {
      long transactionTime = label.getTransactionTime().toEpochMilli();
      if (split.periodOf(transactionTime) == Period.OUTSIDE) {
        continue;
      }
      KnownLabel known =
          new KnownLabel(
              label.getTransactionId(),
              transactionTime,
              label.getCustomerId(),
              label.getFraud(),
              label.getEventTime().toEpochMilli());
      KnownLabel previous = byTransaction.putIfAbsent(known.transactionId, known);
      if (previous != null) {
        byTransaction.put(known.transactionId, previous.reconcile(known));
      }
    }
    return byTransaction;
  }

  /**
   * For every customer with a fraud that the cleaning uses, the first test day (0-based) from which
   * their transactions are removed. This is the handbook's growing {@code
   * known_defrauded_customers} set turned around: customer -> the first loop iteration whose set
   * contains them.
   */
  private Map<String, Integer> knownCompromisedCards(Map<String, KnownLabel> labels) {
    long trainStartDay = split.trainStart().toEpochDay();
    long trainEndDay = trainStartDay + split.trainDays();
    Map<String, Integer> knownFrom = new HashMap<>();
    for (KnownLabel label : labels.values()) {
      if (!label.fraud) {
        continue;
      }
      long day = TrainingSplit.epochDay(label.transactionTime);
      int fromTestDay;
      if (day < trainEndDay) {
        // known_defrauded_customers = set(train_df[train_df.TX_FRAUD==1].CUSTOMER_ID)
        fromTestDay = 0;
      } else {
        // Iteration `day` adds the frauds of trainStart + trainDays + day - 1.
        long iteration = day - trainEndDay + 1;
        if (iteration >= split.testDays()) {
          continue;
        }
        fromTestDay = (int) iteration;
      }
      knownFrom.merge(label.customerId, fromTestDay, Math::min);
    }
    return knownFrom;
  }

  /** What the builder keeps of a label: small, one per labelled transaction of the split. */
  private static final class KnownLabel {
    final String transactionId;
    final long transactionTime;
    final String customerId;
    final boolean fraud;
    final long knownAt;
    boolean joined;

    KnownLabel(
        String transactionId,
        long transactionTime,
        String customerId,
        boolean fraud,
        long knownAt) {
      this.transactionId = transactionId;
      this.transactionTime = transactionTime;
      this.customerId = customerId;
      this.fraud = fraud;
      this.knownAt = knownAt;
    }

    /** Which of two labels of this transaction stands. */
    KnownLabel reconcile(KnownLabel other) {
      if (other.transactionTime != transactionTime || !other.customerId.equals(customerId)) {
        throw new IllegalArgumentException(
            "two labels of transaction "
                + transactionId
                + " disagree on the transaction: time "
                + transactionTime
                + " customer "
                + customerId
                + " vs time "
                + other.transactionTime
                + " customer "
                + other.customerId);
      }
      if (other.fraud == fraud) {
        return this;
      }
      if (other.knownAt == knownAt) {
        throw new IllegalArgumentException(
            "two labels of transaction "
                + transactionId
                + " known at the same time "
                + knownAt
                + " disagree on fraud");
      }
      // A later label corrects an earlier one.
      return other.knownAt > knownAt ? other : this;
    }

    void join(FeatureExample example) {
      if (joined) {
        throw new IllegalArgumentException(
            "two feature rows for transaction " + transactionId + "; expected one");
      }
      if (example.eventTime() != transactionTime || !example.customerId().equals(customerId)) {
        throw new IllegalArgumentException(
            "feature row and label of transaction "
                + transactionId
                + " disagree: event time "
                + example.eventTime()
                + " customer "
                + example.customerId()
                + " vs label's transaction time "
                + transactionTime
                + " customer "
                + customerId);
      }
      joined = true;
    }
  }
}

package dev.sluice.jobs.training;

import static dev.sluice.jobs.training.TrainingFixtures.FEATURES;
import static dev.sluice.jobs.training.TrainingFixtures.FIRST_DELAY_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.FIRST_TEST_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.LAST_TRAIN_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.label;
import static dev.sluice.jobs.training.TrainingFixtures.labelKnownAt;
import static dev.sluice.jobs.training.TrainingFixtures.labelOn;
import static dev.sluice.jobs.training.TrainingFixtures.row;
import static dev.sluice.jobs.training.TrainingFixtures.rowOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.avro.Label;
import dev.sluice.jobs.training.TrainingSet.Row;
import dev.sluice.jobs.training.TrainingSet.Split;
import dev.sluice.jobs.training.TrainingSet.Summary;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Join, split and the handbook's test-set cleaning. */
class TrainingSetBuilderTest {
  private final TrainingSetBuilder handbook =
      new TrainingSetBuilder(FEATURES, TrainingSplit.HANDBOOK);

  @Test
  void splitsByUtcDayAndDropsTheDelayPeriodAndOtherDays() {
    List<String> times =
        List.of(
            "2018-07-24T23:59:59.999Z", // before training: dropped
            "2018-07-25T00:00:00Z", // first train milli
            LAST_TRAIN_MILLI, // still train
            FIRST_DELAY_MILLI, // delay: dropped
            "2018-08-07T23:59:59.999Z", // delay: dropped
            FIRST_TEST_MILLI, // test
            "2018-08-14T23:59:59.999Z", // test
            "2018-08-15T00:00:00Z"); // after the test days: dropped
    List<FeatureExample> rows = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      rows.add(row("tx" + i, times.get(i), "C" + i, i, 0));
      labels.add(label("tx" + i, times.get(i), "C" + i, false));
    }

    TrainingSet set = handbook.build(rows, labels);

    assertThat(set.rows())
        .extracting(r -> r.example().transactionId(), Row::split)
        .containsExactly(
            tuple("tx1", Split.TRAIN),
            tuple("tx2", Split.TRAIN),
            tuple("tx5", Split.TEST),
            tuple("tx6", Split.TEST));
    assertThat(set.summary().trainRows()).isEqualTo(2);
    assertThat(set.summary().testRows()).isEqualTo(2);
    assertThat(set.summary().unlabelledSkipped()).isZero();
    assertThat(set.summary().labelsWithoutFeatureRow()).isZero();
  }

  /**
   * The handbook's loop with train 07-25..07-31, delay 08-01..08-07, test 08-08..08-14. Iteration
   * {@code day} (k = 0..6) tests day 08-08 + k after adding the frauds of day {@code 07-25 + 7 + k
   * - 1} = 07-31 + k: k = 0 adds 07-31 (already train), k = 1 adds 08-01, ..., k = 6 adds 08-06. So
   * a fraud on delay day j (08-01 + j) removes the card from test day k = j + 1 (08-09 + j) on, and
   * a fraud on 08-07 (j = 6) would need k = 7: never.
   *
   * <pre>
   * customer      fraud on             known from test day   its test rows
   * C_TRAIN       07-27 (train)        k=0 08-08             x1 08-08 removed, x2 08-14 removed
   * C_LAST_TRAIN  07-31 23:59:59.999   k=0 08-08             x12 08-08 removed
   * C_DELAY0      08-01 (no feature    k=1 08-09             x3 08-08 kept, x4 08-09 removed
   *               row: label only)
   * C_DELAY3      08-04                k=4 08-12             x5 08-11 23:59:59.999 kept, x6 08-12 removed
   * C_DELAY5      08-06, known late    k=6 08-14             x7 08-13 (fraud) kept, x8 08-14 removed
   * C_DELAY_LAST  08-07                never                 x9 08-14 (fraud) kept
   * C_TEST        08-09 (test)         never (test days      x10 08-09 (fraud) kept, x11 08-10 kept
   *                                    are not added)
   * C_GENUINE     none                 never                 x13 08-10 kept
   * </pre>
   *
   * Train: t1 (C_TRAIN, fraud), t2 (C_GENUINE), t3 (C_LAST_TRAIN, fraud) = 3 rows, 2 frauds. Test
   * kept: x3, x5, x7, x9, x10, x11, x13 = 7 rows, 3 frauds (x7, x9, x10); removed: x1, x2, x4, x6,
   * x8, x12 = 6.
   */
  @Test
  void removesCardsKnownToBeCompromisedExactlyAsTheHandbookLoop() {
    List<FeatureExample> rows =
        List.of(
            rowOn("t1", "2018-07-27", "C_TRAIN"),
            rowOn("t2", "2018-07-26", "C_GENUINE"),
            row("t3", LAST_TRAIN_MILLI, "C_LAST_TRAIN", 1, 1),
            rowOn("d2", "2018-08-04", "C_DELAY3"),
            rowOn("d3", "2018-08-06", "C_DELAY5"),
            row("d4", "2018-08-07T23:59:59.999Z", "C_DELAY_LAST", 1, 1),
            rowOn("x1", "2018-08-08", "C_TRAIN"),
            rowOn("x2", "2018-08-14", "C_TRAIN"),
            row("x3", FIRST_TEST_MILLI, "C_DELAY0", 1, 1),
            row("x4", "2018-08-09T00:00:00Z", "C_DELAY0", 1, 1),
            row("x5", "2018-08-11T23:59:59.999Z", "C_DELAY3", 1, 1),
            rowOn("x6", "2018-08-12", "C_DELAY3"),
            rowOn("x7", "2018-08-13", "C_DELAY5"),
            rowOn("x8", "2018-08-14", "C_DELAY5"),
            rowOn("x9", "2018-08-14", "C_DELAY_LAST"),
            rowOn("x10", "2018-08-09", "C_TEST"),
            rowOn("x11", "2018-08-10", "C_TEST"),
            rowOn("x12", "2018-08-08", "C_LAST_TRAIN"),
            rowOn("x13", "2018-08-10", "C_GENUINE"));
    List<Label> labels =
        List.of(
            labelOn("t1", "2018-07-27", "C_TRAIN", true),
            labelOn("t2", "2018-07-26", "C_GENUINE", false),
            label("t3", LAST_TRAIN_MILLI, "C_LAST_TRAIN", true),
            label("d1", FIRST_DELAY_MILLI, "C_DELAY0", true),
            labelOn("d2", "2018-08-04", "C_DELAY3", true),
            // Arrives long after the test week: the handbook's cleaning counts it anyway.
            labelKnownAt("d3", "2018-08-06T12:00:00Z", "C_DELAY5", true, "2018-09-30T00:00:00Z"),
            label("d4", "2018-08-07T23:59:59.999Z", "C_DELAY_LAST", true),
            labelOn("x1", "2018-08-08", "C_TRAIN", false),
            labelOn("x2", "2018-08-14", "C_TRAIN", false),
            label("x3", FIRST_TEST_MILLI, "C_DELAY0", false),
            label("x4", "2018-08-09T00:00:00Z", "C_DELAY0", false),
            label("x5", "2018-08-11T23:59:59.999Z", "C_DELAY3", false),
            labelOn("x6", "2018-08-12", "C_DELAY3", false),
            labelOn("x7", "2018-08-13", "C_DELAY5", true),
            labelOn("x8", "2018-08-14", "C_DELAY5", false),
            labelOn("x9", "2018-08-14", "C_DELAY_LAST", true),
            labelOn("x10", "2018-08-09", "C_TEST", true),
            labelOn("x11", "2018-08-10", "C_TEST", false),
            labelOn("x12", "2018-08-08", "C_LAST_TRAIN", false),
            labelOn("x13", "2018-08-10", "C_GENUINE", false));

    TrainingSet set = handbook.build(rows, labels);

    assertThat(set.rows(Split.TRAIN))
        .extracting(r -> r.example().transactionId(), Row::fraud)
        .containsExactly(tuple("t2", false), tuple("t1", true), tuple("t3", true));
    assertThat(set.rows(Split.TEST))
        .extracting(r -> r.example().transactionId(), Row::fraud)
        .containsExactly(
            tuple("x3", false),
            tuple("x10", true),
            tuple("x11", false), // same time as x13: by transaction id
            tuple("x13", false),
            tuple("x5", false),
            tuple("x7", true),
            tuple("x9", true));
    assertThat(set.summary()).isEqualTo(new Summary(TrainingSplit.HANDBOOK, 3, 2, 7, 3, 6, 0, 0));
  }

  @Test
  void withoutDelayTheLoopAddsThePreviousTestDay() {
    // Train 07-25..07-31, test 08-01..08-03. Iteration k adds 07-31 + k: k = 1 adds test day 0
    // (08-01), so C's fraud on 08-01 removes C's 08-02 transaction; k = 2 adds 08-02.
    TrainingSetBuilder noDelay =
        new TrainingSetBuilder(FEATURES, new TrainingSplit(LocalDate.of(2018, 7, 25), 7, 0, 3));
    List<FeatureExample> rows =
        List.of(
            rowOn("a", "2018-08-01", "C"),
            rowOn("b", "2018-08-02", "C"),
            rowOn("c", "2018-08-02", "D"));
    List<Label> labels =
        List.of(
            labelOn("a", "2018-08-01", "C", true),
            labelOn("b", "2018-08-02", "C", false),
            labelOn("c", "2018-08-02", "D", false));

    TrainingSet set = noDelay.build(rows, labels);

    assertThat(set.rows()).extracting(r -> r.example().transactionId()).containsExactly("a", "c");
    assertThat(set.summary().testRowsRemovedAsKnownCompromised()).isEqualTo(1);
  }

  @Test
  void skipsAndCountsUnlabelledTransactionsAndLabelsWithoutRows() {
    List<FeatureExample> rows =
        List.of(
            rowOn("labelled", "2018-07-26", "C1"),
            rowOn("unlabelled-train", "2018-07-26", "C2"),
            rowOn("unlabelled-test", "2018-08-10", "C3"),
            rowOn("unlabelled-delay", "2018-08-03", "C4"), // dropped by date, not counted
            rowOn("unlabelled-outside", "2018-06-01", "C5")); // dropped by date, not counted
    List<Label> labels =
        List.of(
            labelOn("labelled", "2018-07-26", "C1", false),
            labelOn("no-row-train", "2018-07-27", "C6", false),
            labelOn("no-row-test", "2018-08-09", "C7", true),
            labelOn("no-row-delay", "2018-08-02", "C8", false), // not counted
            labelOn("no-row-outside", "2018-09-02", "C9", false)); // not counted

    TrainingSet set = handbook.build(rows, labels);

    assertThat(set.rows()).extracting(r -> r.example().transactionId()).containsExactly("labelled");
    assertThat(set.summary().unlabelledSkipped()).isEqualTo(2);
    assertThat(set.summary().labelsWithoutFeatureRow()).isEqualTo(2);
  }

  @Test
  void ordersRowsByEventTimeThenTransactionId() {
    List<FeatureExample> rows =
        new ArrayList<>(
            List.of(
                row("b", "2018-07-26T10:00:00Z", "C", 2, 0),
                row("a", "2018-07-26T10:00:00Z", "C", 1, 0),
                row("c", "2018-07-25T10:00:00Z", "C", 3, 0),
                row("z", "2018-08-08T00:00:00Z", "C", 4, 0)));
    Collections.reverse(rows);
    List<Label> labels =
        List.of(
            label("a", "2018-07-26T10:00:00Z", "C", false),
            label("b", "2018-07-26T10:00:00Z", "C", false),
            label("c", "2018-07-25T10:00:00Z", "C", false),
            label("z", "2018-08-08T00:00:00Z", "C", false));

    TrainingSet set = handbook.build(rows, labels);

    assertThat(set.rows())
        .extracting(r -> r.example().transactionId())
        .containsExactly("c", "a", "b", "z");
    assertThat(set.rows().get(0).example().feature(0)).isEqualTo(3.0);
    assertThat(set.featureNames()).isEqualTo(FEATURES);
  }

  @Test
  void aLaterLabelCorrectsAnEarlierOne() {
    List<Label> labels =
        List.of(
            labelKnownAt("tx", "2018-07-26T10:00:00Z", "C", false, "2018-07-27T00:00:00Z"),
            labelKnownAt("tx", "2018-07-26T10:00:00Z", "C", true, "2018-08-20T00:00:00Z"),
            // A re-delivery of the first one, read last: still superseded.
            labelKnownAt("tx", "2018-07-26T10:00:00Z", "C", false, "2018-07-27T00:00:00Z"));

    TrainingSet set = handbook.build(List.of(row("tx", "2018-07-26T10:00:00Z", "C", 1, 0)), labels);

    assertThat(set.rows()).singleElement().extracting(Row::fraud).isEqualTo(true);
  }

  @Test
  void inconsistentInputFailsNamingTheTransaction() {
    FeatureExample tx = rowOn("tx", "2018-07-26", "C");
    Label labelled = labelOn("tx", "2018-07-26", "C", false);

    assertThatThrownBy(
            () ->
                handbook.build(
                    List.of(row("tx", "2018-07-26T12:00:00Z", "C", 1)), List.of(labelled)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transaction tx has 1 values for 2 feature columns");
    assertThatThrownBy(() -> handbook.build(List.of(tx, tx), List.of(labelled)))
        .hasMessageContaining("two feature rows for transaction tx");
    assertThatThrownBy(
            () -> handbook.build(List.of(tx), List.of(labelOn("tx", "2018-07-26", "OTHER", false))))
        .hasMessageContaining("feature row and label of transaction tx disagree");
    assertThatThrownBy(
            () ->
                handbook.build(
                    List.of(tx),
                    List.of(
                        labelKnownAt(
                            "tx", "2018-07-26T12:00:00Z", "C", false, "2018-07-28T00:00:00Z"),
                        labelKnownAt(
                            "tx", "2018-07-26T12:00:00Z", "C", true, "2018-07-28T00:00:00Z"))))
        .hasMessageContaining("two labels of transaction tx known at the same time");
  }

  @Test
  void rejectsFeatureNamesTheOutputCannotHold() {
    TrainingSplit split = TrainingSplit.HANDBOOK;

    assertThatThrownBy(() -> new TrainingSetBuilder(List.of("A", "A"), split))
        .hasMessageContaining("feature column A appears twice");
    assertThatThrownBy(() -> new TrainingSetBuilder(List.of("TX_FRAUD"), split))
        .hasMessageContaining("TX_FRAUD clashes with a fixed output column");
    assertThatThrownBy(() -> new TrainingSetBuilder(List.of("amount in $"), split))
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> new TrainingSetBuilder(List.of(), split))
        .hasMessageContaining("at least one feature column");
  }

  @Test
  void summaryFormatsForTheCommandLine() {
    Summary summary = new Summary(TrainingSplit.HANDBOOK, 66_963, 598, 58_264, 385, 1_234, 5, 7);

    assertThat(summary.format())
        .isEqualToNormalizingNewlines(
            """
            training split 2018-07-25/7/7/7
              train 2018-07-25..2018-07-31: 66,963 transactions, 598 frauds (0.89%)
              delay 2018-08-01..2018-08-07: dropped
              test  2018-08-08..2018-08-14: 58,264 transactions, 385 frauds (0.66%); \
            1,234 removed as known-compromised cards
              skipped: 5 unlabelled transactions, 7 labels without a feature row""");
  }

  /**
   * Random days, customers and frauds through the builder and through a line-by-line transcription
   * of the handbook's {@code get_train_test_set}: the same test rows must survive, for several
   * split shapes.
   */
  @Test
  void agreesWithALiteralTranscriptionOfTheHandbookLoopOnRandomData() {
    Random random = new Random(42);
    for (TrainingSplit split :
        List.of(
            TrainingSplit.HANDBOOK,
            new TrainingSplit(LocalDate.of(2018, 7, 25), 3, 0, 5),
            new TrainingSplit(LocalDate.of(2018, 7, 25), 2, 2, 6),
            new TrainingSplit(LocalDate.of(2018, 7, 25), 5, 10, 2))) {
      List<FeatureExample> rows = new ArrayList<>();
      List<Label> labels = new ArrayList<>();
      long firstDay = split.trainStart().toEpochDay() - 2;
      int days = split.all().days() + 4;
      for (int i = 0; i < 3_000; i++) {
        long millis = (firstDay + random.nextInt(days)) * 86_400_000L + random.nextInt(86_400_000);
        String customer = "C" + random.nextInt(60);
        boolean fraud = random.nextInt(15) == 0;
        String id = "tx" + i;
        String instant = Instant.ofEpochMilli(millis).toString();
        rows.add(row(id, instant, customer, i, 0));
        labels.add(label(id, instant, customer, fraud));
      }

      TrainingSet set = new TrainingSetBuilder(FEATURES, split).build(rows, labels);

      Set<String> expectedTest = handbookTestSet(split, rows, labels);
      assertThat(set.rows(Split.TEST))
          .extracting(r -> r.example().transactionId())
          .as("test rows for split %s", split.format())
          .containsExactlyInAnyOrderElementsOf(expectedTest);
      long removed =
          rows.stream().filter(r -> split.periodOf(r.eventTime()).name().equals("TEST")).count()
              - expectedTest.size();
      assertThat(set.summary().testRowsRemovedAsKnownCompromised()).isEqualTo(removed);
      assertThat(removed).as("the data must exercise the cleaning").isPositive();
    }
  }

  /** The handbook's loop, statement by statement, over TX_TIME_DAYS = UTC epoch day. */
  private static Set<String> handbookTestSet(
      TrainingSplit split, List<FeatureExample> rows, List<Label> labels) {
    Map<String, Boolean> fraudById = new HashMap<>();
    labels.forEach(l -> fraudById.put(l.getTransactionId(), l.getFraud()));
    long start = split.trainStart().toEpochDay();
    Set<String> known = new HashSet<>();
    long minTrainDay = Long.MAX_VALUE;
    for (FeatureExample r : rows) {
      long day = TrainingSplit.epochDay(r.eventTime());
      if (day >= start && day < start + split.trainDays()) {
        minTrainDay = Math.min(minTrainDay, day);
        if (fraudById.get(r.transactionId())) {
          known.add(r.customerId());
        }
      }
    }
    Set<String> test = new HashSet<>();
    for (int day = 0; day < split.testDays(); day++) {
      long testDay = minTrainDay + split.trainDays() + split.delayDays() + day;
      long delayDay = minTrainDay + split.trainDays() + day - 1;
      for (FeatureExample r : rows) {
        if (TrainingSplit.epochDay(r.eventTime()) == delayDay && fraudById.get(r.transactionId())) {
          known.add(r.customerId());
        }
      }
      for (FeatureExample r : rows) {
        if (TrainingSplit.epochDay(r.eventTime()) == testDay && !known.contains(r.customerId())) {
          test.add(r.transactionId());
        }
      }
    }
    return test;
  }
}

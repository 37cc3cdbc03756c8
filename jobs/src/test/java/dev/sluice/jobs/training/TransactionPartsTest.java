package dev.sluice.jobs.training;

import static dev.sluice.jobs.training.TrainingFixtures.at;
import static dev.sluice.jobs.training.TrainingFixtures.labelKnownAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.training.TransactionParts.Outcome;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * The join's merge and classification rules without Flink: the result must not depend on the order
 * or grouping in which a reduce meets the parts, and conflicts must name the transaction.
 */
class TransactionPartsTest {
  private static final FeatureSet<?> FEATURES =
      FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);
  private static final TransactionParts.Columns COLUMNS = new TransactionParts.Columns(FEATURES);
  private static final String TX = "tx-1";
  private static final String TX_TIME = "2018-05-01T10:00:00Z";

  /** Labels are known by then unless a test says otherwise. */
  private static final long KNOWN_BY = at("2018-06-01T00:00:00Z");

  @Test
  void aRowFromEveryViewAndAKnownLabelIsAnExampleWithTheValuesInModelInputOrder() {
    TransactionParts joined = mergeAll(rows(TX, 0.0), label(true, "2018-05-03T00:00:00Z"));

    assertThat(joined.classify(COLUMNS)).isEqualTo(Outcome.EXAMPLE);
    LabelledHistoryJob.LabelledExample example = joined.toExample();
    assertThat(example.fraud()).isTrue();
    assertThat(example.labelKnownAt()).isEqualTo(at("2018-05-03T00:00:00Z"));
    assertThat(example.example().customerId()).isEqualTo("c-1");
    assertThat(example.example().terminalId()).isEqualTo("t-1");
    assertThat(example.example().features()).containsExactly(expectedValues(0.0));
    assertThat(joined.viewRows).isEqualTo(3);
  }

  @Test
  void theLastKnownLabelWinsWhateverTheOrder() {
    TransactionParts early = label(true, "2018-05-02T00:00:00Z");
    TransactionParts middle = label(false, "2018-05-03T00:00:00Z");
    TransactionParts late = label(true, "2018-05-04T00:00:00Z");
    TransactionParts afterKnownBy = label(false, "2018-07-01T00:00:00Z");
    for (List<TransactionParts> order :
        List.of(
            List.of(early, middle, late, afterKnownBy),
            List.of(late, afterKnownBy, middle, early),
            List.of(early, late, middle, afterKnownBy),
            List.of(afterKnownBy, middle, late, early))) {
      List<TransactionParts> parts = new ArrayList<>(rows(TX, 0.0));
      order.forEach(p -> parts.add(copy(p)));
      TransactionParts joined = mergeAll(parts);
      assertThat(joined.classify(COLUMNS)).isEqualTo(Outcome.EXAMPLE);
      assertThat(joined.toExample().fraud()).isTrue();
      assertThat(joined.toExample().labelKnownAt()).isEqualTo(at("2018-05-04T00:00:00Z"));
    }
  }

  @Test
  void labelsKnownOnlyAfterTheInstantOrNoneAtAllAreCountedApart() {
    TransactionParts later = mergeAll(rows(TX, 0.0), label(true, "2018-07-01T00:00:00Z"));
    assertThat(later.classify(COLUMNS)).isEqualTo(Outcome.LABEL_NOT_YET_KNOWN);
    assertThat(later.values).isNull();

    assertThat(mergeAll(rows(TX, 0.0)).classify(COLUMNS)).isEqualTo(Outcome.UNLABELLED);
  }

  @Test
  void aMissingViewMakesTheTransactionIncompleteAndALabelAloneHasNoRow() {
    List<TransactionParts> rows = rows(TX, 0.0);
    TransactionParts twoViews =
        mergeAll(rows.get(0), rows.get(2), label(false, "2018-05-03T00:00:00Z"));
    assertThat(twoViews.classify(COLUMNS)).isEqualTo(Outcome.INCOMPLETE);

    assertThat(mergeAll(label(false, "2018-05-03T00:00:00Z")).classify(COLUMNS))
        .isEqualTo(Outcome.NO_ROW);
  }

  @Test
  void rowsOfAnotherVersionAreOnlyCounted() {
    ViewSchema customers = FEATURES.schemas().get(1);
    ViewRow old = row(customers, TX, 9.0);
    old.version = "an-older-definition";
    TransactionParts other = TransactionParts.ofRow(old, 1, COLUMNS);
    assertThat(other.otherVersionRows).isEqualTo(1);
    assertThat(other.views).isZero();

    List<TransactionParts> parts = new ArrayList<>(rows(TX, 0.0));
    parts.add(other);
    parts.add(label(false, "2018-05-03T00:00:00Z"));
    TransactionParts joined = mergeAll(parts);
    assertThat(joined.classify(COLUMNS)).isEqualTo(Outcome.EXAMPLE);
    assertThat(joined.toExample().example().features()).containsExactly(expectedValues(0.0));
    assertThat(joined.otherVersionRows).isEqualTo(1);
    assertThat(joined.viewRows).isEqualTo(3);

    TransactionParts onlyOther = mergeAll(copy(other));
    assertThat(onlyOther.classify(COLUMNS)).isEqualTo(Outcome.NO_ROW);
  }

  @Test
  void ofTwoRowsThatDisagreeTheLaterWrittenStandsInEitherOrder() {
    ViewSchema customer = FEATURES.schemas().get(1);
    for (boolean newerFirst : new boolean[] {false, true}) {
      TransactionParts older = TransactionParts.ofRow(row(customer, TX, 0.0, 100), 1, COLUMNS);
      TransactionParts newer = TransactionParts.ofRow(row(customer, TX, 5.0, 200), 1, COLUMNS);
      List<TransactionParts> parts = new ArrayList<>(rows(TX, 0.0));
      parts.remove(1);
      parts.addAll(newerFirst ? List.of(newer, older) : List.of(older, newer));
      TransactionParts joined = mergeAll(parts);
      assertThat(joined.replacedRows).as("newer first: %s", newerFirst).isEqualTo(1);
      assertThat(joined.viewRows).isEqualTo(4);
      int from = COLUMNS.offsets[1];
      assertThat(joined.values[from]).isEqualTo(5.0 + from);
      assertThat(joined.producedAt[1]).isEqualTo(200);
    }
  }

  @Test
  void aRepeatedRowIsJoinedOnceButRowsThatDisagreeAreAnError() {
    List<TransactionParts> parts = new ArrayList<>(rows(TX, 0.0));
    parts.addAll(rows(TX, 0.0));
    TransactionParts joined = mergeAll(parts);
    assertThat(joined.viewRows).isEqualTo(6);
    assertThat(joined.classify(COLUMNS)).isEqualTo(Outcome.UNLABELLED);

    List<TransactionParts> disagreeing = new ArrayList<>(rows(TX, 0.0));
    disagreeing.add(rows(TX, 1.0).get(1));
    assertThatThrownBy(() -> mergeAll(disagreeing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "two rows of view customer_spending for transaction tx-1 written at the same instant"
                + " disagree");
  }

  @Test
  void conflictingLabelsOrALabelOfAnotherTransactionAreErrorsNamingIt() {
    assertThatThrownBy(
            () ->
                mergeAll(label(true, "2018-05-03T00:00:00Z"), label(false, "2018-05-03T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two labels of transaction tx-1 known at the same time");

    TransactionParts otherCustomer =
        TransactionParts.ofLabel(
            labelKnownAt(TX, TX_TIME, "c-2", true, "2018-05-03T00:00:00Z"), KNOWN_BY);
    TransactionParts joined = mergeAll(rows(TX, 0.0));
    joined.merge(otherCustomer, COLUMNS);
    assertThatThrownBy(() -> joined.classify(COLUMNS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature rows and label of transaction tx-1 disagree");
  }

  @Test
  void partsAreFlinkPojos() {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(TransactionParts.class);
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(ViewRow.class);
  }

  /** A row of every view of the set for {@code tx}, each value {@code base} plus its column. */
  private static List<TransactionParts> rows(String tx, double base) {
    List<TransactionParts> parts = new ArrayList<>();
    List<ViewSchema> schemas = FEATURES.schemas();
    for (int v = 0; v < schemas.size(); v++) {
      parts.add(TransactionParts.ofRow(row(schemas.get(v), tx, base), v, COLUMNS));
    }
    return parts;
  }

  private static ViewRow row(ViewSchema view, String tx, double base) {
    return row(view, tx, base, 0);
  }

  private static ViewRow row(ViewSchema view, String tx, double base, long producedAt) {
    double[] values = new double[view.columns().size()];
    int offset = COLUMNS.offsets[FEATURES.schemas().indexOf(view)];
    for (int i = 0; i < values.length; i++) {
      values[i] = base + offset + i;
    }
    String entity =
        switch (view.entity()) {
          case "customer" -> "c-1";
          case "terminal" -> "t-1";
          default -> tx;
        };
    return new ViewRow(view.view(), view.version(), entity, tx, at(TX_TIME), producedAt, values);
  }

  private static double[] expectedValues(double base) {
    double[] values = new double[COLUMNS.width];
    Arrays.setAll(values, i -> base + i);
    return values;
  }

  private static TransactionParts label(boolean fraud, String knownAt) {
    return TransactionParts.ofLabel(labelKnownAt(TX, TX_TIME, "c-1", fraud, knownAt), KNOWN_BY);
  }

  private static TransactionParts mergeAll(List<TransactionParts> parts) {
    TransactionParts merged = parts.get(0);
    for (TransactionParts part : parts.subList(1, parts.size())) {
      merged = merged.merge(part, COLUMNS);
    }
    return merged;
  }

  private static TransactionParts mergeAll(TransactionParts... parts) {
    return mergeAll(List.of(parts));
  }

  private static TransactionParts mergeAll(List<TransactionParts> first, TransactionParts last) {
    List<TransactionParts> parts = new ArrayList<>(first);
    parts.add(last);
    return mergeAll(parts);
  }

  /** Merging mutates the first part: reuse a part only through a copy. */
  private static TransactionParts copy(TransactionParts part) {
    TransactionParts copy = new TransactionParts();
    copy.transactionId = part.transactionId;
    copy.otherVersionRows = part.otherVersionRows;
    copy.labelled = part.labelled;
    copy.fraud = part.fraud;
    copy.labelKnownAt = part.labelKnownAt;
    copy.labelTransactionTime = part.labelTransactionTime;
    copy.labelCustomerId = part.labelCustomerId;
    copy.labelKnownLater = part.labelKnownLater;
    return copy;
  }
}

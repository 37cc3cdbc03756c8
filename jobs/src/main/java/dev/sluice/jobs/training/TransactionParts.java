package dev.sluice.jobs.training;

import dev.sluice.avro.Label;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What {@link LabelledHistoryJob} knows of one transaction while it joins: the rows of the feature
 * set's views read so far (their values in model-input order) and the transaction's labels. Every
 * view row and every label starts as a part of its own ({@link #ofRow}, {@link #ofLabel}); {@link
 * #merge} combines two parts of one transaction, in any order and grouping, so a keyed {@code
 * reduce} can join them; {@link #classify} then says what became of the transaction.
 *
 * <p><b>Merge rules</b>, each independent of the order the parts arrive in:
 *
 * <ul>
 *   <li>Rows of another version of a view (another definition written to the same store) are only
 *       counted, in {@link #otherVersionRows}.
 *   <li>Two rows of one view (a replay written into the same store) with the same values count
 *       twice in {@link #viewRows} and are joined once. With other values, the one written last
 *       ({@code produced_at}) stands and the other is counted in {@link #replacedRows}; two that
 *       disagree and were written at the same instant are an error. Rows of one transaction must
 *       agree on its event time.
 *   <li>Of the labels known by {@code knownBy}, the one that became known last wins (a later label
 *       corrects an earlier one, as in {@link TrainingSetBuilder}); two labels that became known at
 *       the same instant and disagree on fraud are an error. Labels that became known after {@code
 *       knownBy} only set {@link #labelKnownLater}.
 * </ul>
 *
 * Conflicts throw {@link IllegalArgumentException} naming the transaction, which fails the job.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so that it is serialized without Kryo.
 */
public final class TransactionParts {
  /** Flink's type of the parts: a POJO. */
  public static final TypeInformation<TransactionParts> TYPE =
      TypeInformation.of(TransactionParts.class);

  /** What became of a transaction, once all its parts are merged. */
  public enum Outcome {
    /** A row from every view and a label known by {@code knownBy}: a labelled example. */
    EXAMPLE,
    /** Rows from some views but not from all. */
    INCOMPLETE,
    /** Complete, but no label at all. */
    UNLABELLED,
    /** Complete, but every label became known after {@code knownBy}. */
    LABEL_NOT_YET_KNOWN,
    /** No row of the current version of any view: a label alone, or rows of other versions. */
    NO_ROW
  }

  /** The transaction (event) id: the join key. */
  public String transactionId;

  /** The transaction's event time, epoch ms; meaningful once {@link #views} is not 0. */
  public long eventTime;

  /** The customer, from a view of entity {@code customer}; empty until one is merged. */
  public String customerId = "";

  /** The terminal, from a view of entity {@code terminal}; empty until one is merged. */
  public String terminalId = "";

  /** Every feature value in model-input order; null until a row is merged (and in non-examples). */
  public double[] values;

  /** Bit {@code v} is set when a row of view {@code v} (of its current version) is merged. */
  public int views;

  /**
   * Per view, when the merged row was written ({@code produced_at}); null until a row is merged.
   */
  public long[] producedAt;

  /** Rows of the current versions merged, duplicates included. */
  public long viewRows;

  /**
   * Rows that lost to another row of the same view with other values and a later {@code
   * produced_at} (a replay or a second run that wrote the transaction again and computed it
   * otherwise): the latest write stands.
   */
  public long replacedRows;

  /** Rows of other versions of a view, skipped. */
  public long otherVersionRows;

  /** Whether a label known by {@code knownBy} is merged; the next four fields are its. */
  public boolean labelled;

  public boolean fraud;

  /** When the winning label became known (its event time), epoch ms. */
  public long labelKnownAt;

  /** The transaction time the label names, epoch ms. */
  public long labelTransactionTime;

  /** The customer the label names. */
  public String labelCustomerId;

  /** Whether a label that became known after {@code knownBy} was seen. */
  public boolean labelKnownLater;

  /** Set by {@link #classify}; null before. */
  public Outcome outcome;

  public TransactionParts() {}

  /** A row of view {@code view} (index into {@code columns}' schemas). */
  static TransactionParts ofRow(ViewRow row, int view, Columns columns) {
    TransactionParts part = new TransactionParts();
    part.transactionId = row.eventId;
    ViewSchema schema = columns.schemas.get(view);
    if (!schema.version().equals(row.version)) {
      part.otherVersionRows = 1;
      return part;
    }
    part.eventTime = row.eventTime;
    part.values = new double[columns.width];
    System.arraycopy(row.values, 0, part.values, columns.offsets[view], row.values.length);
    part.views = 1 << view;
    part.producedAt = new long[columns.schemas.size()];
    part.producedAt[view] = row.producedAt;
    part.viewRows = 1;
    if (Columns.CUSTOMER.equals(schema.entity())) {
      part.customerId = row.entityId;
    } else if (Columns.TERMINAL.equals(schema.entity())) {
      part.terminalId = row.entityId;
    }
    return part;
  }

  /** A label, as known at {@code knownBy} (epoch ms). */
  static TransactionParts ofLabel(Label label, long knownBy) {
    TransactionParts part = new TransactionParts();
    part.transactionId = label.getTransactionId();
    long knownAt = label.getEventTime().toEpochMilli();
    if (knownAt > knownBy) {
      part.labelKnownLater = true;
      return part;
    }
    part.labelled = true;
    part.fraud = label.getFraud();
    part.labelKnownAt = knownAt;
    part.labelTransactionTime = label.getTransactionTime().toEpochMilli();
    part.labelCustomerId = label.getCustomerId();
    return part;
  }

  /** Merges {@code other} (a part of the same transaction) into this part; returns this. */
  TransactionParts merge(TransactionParts other, Columns columns) {
    if (other.views != 0) {
      if (views == 0) {
        eventTime = other.eventTime;
      } else if (eventTime != other.eventTime) {
        throw new IllegalArgumentException(
            "rows of transaction "
                + transactionId
                + " disagree on its event time: "
                + eventTime
                + " vs "
                + other.eventTime);
      }
      mergeValues(other, columns);
      if (customerId.isEmpty()) {
        customerId = other.customerId;
      }
      if (terminalId.isEmpty()) {
        terminalId = other.terminalId;
      }
    }
    viewRows += other.viewRows;
    replacedRows += other.replacedRows;
    otherVersionRows += other.otherVersionRows;
    labelKnownLater |= other.labelKnownLater;
    if (other.labelled) {
      mergeLabel(other);
    }
    return this;
  }

  private void mergeValues(TransactionParts other, Columns columns) {
    if (values == null) {
      values = other.values;
      views = other.views;
      producedAt = other.producedAt;
      return;
    }
    for (int v = 0; v < columns.schemas.size(); v++) {
      int bit = 1 << v;
      if ((other.views & bit) == 0) {
        continue;
      }
      int from = columns.offsets[v];
      int to = from + columns.schemas.get(v).columns().size();
      if ((views & bit) == 0) {
        System.arraycopy(other.values, from, values, from, to - from);
        producedAt[v] = other.producedAt[v];
        views |= bit;
      } else if (Arrays.equals(values, from, to, other.values, from, to)) {
        producedAt[v] = Math.max(producedAt[v], other.producedAt[v]);
      } else if (other.producedAt[v] != producedAt[v]) {
        // Written twice and computed otherwise: the latest write stands, whatever the order.
        replacedRows++;
        if (other.producedAt[v] > producedAt[v]) {
          System.arraycopy(other.values, from, values, from, to - from);
          producedAt[v] = other.producedAt[v];
        }
      } else {
        throw new IllegalArgumentException(
            "two rows of view "
                + columns.schemas.get(v).view()
                + " for transaction "
                + transactionId
                + " written at the same instant disagree: "
                + Arrays.toString(Arrays.copyOfRange(values, from, to))
                + " vs "
                + Arrays.toString(Arrays.copyOfRange(other.values, from, to)));
      }
    }
  }

  private void mergeLabel(TransactionParts other) {
    if (!labelled) {
      labelled = true;
      fraud = other.fraud;
      labelKnownAt = other.labelKnownAt;
      labelTransactionTime = other.labelTransactionTime;
      labelCustomerId = other.labelCustomerId;
      return;
    }
    if (other.labelTransactionTime != labelTransactionTime
        || !other.labelCustomerId.equals(labelCustomerId)) {
      throw new IllegalArgumentException(
          "two labels of transaction "
              + transactionId
              + " disagree on the transaction: time "
              + labelTransactionTime
              + " customer "
              + labelCustomerId
              + " vs time "
              + other.labelTransactionTime
              + " customer "
              + other.labelCustomerId);
    }
    if (other.labelKnownAt == labelKnownAt && other.fraud != fraud) {
      throw new IllegalArgumentException(
          "two labels of transaction "
              + transactionId
              + " known at the same time "
              + labelKnownAt
              + " disagree on fraud");
    }
    if (other.labelKnownAt > labelKnownAt) {
      fraud = other.fraud;
      labelKnownAt = other.labelKnownAt;
    }
  }

  /**
   * Sets and returns {@link #outcome}; drops the values of anything but an example.
   *
   * @throws IllegalArgumentException when an example's label names another time or customer than
   *     its rows
   */
  Outcome classify(Columns columns) {
    if (views == 0) {
      outcome = Outcome.NO_ROW;
    } else if (views != columns.allViews) {
      outcome = Outcome.INCOMPLETE;
    } else if (labelled) {
      if (labelTransactionTime != eventTime || !labelCustomerId.equals(customerId)) {
        throw new IllegalArgumentException(
            "feature rows and label of transaction "
                + transactionId
                + " disagree: event time "
                + eventTime
                + " customer "
                + customerId
                + " vs label's transaction time "
                + labelTransactionTime
                + " customer "
                + labelCustomerId);
      }
      outcome = Outcome.EXAMPLE;
    } else if (labelKnownLater) {
      outcome = Outcome.LABEL_NOT_YET_KNOWN;
    } else {
      outcome = Outcome.UNLABELLED;
    }
    if (outcome != Outcome.EXAMPLE) {
      values = null;
    }
    return outcome;
  }

  /** An example's features, labelled; only after {@link #classify} returned EXAMPLE. */
  LabelledHistoryJob.LabelledExample toExample() {
    if (outcome != Outcome.EXAMPLE) {
      throw new IllegalStateException("transaction " + transactionId + " is " + outcome);
    }
    return new LabelledHistoryJob.LabelledExample(
        new FeatureExample(transactionId, eventTime, customerId, terminalId, values),
        fraud,
        labelKnownAt);
  }

  /**
   * Where each view's values go in the model input: the feature set's views in order ({@link
   * FeatureSet#schemas()}), each view's columns at an offset, together {@link
   * FeatureSet#featureNames()}.
   */
  static final class Columns implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String CUSTOMER = "customer";
    static final String TERMINAL = "terminal";

    /** A view is a bit of {@link TransactionParts#views}. */
    static final int MAX_VIEWS = 31;

    final List<ViewSchema> schemas;
    final int[] offsets;
    final int width;
    final int allViews;

    Columns(FeatureSet<?> features) {
      this.schemas = List.copyOf(features.schemas());
      if (schemas.size() > MAX_VIEWS) {
        throw new IllegalArgumentException(
            "feature set "
                + features.name()
                + " has "
                + schemas.size()
                + " views; at most "
                + MAX_VIEWS
                + " can be joined");
      }
      this.offsets = new int[schemas.size()];
      int offset = 0;
      for (int v = 0; v < schemas.size(); v++) {
        offsets[v] = offset;
        offset += schemas.get(v).columns().size();
      }
      this.width = offset;
      if (width != features.featureNames().size()) {
        throw new IllegalStateException(
            "feature set "
                + features.name()
                + ": its views have "
                + width
                + " columns but it names "
                + features.featureNames().size()
                + " features");
      }
      this.allViews = (int) ((1L << schemas.size()) - 1);
    }
  }
}

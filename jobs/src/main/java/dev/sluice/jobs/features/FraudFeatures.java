package dev.sluice.jobs.features;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.operators.features.Aggregation;
import dev.sluice.operators.features.EventView;
import dev.sluice.operators.features.EventView.EventFeature;
import dev.sluice.operators.features.Feature;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.features.FeatureView;
import dev.sluice.operators.features.ViewInput;
import dev.sluice.operators.features.Window;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fraud demo's feature set: the handbook's 15 model inputs (chapter 3.4), declared in one
 * place. Times are UTC.
 *
 * <ul>
 *   <li>{@code transaction} (the event itself): {@code TX_AMOUNT}, {@code TX_DURING_WEEKEND}
 *       (Saturday or Sunday), {@code TX_DURING_NIGHT} (hour <= 6, i.e. 00:00-06:59).
 *   <li>{@code customer_spending}, per customer, windows {@code (t - n days, t]} with the current
 *       transaction included, n in {1, 7, 30}: {@code CUSTOMER_ID_NB_TX_<n>DAY_WINDOW} (count) and
 *       {@code CUSTOMER_ID_AVG_AMOUNT_<n>DAY_WINDOW} (sum / count).
 *   <li>{@code terminal_risk}, per terminal, windows {@code (t - (7+n) days, t - 7 days]}: {@code
 *       TERMINAL_ID_NB_TX_<n>DAY_WINDOW} (transactions) and {@code TERMINAL_ID_RISK_<n>DAY_WINDOW}
 *       (fraud labels of those transactions / transactions, 0 when there are none).
 * </ul>
 *
 * <p>Terminal risk comes in two semantics ({@link TerminalRisk}); the choice is part of the view's
 * definition and therefore of its version.
 */
public final class FraudFeatures {
  /**
   * Features that follow the calendar: a daily window is all weekend or all weekday, so comparing
   * it with a week-long reference says "drift" every day; drift monitoring leaves them out.
   */
  public static final java.util.Set<String> CALENDAR_FEATURES =
      java.util.Set.of("TX_DURING_WEEKEND");

  public static final String TRANSACTIONS = "transactions";
  public static final String LABELS = "labels";
  public static final Duration DELAY = Duration.ofDays(7);
  public static final int[] WINDOW_DAYS = {1, 7, 30};

  private FraudFeatures() {}

  /** Which labels the terminal risk of a transaction at time {@code t} may count. */
  public enum TerminalRisk {
    /**
     * Only labels that have arrived by {@code t}: what a production system knows, and the only
     * point-in-time correct choice. A label's known time is its event time.
     */
    AS_KNOWN,
    /**
     * Every label of a transaction older than the delay, whenever it arrived: the handbook's
     * assumption, to reproduce its table. It reads labels from after {@code t}: a backfill over
     * history sees them all, while the streaming job sees only those that have arrived when the row
     * is emitted (close to {@link #AS_KNOWN}, but not reproducible by a replay).
     */
    HANDBOOK;

    public static TerminalRisk parse(String text) {
      String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (TerminalRisk r : values()) {
        if (r.name().equals(normalized)) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          "unknown terminal-risk semantics '" + text + "' (expected as-known or handbook)");
    }
  }

  /** The handbook's feature set with the given terminal-risk semantics. */
  public static FeatureSet<Transaction> featureSet(TerminalRisk risk) {
    return new FeatureSet<>(
        "fraud_handbook", transactionView(), List.of(customerSpending(), terminalRisk(risk)));
  }

  static EventView<Transaction> transactionView() {
    return new EventView<>(
        "transaction",
        Transaction.class,
        Transaction::getTransactionId,
        Transaction::getEventTime,
        List.of(
            new EventFeature<Transaction>(
                "TX_AMOUNT", ValueType.DOUBLE, "amount", tx -> tx.getAmount().doubleValue()),
            new EventFeature<Transaction>(
                "TX_DURING_WEEKEND",
                ValueType.LONG,
                "1 if the UTC weekday is Saturday or Sunday",
                tx -> isWeekend(tx) ? 1.0 : 0.0),
            new EventFeature<Transaction>(
                "TX_DURING_NIGHT",
                ValueType.LONG,
                "1 if the UTC hour is <= 6",
                tx -> utc(tx).getHour() <= 6 ? 1.0 : 0.0)));
  }

  static FeatureView customerSpending() {
    ViewInput<Transaction> transactions =
        new ViewInput<>(
            TRANSACTIONS,
            Transaction.class,
            "entity=customerId, time=knownAt=eventTime, value=amount in cents",
            true,
            2,
            Transaction::getCustomerId,
            Transaction::getTransactionId,
            Transaction::getEventTime,
            Transaction::getEventTime,
            tx -> tx.getAmount().movePointRight(2).longValueExact(),
            tx -> 0L);
    List<Feature> features = new ArrayList<>();
    for (int n : WINDOW_DAYS) {
      features.add(
          new Feature.Aggregate(
              "CUSTOMER_ID_NB_TX_" + n + "DAY_WINDOW",
              TRANSACTIONS,
              Aggregation.COUNT,
              Window.last(Duration.ofDays(n))));
      features.add(
          new Feature.Aggregate(
              "CUSTOMER_ID_AVG_AMOUNT_" + n + "DAY_WINDOW",
              TRANSACTIONS,
              Aggregation.MEAN,
              Window.last(Duration.ofDays(n))));
    }
    return new FeatureView(
        "customer_spending",
        "customer",
        "the customer's transactions and mean amount over the last 1, 7 and 30 days,"
            + " the current transaction included",
        Duration.ofDays(30),
        List.of(transactions),
        features);
  }

  static FeatureView terminalRisk(TerminalRisk risk) {
    ViewInput<Transaction> transactions =
        new ViewInput<>(
            TRANSACTIONS,
            Transaction.class,
            "entity=terminalId, time=knownAt=eventTime, value=1",
            true,
            0,
            Transaction::getTerminalId,
            Transaction::getTransactionId,
            Transaction::getEventTime,
            Transaction::getEventTime,
            tx -> 1L,
            tx -> 0L);
    ViewInput<Label> labels =
        risk == TerminalRisk.AS_KNOWN
            ? new ViewInput<>(
                LABELS,
                Label.class,
                "entity=terminalId, time=transactionTime, knownAt=eventTime (as known),"
                    + " value=fraud?1:0",
                false,
                0,
                Label::getTerminalId,
                Label::getTransactionId,
                Label::getTransactionTime,
                Label::getEventTime,
                label -> label.getFraud() ? 1L : 0L,
                label -> 0L)
            : new ViewInput<>(
                LABELS,
                Label.class,
                "entity=terminalId, time=transactionTime, knownAt=transactionTime (handbook:"
                    + " every label is known after the delay), value=fraud?1:0",
                false,
                0,
                Label::getTerminalId,
                Label::getTransactionId,
                Label::getTransactionTime,
                Label::getTransactionTime,
                label -> label.getFraud() ? 1L : 0L,
                label -> 0L);
    List<Feature> features = new ArrayList<>();
    for (int n : WINDOW_DAYS) {
      Window window = Window.delayed(Duration.ofDays(n), DELAY);
      Feature.Aggregate count =
          new Feature.Aggregate(
              "TERMINAL_ID_NB_TX_" + n + "DAY_WINDOW", TRANSACTIONS, Aggregation.COUNT, window);
      features.add(count);
      features.add(
          new Feature.Ratio(
              "TERMINAL_ID_RISK_" + n + "DAY_WINDOW",
              new Feature.Aggregate("NB_FRAUD_" + n + "DAY", LABELS, Aggregation.SUM, window),
              count));
    }
    return new FeatureView(
        "terminal_risk",
        "terminal",
        "the terminal's transactions and share of fraud labels in (t-7-n days, t-7 days], n in"
            + " 1, 7, 30; labels "
            + (risk == TerminalRisk.AS_KNOWN ? "as known at t" : "as in the handbook"),
        Duration.ofDays(37),
        List.of(transactions, labels),
        features);
  }

  private static ZonedDateTime utc(Transaction tx) {
    return tx.getEventTime().atZone(ZoneOffset.UTC);
  }

  private static boolean isWeekend(Transaction tx) {
    DayOfWeek day = utc(tx).getDayOfWeek();
    return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY;
  }
}

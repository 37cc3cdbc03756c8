package dev.sluice.jobs.features;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handbook's 15 features computed the obvious way, straight from DOMAIN.md, for every
 * transaction: scan all transactions and labels of the same customer or terminal. Quadratic and
 * independent of the platform's operators, so tests can check the operators against it.
 */
final class HandbookReference {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long DELAY = 7 * DAY;

  private final Map<String, List<Transaction>> byCustomer = new HashMap<>();
  private final Map<String, List<Transaction>> byTerminal = new HashMap<>();
  private final Map<String, List<Label>> labelsByTerminal = new HashMap<>();
  private final TerminalRisk risk;

  HandbookReference(List<Transaction> transactions, List<Label> labels, TerminalRisk risk) {
    this.risk = risk;
    for (Transaction tx : transactions) {
      byCustomer.computeIfAbsent(tx.getCustomerId(), k -> new ArrayList<>()).add(tx);
      byTerminal.computeIfAbsent(tx.getTerminalId(), k -> new ArrayList<>()).add(tx);
    }
    for (Label label : labels) {
      labelsByTerminal.computeIfAbsent(label.getTerminalId(), k -> new ArrayList<>()).add(label);
    }
  }

  Map<String, Double> features(Transaction tx) {
    Map<String, Double> f = new LinkedHashMap<>();
    long t = tx.getEventTime().toEpochMilli();
    ZonedDateTime utc = tx.getEventTime().atZone(ZoneOffset.UTC);
    f.put("TX_AMOUNT", tx.getAmount().doubleValue());
    f.put(
        "TX_DURING_WEEKEND",
        utc.getDayOfWeek() == DayOfWeek.SATURDAY || utc.getDayOfWeek() == DayOfWeek.SUNDAY
            ? 1.0
            : 0.0);
    f.put("TX_DURING_NIGHT", utc.getHour() <= 6 ? 1.0 : 0.0);
    for (int n : new int[] {1, 7, 30}) {
      long count = 0;
      BigDecimal sum = BigDecimal.ZERO;
      for (Transaction other : byCustomer.get(tx.getCustomerId())) {
        long time = other.getEventTime().toEpochMilli();
        if (time > t - n * DAY && time <= t) {
          count++;
          sum = sum.add(other.getAmount());
        }
      }
      f.put("CUSTOMER_ID_NB_TX_" + n + "DAY_WINDOW", (double) count);
      f.put("CUSTOMER_ID_AVG_AMOUNT_" + n + "DAY_WINDOW", sum.doubleValue() / count);
    }
    for (int n : new int[] {1, 7, 30}) {
      long from = t - DELAY - n * DAY;
      long to = t - DELAY;
      long count = 0;
      for (Transaction other : byTerminal.get(tx.getTerminalId())) {
        long time = other.getEventTime().toEpochMilli();
        if (time > from && time <= to) {
          count++;
        }
      }
      long frauds = 0;
      for (Label label : labelsByTerminal.getOrDefault(tx.getTerminalId(), List.of())) {
        long time = label.getTransactionTime().toEpochMilli();
        boolean known = risk == TerminalRisk.HANDBOOK || label.getEventTime().toEpochMilli() <= t;
        if (label.getFraud() && known && time > from && time <= to) {
          frauds++;
        }
      }
      f.put("TERMINAL_ID_NB_TX_" + n + "DAY_WINDOW", (double) count);
      f.put("TERMINAL_ID_RISK_" + n + "DAY_WINDOW", count == 0 ? 0.0 : (double) frauds / count);
    }
    return f;
  }
}

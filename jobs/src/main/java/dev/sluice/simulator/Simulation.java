package dev.sluice.simulator;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The transaction simulator of the handbook (chapter 3.2) as one event-time-ordered stream of
 * transactions and their delayed labels, generated day by day with bounded memory.
 *
 * <p><b>Transactions.</b> Each day every customer makes Poisson(mean_nb_tx_per_day) attempts; an
 * attempt's time of day is int(N(43200, 20000)) seconds and is dropped outside (0, 86400); its
 * amount is N(mean, std), redrawn from U(0, 2 mean) when negative, rounded to cents (half-even,
 * like {@code np.round}); its terminal is uniform among the customer's available terminals. A
 * customer without available terminals makes none. A customer's transactions of a day are a pure
 * function of (seed, customer, day), so any day can be generated on demand.
 *
 * <p><b>Fraud</b>, in the handbook's order, each later rule overriding the scenario code:
 *
 * <ol>
 *   <li>amount > 220 (on the amount as drawn);
 *   <li>for each day d in [0, days - 1) (the handbook's {@code range(max_tx_day)}), 2 random
 *       terminals are compromised and all their transactions of days [d, d + 28) are fraud;
 *   <li>for each such day d, 3 random customers are compromised; of their n transactions of days
 *       [d, d + 14), int(n / 3) chosen at random get amount x5 and are fraud. A transaction picked
 *       by several days is multiplied by 5 each time, as in the handbook.
 * </ol>
 *
 * Compromised terminals and customers of day d are pure functions of (seed, scenario, d). Scenario
 * 3 needs the n transactions of the next 14 days: they are generated when day d is reached and the
 * picks are kept for 14 days. Drift scenarios are described on {@link SimulatorConfig}.
 *
 * <p><b>Labels.</b> Every transaction gets exactly one {@link Label}, at the transaction's time
 * plus a delay from the configured {@link LabelDelay}, unless it is lost (probability {@code
 * labelLoss}); delay and loss are pure functions of (seed, transaction), so switching a drift on
 * does not move the labels of unaffected transactions.
 *
 * <p><b>Order.</b> Events come in non-decreasing event time; at equal times transactions come
 * before labels, transactions by (customer, index of the day), labels by transaction sequence. A
 * label therefore always follows its transaction. Transaction ids are {@code tx-%012d} over the
 * transactions in this order, from 0.
 *
 * <p><b>Memory</b>: one day of transactions, the scenario-3 picks of the last 14 days and the
 * labels not yet due (up to the longest delay's worth of transactions).
 */
public final class Simulation implements Iterator<SimulatedEvent> {
  static final int SECONDS_PER_DAY = 86_400;
  static final long MILLIS_PER_DAY = 86_400_000L;
  static final long HIGH_AMOUNT_CENTS = 22_000;
  static final int TERMINAL_COMPROMISE_DAYS = 28;
  static final int CARD_COMPROMISE_DAYS = 14;
  static final int COMPROMISED_TERMINALS_PER_DAY = 2;
  static final int COMPROMISED_CARDS_PER_DAY = 3;
  static final int NIGHT_END_SECOND = 6 * 3600;

  /** P(0 < int(N(43200, 20000)) < 86400): the share of attempts that become transactions. */
  static final double VALID_TIME_OF_DAY = 0.96922;

  /** Per-day index of night-fraud transactions starts here, apart from the regular ones. */
  private static final int NIGHT_INDEX_BASE = 1 << 15;

  private static final long TAG_DAY = 20;
  private static final long TAG_TERMINAL_COMPROMISE = 21;
  private static final long TAG_CARD_COMPROMISE = 22;
  private static final long TAG_CARD_PICK = 23;
  private static final long TAG_NIGHT_FRAUD = 24;
  private static final long TAG_LABEL = 25;

  private static final Comparator<DayTx> IN_DAY_ORDER =
      Comparator.<DayTx>comparingInt(tx -> tx.second)
          .thenComparingInt(tx -> tx.customer)
          .thenComparingInt(tx -> tx.index);
  private static final Comparator<DayTx> IN_TIME_ORDER =
      Comparator.<DayTx>comparingInt(tx -> tx.day).thenComparing(IN_DAY_ORDER);

  private final SimulatorConfig config;
  private final Population population;
  private final long seed;
  private final long startMillis;
  private final int compromiseDays;
  private final String[] customerIds;
  private final String[] terminalIds;
  private final Map<Integer, long[]> cardPicksByDay = new HashMap<>();
  private final PriorityQueue<PendingLabel> pendingLabels =
      new PriorityQueue<>(
          Comparator.<PendingLabel>comparingLong(p -> p.timeMillis)
              .thenComparingLong(p -> p.sequence));
  private final List<DayTx> today = new ArrayList<>();
  private final long[] transactionsByScenario = new long[FraudScenario.COUNT];
  private int position;
  private int day = -1;
  private long nextSequence;
  private long lostLabels;
  private long labels;

  public Simulation(SimulatorConfig config) {
    this.config = config;
    this.population = new Population(config);
    this.seed = config.seed();
    this.startMillis = config.startMillis();
    this.compromiseDays = config.days() - 1;
    this.customerIds = new String[config.customers()];
    for (int c = 0; c < customerIds.length; c++) {
      customerIds[c] = customerId(c);
    }
    this.terminalIds = new String[config.terminals()];
    for (int t = 0; t < terminalIds.length; t++) {
      terminalIds[t] = terminalId(t);
    }
  }

  public static String customerId(int customer) {
    return String.format("c-%05d", customer);
  }

  public static String terminalId(int terminal) {
    return String.format("t-%05d", terminal);
  }

  /** {@code tx-%012d}, without the cost of String.format. */
  public static String transactionId(long sequence) {
    if (sequence < 0 || sequence >= 1_000_000_000_000L) {
      return String.format("tx-%012d", sequence);
    }
    char[] text = "tx-000000000000".toCharArray();
    for (int i = text.length - 1; sequence > 0; i--) {
      text[i] = (char) ('0' + sequence % 10);
      sequence /= 10;
    }
    return new String(text);
  }

  public SimulatorConfig config() {
    return config;
  }

  /** The simulated day being emitted (-1 before the first event; the last day while draining). */
  public int currentDay() {
    return day;
  }

  public long transactions() {
    return nextSequence;
  }

  public long labels() {
    return labels;
  }

  public long lostLabels() {
    return lostLabels;
  }

  /** True once every transaction has been emitted (only labels may follow). */
  public boolean transactionsFinished() {
    return day == config.days() - 1 && position >= today.size();
  }

  /**
   * The expected number of events (transactions and labels) of the whole run, from the customers'
   * rates: for progress estimates.
   */
  public double expectedEvents() {
    double perDay = 0;
    for (int c = 0; c < config.customers(); c++) {
      if (population.available[c].length > 0) {
        perDay += population.meanTxPerDay[c] * VALID_TIME_OF_DAY;
      }
    }
    double transactions = perDay * config.days();
    SimulatorConfig.NightFraudDrift night = config.nightFraudDrift();
    if (night != null) {
      transactions += 5.0 * night.cardsPerDay() * (config.days() - night.day());
    }
    return transactions * (2 - config.labelLoss());
  }

  /** Labels generated but not yet emitted (not yet due). */
  public int pendingLabels() {
    return pendingLabels.size();
  }

  /** Transactions emitted so far per {@link FraudScenario} code. */
  public long[] transactionsByScenario() {
    return transactionsByScenario.clone();
  }

  @Override
  public boolean hasNext() {
    while (position >= today.size() && day + 1 < config.days()) {
      generateDay(day + 1);
    }
    return position < today.size() || !pendingLabels.isEmpty();
  }

  @Override
  public SimulatedEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the simulation is over");
    }
    if (position < today.size()) {
      DayTx tx = today.get(position);
      long timeMillis = startMillis + (tx.day * (long) SECONDS_PER_DAY + tx.second) * 1000L;
      PendingLabel due = pendingLabels.peek();
      if (due != null && due.timeMillis < timeMillis) {
        return emitLabel();
      }
      position++;
      return emitTransaction(tx, timeMillis);
    }
    return emitLabel();
  }

  private LabelEvent emitLabel() {
    labels++;
    return new LabelEvent(pendingLabels.poll().label);
  }

  private TransactionEvent emitTransaction(DayTx tx, long timeMillis) {
    long sequence = nextSequence++;
    Instant time = Instant.ofEpochMilli(timeMillis);
    String id = transactionId(sequence);
    String customer = customerIds[tx.customer];
    String terminal = terminalIds[tx.terminal];
    transactionsByScenario[tx.scenario]++;
    SeededRandom random = SeededRandom.of(seed, TAG_LABEL, tx.key());
    boolean lost = random.nextDouble() < config.labelLoss();
    long labelMillis = timeMillis + config.labelDelay().sampleMillis(random);
    if (lost) {
      lostLabels++;
    } else {
      Label label =
          new Label(
              id,
              Instant.ofEpochMilli(labelMillis),
              time,
              customer,
              terminal,
              tx.scenario != FraudScenario.GENUINE,
              tx.scenario);
      pendingLabels.add(new PendingLabel(labelMillis, sequence, label));
    }
    Transaction transaction =
        new Transaction(id, time, customer, terminal, BigDecimal.valueOf(tx.cents, 2));
    return new TransactionEvent(transaction, sequence, tx.scenario);
  }

  /** Generates day {@code d}'s transactions with their fraud, in event-time order. */
  private void generateDay(int d) {
    today.clear();
    position = 0;
    day = d;

    Set<Integer> compromisedTerminals = new HashSet<>();
    for (int from = Math.max(0, d - TERMINAL_COMPROMISE_DAYS + 1);
        from <= Math.min(d, compromiseDays - 1);
        from++) {
      for (int t : compromisedTerminals(from)) {
        compromisedTerminals.add(t);
      }
    }

    cardPicksByDay.keySet().removeIf(from -> from <= d - CARD_COMPROMISE_DAYS);
    Map<Long, Integer> timesPicked = new HashMap<>();
    for (int from = Math.max(0, d - CARD_COMPROMISE_DAYS + 1);
        from <= Math.min(d, compromiseDays - 1);
        from++) {
      for (long key : cardPicksByDay.computeIfAbsent(from, this::pickCardTransactions)) {
        if (DayTx.dayOfKey(key) == d) {
          timesPicked.merge(key, 1, Integer::sum);
        }
      }
    }

    SimulatorConfig.SpendingDrift spending = config.spendingDrift();
    boolean spendingDrift = spending != null && d >= spending.day();
    for (int c = 0; c < config.customers(); c++) {
      int first = today.size();
      regularTransactions(c, d, today);
      for (int i = first; i < today.size(); i++) {
        DayTx tx = today.get(i);
        if (tx.cents > HIGH_AMOUNT_CENTS) {
          tx.scenario = FraudScenario.HIGH_AMOUNT;
        }
        if (spendingDrift && population.spendingDrifted[c]) {
          tx.cents = Math.max(1, (long) Math.rint(tx.cents * spending.factor()));
        }
        if (compromisedTerminals.contains(tx.terminal)) {
          tx.scenario = FraudScenario.COMPROMISED_TERMINAL;
        }
        Integer picked = timesPicked.get(tx.key());
        if (picked != null) {
          for (int k = 0; k < picked; k++) {
            tx.cents *= 5;
          }
          tx.scenario = FraudScenario.COMPROMISED_CARD;
        }
      }
    }

    SimulatorConfig.NightFraudDrift night = config.nightFraudDrift();
    if (night != null && d >= night.day()) {
      nightCardTesting(d, night.cardsPerDay(), today);
    }
    today.sort(IN_DAY_ORDER);
  }

  /**
   * Customer {@code c}'s transactions of day {@code d}, before fraud: a pure function of (seed, c,
   * d) and the geography drift.
   */
  private void regularTransactions(int c, int d, List<DayTx> out) {
    SimulatorConfig.GeographyDrift geography = config.geographyDrift();
    int[] terminals = population.availableTerminals(c, geography != null && d >= geography.day());
    if (terminals.length == 0) {
      return;
    }
    SeededRandom random = SeededRandom.of(seed, TAG_DAY, c, d);
    double mean = population.meanAmount[c];
    double std = population.stdAmount[c];
    int attempts = random.poisson(population.meanTxPerDay[c]);
    int index = 0;
    for (int i = 0; i < attempts; i++) {
      int second = (int) random.normal(SECONDS_PER_DAY / 2.0, 20_000);
      if (second <= 0 || second >= SECONDS_PER_DAY) {
        continue;
      }
      double amount = random.normal(mean, std);
      if (amount < 0) {
        amount = random.uniform(0, 2 * mean);
      }
      // Deviation: the handbook keeps the rare amount that rounds to 0.00; Transaction requires >
      // 0.
      long cents = Math.max(1, (long) Math.rint(amount * 100));
      int terminal = terminals[random.nextInt(terminals.length)];
      out.add(new DayTx(c, d, second, terminal, cents, index++));
    }
  }

  /** Scenario 3: the customers compromised on day {@code from}. */
  int[] compromisedCards(int from) {
    return SeededRandom.of(seed, TAG_CARD_COMPROMISE, from)
        .sample(config.customers(), COMPROMISED_CARDS_PER_DAY);
  }

  /**
   * For tests: customer {@code c}'s transactions of day {@code d} before fraud and spending drift,
   * as {second of day, terminal, cents} in generation order.
   */
  List<long[]> transactionsBeforeFraud(int c, int d) {
    List<DayTx> generated = new ArrayList<>();
    regularTransactions(c, d, generated);
    List<long[]> result = new ArrayList<>();
    for (DayTx tx : generated) {
      result.add(new long[] {tx.second, tx.terminal, tx.cents});
    }
    return result;
  }

  /** Scenario 2: the terminals compromised on day {@code from}. */
  int[] compromisedTerminals(int from) {
    return SeededRandom.of(seed, TAG_TERMINAL_COMPROMISE, from)
        .sample(config.terminals(), COMPROMISED_TERMINALS_PER_DAY);
  }

  /** Scenario 3 for the customers compromised on day {@code from}: keys of the picked tx. */
  private long[] pickCardTransactions(int from) {
    int[] cards = compromisedCards(from);
    List<DayTx> candidates = new ArrayList<>();
    for (int d = from; d < Math.min(from + CARD_COMPROMISE_DAYS, config.days()); d++) {
      for (int card : cards) {
        regularTransactions(card, d, candidates);
      }
    }
    candidates.sort(IN_TIME_ORDER);
    int n = candidates.size();
    long[] picked = new long[n / 3];
    SeededRandom random = SeededRandom.of(seed, TAG_CARD_PICK, from);
    for (int i = 0; i < picked.length; i++) {
      int j = i + random.nextInt(n - i);
      DayTx chosen = candidates.get(j);
      candidates.set(j, candidates.get(i));
      candidates.set(i, chosen);
      picked[i] = chosen.key();
    }
    return picked;
  }

  /** Drift: night-time card testing on day {@code d} (see {@link SimulatorConfig}). */
  private void nightCardTesting(int d, int cardsPerDay, List<DayTx> out) {
    SeededRandom random = SeededRandom.of(seed, TAG_NIGHT_FRAUD, d);
    for (int card : random.sample(config.customers(), cardsPerDay)) {
      int terminal = random.nextInt(config.terminals());
      int count = 2 + random.poisson(3);
      for (int j = 0; j < count; j++) {
        int second = random.nextInt(NIGHT_END_SECOND);
        long cents = (long) Math.rint(random.uniform(50, 500));
        DayTx tx = new DayTx(card, d, second, terminal, cents, NIGHT_INDEX_BASE + j);
        tx.scenario = FraudScenario.NIGHT_CARD_TESTING;
        out.add(tx);
      }
    }
  }

  /** A transaction of the day being generated; mutable while fraud is applied. */
  private static final class DayTx {
    final int customer;
    final int day;
    final int second;
    final int terminal;
    final int index;
    long cents;
    int scenario = FraudScenario.GENUINE;

    DayTx(int customer, int day, int second, int terminal, long cents, int index) {
      this.customer = customer;
      this.day = day;
      this.second = second;
      this.terminal = terminal;
      this.cents = cents;
      this.index = index;
    }

    /** Identity independent of emission order: (day, customer, index of the day). */
    long key() {
      return ((long) day << 40) | ((long) customer << 16) | index;
    }

    static int dayOfKey(long key) {
      return (int) (key >>> 40);
    }
  }

  private record PendingLabel(long timeMillis, long sequence, Label label) {}
}

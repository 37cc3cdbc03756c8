package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.cents;
import static dev.sluice.simulator.SimulatorFixtures.customerIndex;
import static dev.sluice.simulator.SimulatorFixtures.day;
import static dev.sluice.simulator.SimulatorFixtures.events;
import static dev.sluice.simulator.SimulatorFixtures.labels;
import static dev.sluice.simulator.SimulatorFixtures.secondOfDay;
import static dev.sluice.simulator.SimulatorFixtures.small;
import static dev.sluice.simulator.SimulatorFixtures.terminalIndex;
import static dev.sluice.simulator.SimulatorFixtures.transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The handbook's mechanisms, labels, order and determinism on small configurations. */
class SimulationTest {

  @Test
  void sameSeedGivesTheSameEventsDifferentSeedsDifferentOnes() {
    SimulatorConfig config = small().build();
    String first = SimulatorFixtures.hash(config);
    assertThat(SimulatorFixtures.hash(config)).isEqualTo(first);
    assertThat(SimulatorFixtures.hash(small().seed(8).build())).isNotEqualTo(first);
    assertThat(SimulatorFixtures.hash(small().labelDelay(LabelDelay.zero()).build()))
        .isNotEqualTo(first);
  }

  @Test
  void eventsAreInEventTimeOrderAndEveryLabelFollowsItsTransaction() {
    List<SimulatedEvent> events = events(small().build());
    Set<String> seen = new HashSet<>();
    long previous = Long.MIN_VALUE;
    for (SimulatedEvent event : events) {
      assertThat(event.eventTimeMillis()).isGreaterThanOrEqualTo(previous);
      previous = event.eventTimeMillis();
      if (event instanceof TransactionEvent tx) {
        seen.add(tx.transaction().getTransactionId());
      } else {
        String id = ((LabelEvent) event).label().getTransactionId();
        assertThat(seen.contains(id)).as("transaction %s before its label", id).isTrue();
      }
    }
  }

  @Test
  void zeroDelayLabelsComeRightAfterTheTransactionsOfTheSameInstant() {
    List<SimulatedEvent> events = events(small().days(5).labelDelay(LabelDelay.zero()).build());
    for (int i = 1; i < events.size(); i++) {
      SimulatedEvent before = events.get(i - 1);
      SimulatedEvent after = events.get(i);
      if (before.eventTimeMillis() == after.eventTimeMillis()) {
        // Tie-break: transactions first, then labels.
        assertThat(before instanceof LabelEvent && after instanceof TransactionEvent).isFalse();
      }
    }
  }

  @Test
  void transactionIdsCountFromZeroInEmissionOrder() {
    List<TransactionEvent> transactions = transactions(events(small().days(3).build()));
    for (int i = 0; i < transactions.size(); i++) {
      assertThat(transactions.get(i).sequence()).isEqualTo(i);
      assertThat(transactions.get(i).transaction().getTransactionId())
          .isEqualTo(String.format("tx-%012d", i));
    }
    assertThat(transactions.get(0).transaction().getCustomerId()).matches("c-\\d{5}");
    assertThat(transactions.get(0).transaction().getTerminalId()).matches("t-\\d{5}");
    assertThat(Simulation.transactionId(1234)).isEqualTo("tx-000000001234");
  }

  @Test
  void transactionsFollowTheHandbooksDistributions() {
    SimulatorConfig config = small().days(60).build();
    Population population = new Population(config);
    List<TransactionEvent> transactions = transactions(events(config));
    double expectedPerDay = 0;
    for (int c = 0; c < config.customers(); c++) {
      if (population.available[c].length > 0) {
        // Poisson(mean) attempts, a time outside (0, 86400) dropped: P(|N(0,1)| > 2.16) = 3.08%.
        expectedPerDay += population.meanTxPerDay[c] * 0.9692;
      }
    }
    assertThat(transactions.size() / 60.0).isCloseTo(expectedPerDay, within(0.03 * expectedPerDay));
    for (TransactionEvent event : transactions) {
      Transaction tx = event.transaction();
      int second = secondOfDay(config, tx.getEventTime().toEpochMilli());
      assertThat(second).isBetween(1, 86_399);
      assertThat(tx.getAmount().scale()).isEqualTo(2);
      assertThat(tx.getAmount().signum()).isPositive();
      int c = customerIndex(tx.getCustomerId());
      assertThat(population.available[c]).contains(terminalIndex(tx.getTerminalId()));
    }
  }

  @Test
  void availableTerminalsAreThoseCloserThanTheRadius() {
    SimulatorConfig config = small().build();
    Population population = new Population(config);
    for (int c = 0; c < 50; c++) {
      List<Integer> expected = new ArrayList<>();
      for (int t = 0; t < config.terminals(); t++) {
        double dx = population.customerX[c] - population.terminalX[t];
        double dy = population.customerY[c] - population.terminalY[t];
        if (Math.sqrt(dx * dx + dy * dy) < config.radius()) {
          expected.add(t);
        }
      }
      assertThat(population.available[c])
          .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void scenario1EveryAmountAbove220IsFraudUnlessALaterScenarioClaimsIt() {
    // Scenario 3 multiplies amounts by 5; only amounts as drawn count for scenario 1.
    List<TransactionEvent> transactions = transactions(events(small().days(60).build()));
    long highAmounts = 0;
    for (TransactionEvent tx : transactions) {
      long cents = cents(tx.transaction());
      if (tx.fraudScenario() == FraudScenario.HIGH_AMOUNT) {
        assertThat(cents).isGreaterThan(22_000);
      }
      if (cents > 22_000 && tx.fraudScenario() != FraudScenario.COMPROMISED_CARD) {
        highAmounts++;
        assertThat(tx.fraudScenario())
            .isIn(FraudScenario.HIGH_AMOUNT, FraudScenario.COMPROMISED_TERMINAL);
      }
      if (cents <= 22_000) {
        assertThat(tx.fraudScenario()).isNotEqualTo(FraudScenario.HIGH_AMOUNT);
      }
    }
    assertThat(highAmounts).isPositive();
  }

  @Test
  void scenario2CompromisedTerminalsAreFraudFor28Days() {
    SimulatorConfig config = small().days(60).build();
    Simulation simulation = new Simulation(config);
    List<TransactionEvent> transactions = transactions(events(config));
    // Which days each terminal is compromised on: days [d, d + 28) for each d in [0, days - 1).
    Map<Integer, Set<Integer>> compromisedDays = new HashMap<>();
    for (int d = 0; d < config.days() - 1; d++) {
      int[] terminals = simulation.compromisedTerminals(d);
      assertThat(terminals).hasSize(2).doesNotHaveDuplicates();
      for (int t : terminals) {
        for (int day = d; day < d + 28; day++) {
          compromisedDays.computeIfAbsent(t, k -> new HashSet<>()).add(day);
        }
      }
    }
    long compromised = 0;
    for (TransactionEvent tx : transactions) {
      int terminal = terminalIndex(tx.transaction().getTerminalId());
      int day = day(config, tx.eventTimeMillis());
      boolean atCompromised = compromisedDays.getOrDefault(terminal, Set.of()).contains(day);
      if (atCompromised) {
        compromised++;
        assertThat(tx.fraudScenario())
            .isIn(FraudScenario.COMPROMISED_TERMINAL, FraudScenario.COMPROMISED_CARD);
      } else {
        assertThat(tx.fraudScenario()).isNotEqualTo(FraudScenario.COMPROMISED_TERMINAL);
      }
    }
    // ~59 days x 2 terminals x 28 days x ~1 transaction a day, less the windows cut by the end.
    assertThat(compromised).isGreaterThan(1000);
  }

  @Test
  void scenario3PicksAThirdOfACompromisedCardsTransactionsAndMultipliesTheirAmountBy5() {
    SimulatorConfig config = small().days(60).build();
    Simulation simulation = new Simulation(config);
    List<TransactionEvent> transactions = transactions(events(config));

    // Customers compromised on each day; candidates = their transactions in [d, d + 14).
    Map<Integer, List<Integer>> windowsByCustomer = new HashMap<>();
    long expectedPicks = 0;
    for (int d = 0; d < config.days() - 1; d++) {
      int n = 0;
      for (int card : simulation.compromisedCards(d)) {
        windowsByCustomer.computeIfAbsent(card, k -> new ArrayList<>()).add(d);
        for (int day = d; day < Math.min(d + 14, config.days()); day++) {
          n += simulation.transactionsBeforeFraud(card, day).size();
        }
      }
      expectedPicks += n / 3;
    }

    long picked = 0;
    long candidates = 0;
    for (TransactionEvent event : transactions) {
      Transaction tx = event.transaction();
      int c = customerIndex(tx.getCustomerId());
      int day = day(config, event.eventTimeMillis());
      boolean candidate =
          windowsByCustomer.getOrDefault(c, List.of()).stream()
              .anyMatch(d -> day >= d && day < d + 14);
      long drawn = drawnCents(simulation, config, tx);
      if (event.fraudScenario() == FraudScenario.COMPROMISED_CARD) {
        assertThat(candidate).isTrue();
        picked++;
        long factor = cents(tx) / drawn;
        assertThat(cents(tx)).isEqualTo(drawn * factor);
        assertThat(factor).isIn(5L, 25L, 125L);
      } else {
        assertThat(cents(tx)).isEqualTo(drawn);
      }
      if (candidate) {
        candidates++;
      }
    }
    // A transaction picked on two days (a card compromised twice within 14 days) counts once.
    assertThat(picked).isLessThanOrEqualTo(expectedPicks).isGreaterThan(expectedPicks * 9 / 10);
    assertThat((double) picked / candidates).isCloseTo(1.0 / 3, within(0.05));
  }

  /** The amount of {@code tx} as drawn, before fraud: matched by customer, time and terminal. */
  private static long drawnCents(Simulation simulation, SimulatorConfig config, Transaction tx) {
    long millis = tx.getEventTime().toEpochMilli();
    int terminal = terminalIndex(tx.getTerminalId());
    for (long[] drawn :
        simulation.transactionsBeforeFraud(
            customerIndex(tx.getCustomerId()), day(config, millis))) {
      if (drawn[0] == secondOfDay(config, millis) && drawn[1] == terminal) {
        return drawn[2];
      }
    }
    throw new AssertionError("no drawn transaction for " + tx);
  }

  @Test
  void everyTransactionGetsExactlyOneLabelWithItsTruth() {
    SimulatorConfig config = small().build();
    List<SimulatedEvent> events = events(config);
    Map<String, TransactionEvent> byId = new HashMap<>();
    for (TransactionEvent tx : transactions(events)) {
      byId.put(tx.transaction().getTransactionId(), tx);
    }
    List<Label> labels = labels(events);
    assertThat(labels).hasSameSizeAs(byId.values());
    Set<String> labelled = new HashSet<>();
    for (Label label : labels) {
      assertThat(labelled.add(label.getTransactionId())).isTrue();
      TransactionEvent tx = byId.get(label.getTransactionId());
      assertThat(label.getTransactionTime()).isEqualTo(tx.transaction().getEventTime());
      assertThat(label.getCustomerId()).isEqualTo(tx.transaction().getCustomerId());
      assertThat(label.getTerminalId()).isEqualTo(tx.transaction().getTerminalId());
      assertThat(label.getFraudScenario()).isEqualTo(tx.fraudScenario());
      assertThat(label.getFraud()).isEqualTo(tx.fraudScenario() != FraudScenario.GENUINE);
      assertThat(label.getEventTime()).isAfterOrEqualTo(label.getTransactionTime());
    }
  }

  @Test
  void fixedAndZeroDelaysAreExact() {
    for (Duration delay : List.of(Duration.ZERO, Duration.ofDays(7), Duration.ofMillis(1500))) {
      for (Label label :
          labels(events(small().days(10).labelDelay(LabelDelay.fixed(delay)).build()))) {
        assertThat(Duration.between(label.getTransactionTime(), label.getEventTime()))
            .isEqualTo(delay);
      }
    }
  }

  @Test
  void handbookDelayMostlyWithinSevenDays() {
    List<Duration> delays = new ArrayList<>();
    for (Label label : labels(events(small().days(20).build()))) {
      delays.add(Duration.between(label.getTransactionTime(), label.getEventTime()));
    }
    delays.sort(null);
    Duration median = delays.get(delays.size() / 2);
    long withinSevenDays =
        delays.stream().filter(d -> d.compareTo(Duration.ofDays(7)) <= 0).count();
    assertThat(median.toMinutes()).isCloseTo(Duration.ofDays(3).toMinutes(), within(180L));
    assertThat((double) withinSevenDays / delays.size()).isCloseTo(0.90, within(0.02));
    assertThat(delays.get(delays.size() - 1)).isLessThanOrEqualTo(Duration.ofDays(30));
  }

  @Test
  void exponentialDelayHasItsMean() {
    double sum = 0;
    List<Label> labels =
        labels(
            events(
                small().days(10).labelDelay(LabelDelay.exponential(Duration.ofHours(10))).build()));
    for (Label label : labels) {
      sum += Duration.between(label.getTransactionTime(), label.getEventTime()).toMillis();
    }
    assertThat(sum / labels.size() / 3_600_000).isCloseTo(10, within(0.5));
  }

  @Test
  void lostLabelsNeverArriveAndAreCounted() {
    SimulatorConfig config = small().labelLoss(0.2).build();
    Simulation simulation = new Simulation(config);
    List<SimulatedEvent> events = new ArrayList<>();
    simulation.forEachRemaining(events::add);
    long transactions = transactions(events).size();
    long labels = labels(events).size();
    assertThat(labels + simulation.lostLabels()).isEqualTo(transactions);
    assertThat((double) simulation.lostLabels() / transactions).isCloseTo(0.2, within(0.02));
    assertThat(labels(events(small().labelLoss(1).build()))).isEmpty();
  }

  @Test
  void labelsOfUnaffectedTransactionsDoNotMoveWhenLossIsSwitchedOn() {
    Map<String, Label> all = new HashMap<>();
    for (Label label : labels(events(small().days(10).build()))) {
      all.put(label.getTransactionId(), label);
    }
    for (Label label : labels(events(small().days(10).labelLoss(0.5).build()))) {
      assertThat(label).isEqualTo(all.get(label.getTransactionId()));
    }
  }

  @Test
  void invalidConfigurationsNameTheParameter() {
    assertThatThrownBy(() -> small().customers(-5).build())
        .hasMessage("customers must be between 1 and 16777215, got -5");
    assertThatThrownBy(() -> small().days(0).build()).hasMessageStartingWith("days must be");
    assertThatThrownBy(() -> small().radius(Double.NaN).build())
        .hasMessageStartingWith("radius must be");
    assertThatThrownBy(() -> small().labelLoss(1.5).build())
        .hasMessageStartingWith("label-loss must be");
    assertThatThrownBy(
            () -> small().spendingDrift(new SimulatorConfig.SpendingDrift(40, 1.5, 0.3)).build())
        .hasMessage("drift-spending-day must be a day in [0, days - 1] = [0, 39], got 40");
    assertThatThrownBy(() -> new SimulatorConfig.SpendingDrift(3, 1.5, 2))
        .hasMessageStartingWith("drift-spending-share must be in [0, 1]");
  }
}

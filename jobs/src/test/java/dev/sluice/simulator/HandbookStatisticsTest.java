package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.HANDBOOK_FRAUDS;
import static dev.sluice.simulator.SimulatorFixtures.HANDBOOK_FRAUDS_BY_SCENARIO;
import static dev.sluice.simulator.SimulatorFixtures.HANDBOOK_TRANSACTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The published run's statistics (chapter 3.2), for any seed: 5,000 customers, 10,000 terminals,
 * 183 days -> 1,754,155 transactions (~9,585 a day), 14,681 frauds (0.84%), of which 978 from
 * scenario 1, 9,099 from scenario 2 and 4,604 from scenario 3. Also a small scale against what the
 * mechanisms predict. About 5 s per published-scale seed on 2 cores.
 */
class HandbookStatisticsTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {0, 1})
  void publishedScaleMatchesTheHandbook(long seed) {
    SimulatorConfig config = SimulatorConfig.builder().seed(seed).build();
    SimulationSummary summary = runChecked(config);
    System.out.printf(
        Locale.ROOT,
        "published scale, seed %d (handbook in brackets):%n%s"
            + "  scenario shares: 1 %.1f%% [6.7%%], 2 %.1f%% [62.0%%], 3 %.1f%% [31.4%%]%n",
        seed,
        summary.format(),
        share(summary, 1),
        share(summary, 2),
        share(summary, 3));

    assertThat((double) summary.transactions())
        .isCloseTo(HANDBOOK_TRANSACTIONS, within(0.03 * HANDBOOK_TRANSACTIONS));
    assertThat(summary.transactions() / 183.0).isCloseTo(9_585, within(0.03 * 9_585));
    assertThat(summary.fraudRate()).isCloseTo(0.0084, within(0.0015));
    assertThat((double) summary.frauds()).isCloseTo(HANDBOOK_FRAUDS, within(0.1 * HANDBOOK_FRAUDS));
    assertThat(summary.frauds() / 183.0).isCloseTo(80.2, within(8.0));
    for (int scenario = 1; scenario <= 3; scenario++) {
      double handbookShare = 100.0 * HANDBOOK_FRAUDS_BY_SCENARIO[scenario] / HANDBOOK_FRAUDS;
      assertThat(share(summary, scenario))
          .as("share of scenario %d", scenario)
          .isCloseTo(handbookShare, within(scenario == 1 ? 1.5 : 4.0));
    }
    assertThat(summary.transactionsByScenario()[FraudScenario.NIGHT_CARD_TESTING]).isZero();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 4})
  void smallScaleFollowsTheMechanisms(long seed) {
    SimulatorConfig config =
        SimulatorConfig.builder().customers(500).terminals(1000).days(30).seed(seed).build();
    SimulationSummary summary = runChecked(config);
    Population population = new Population(config);
    double expectedPerDay = 0;
    for (int c = 0; c < config.customers(); c++) {
      if (population.available[c].length > 0) {
        expectedPerDay += population.meanTxPerDay[c] * 0.9692;
      }
    }
    assertThat((double) summary.transactions())
        .isCloseTo(expectedPerDay * 30, within(0.03 * expectedPerDay * 30));

    // Scenario 2: 2 terminals a day, each for min(28, days - d) days, at the mean terminal rate.
    // Scenario 3: 3 cards a day, a third of min(14, days - d) days of their transactions.
    double perTerminalDay = summary.transactions() / 30.0 / config.terminals();
    double perCustomerDay = summary.transactions() / 30.0 / config.customers();
    double terminalDays = 0;
    double cardDays = 0;
    for (int d = 0; d < 29; d++) {
      terminalDays += 2 * Math.min(28, 30 - d);
      cardDays += 3 * Math.min(14, 30 - d);
    }
    long[] byScenario = summary.transactionsByScenario();
    assertThat((double) byScenario[2])
        .isCloseTo(terminalDays * perTerminalDay, within(0.25 * terminalDays * perTerminalDay));
    assertThat((double) byScenario[3])
        .isCloseTo(cardDays * perCustomerDay / 3, within(0.25 * cardDays * perCustomerDay / 3));
    assertThat(byScenario[1]).isPositive();
  }

  private static double share(SimulationSummary summary, int scenario) {
    return 100.0 * summary.transactionsByScenario()[scenario] / summary.frauds();
  }

  /** Runs the whole stream, checking order and label counts on the way. */
  private static SimulationSummary runChecked(SimulatorConfig config) {
    long started = System.nanoTime();
    Simulation simulation = new Simulation(config);
    long previous = Long.MIN_VALUE;
    long transactions = 0;
    long labels = 0;
    while (simulation.hasNext()) {
      SimulatedEvent event = simulation.next();
      if (event.eventTimeMillis() < previous) {
        throw new AssertionError("out of order: " + event);
      }
      previous = event.eventTimeMillis();
      if (event instanceof TransactionEvent) {
        transactions++;
      } else if (event instanceof LabelEvent) {
        labels++;
      }
    }
    assertThat(labels).isEqualTo(transactions).isEqualTo(simulation.transactions());
    return new SimulationSummary(
        config,
        transactions,
        labels,
        simulation.lostLabels(),
        simulation.pendingLabels(),
        simulation.transactionsByScenario(),
        config.days(),
        Duration.ofNanos(System.nanoTime() - started),
        true);
  }
}

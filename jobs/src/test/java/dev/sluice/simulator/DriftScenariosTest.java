package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.cents;
import static dev.sluice.simulator.SimulatorFixtures.customerIndex;
import static dev.sluice.simulator.SimulatorFixtures.day;
import static dev.sluice.simulator.SimulatorFixtures.events;
import static dev.sluice.simulator.SimulatorFixtures.handbookDensity;
import static dev.sluice.simulator.SimulatorFixtures.labels;
import static dev.sluice.simulator.SimulatorFixtures.secondOfDay;
import static dev.sluice.simulator.SimulatorFixtures.terminalIndex;
import static dev.sluice.simulator.SimulatorFixtures.transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.Label;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each drift scenario moves the feature distributions noticeably from its day on, and leaves the
 * days before it untouched. Handbook terminal density, 1,000 customers, drift from day 30 of 60.
 */
class DriftScenariosTest {
  private static final int DAYS = 60;
  private static final int DRIFT_DAY = 30;
  private static final int NIGHT_END_SECOND = 7 * 3600; // the handbook's TX_DURING_NIGHT: hour <= 6

  private static SimulatorConfig.Builder base() {
    return handbookDensity(1000, DAYS);
  }

  @Test
  void driftsAreOffByDefaultAndTheDaysBeforeADriftAreUnchanged() {
    SimulatorConfig plain = base().build();
    assertThat(plain.spendingDrift()).isNull();
    assertThat(plain.nightFraudDrift()).isNull();
    assertThat(plain.geographyDrift()).isNull();
    SimulatorConfig drifted =
        base()
            .spendingDrift(new SimulatorConfig.SpendingDrift(DRIFT_DAY, 1.5, 0.3))
            .nightFraudDrift(new SimulatorConfig.NightFraudDrift(DRIFT_DAY, 5))
            .geographyDrift(new SimulatorConfig.GeographyDrift(DRIFT_DAY, 0.3))
            .build();
    List<TransactionEvent> before = transactions(events(plain));
    List<TransactionEvent> after = transactions(events(drifted));
    for (int i = 0; i < before.size(); i++) {
      if (day(plain, before.get(i).eventTimeMillis()) >= DRIFT_DAY) {
        break;
      }
      assertThat(after.get(i)).isEqualTo(before.get(i));
    }
  }

  @Test
  void spendingDriftRaisesAmountsByTheFactorAndTheLargeOnesStayGenuine() {
    SimulatorConfig config =
        base().spendingDrift(new SimulatorConfig.SpendingDrift(DRIFT_DAY, 1.5, 0.3)).build();
    Population population = new Population(config);
    List<TransactionEvent> plain = transactions(events(base().build()));
    List<TransactionEvent> drifted = transactions(events(config));
    assertThat(drifted).hasSameSizeAs(plain);

    // The drifted customers' genuine amounts, same transactions with and without drift.
    double[] sums = new double[2];
    double[] overall = new double[4]; // sum and count of genuine amounts before and after the day
    for (int i = 0; i < plain.size(); i++) {
      TransactionEvent without = plain.get(i);
      TransactionEvent with = drifted.get(i);
      assertThat(with.transaction().getTransactionId())
          .isEqualTo(without.transaction().getTransactionId());
      assertThat(with.fraudScenario()).isEqualTo(without.fraudScenario());
      boolean after = day(config, with.eventTimeMillis()) >= DRIFT_DAY;
      int c = customerIndex(with.transaction().getCustomerId());
      if (with.fraudScenario() == FraudScenario.GENUINE) {
        if (after && population.spendingDrifted[c]) {
          sums[0] += cents(without.transaction());
          sums[1] += cents(with.transaction());
        }
        overall[after ? 2 : 0] += cents(with.transaction());
        overall[after ? 3 : 1]++;
      }
      if (!after || !population.spendingDrifted[c]) {
        assertThat(with.transaction().getAmount()).isEqualTo(without.transaction().getAmount());
      }
    }
    assertThat(sums[1] / sums[0]).isCloseTo(1.5, within(0.001));
    double meanBefore = overall[0] / overall[1];
    double meanAfter = overall[2] / overall[3];
    // 30% of the customers spend 50% more: the mean genuine amount rises by roughly 15%.
    assertThat(meanAfter / meanBefore).isBetween(1.08, 1.25);

    // Before the drift every amount > 220 is fraud; after it, genuine ones appear.
    long genuineLargeBefore = 0;
    long genuineLargeAfter = 0;
    for (TransactionEvent tx : drifted) {
      if (tx.fraudScenario() == FraudScenario.GENUINE && cents(tx.transaction()) > 22_000) {
        if (day(config, tx.eventTimeMillis()) >= DRIFT_DAY) {
          genuineLargeAfter++;
        } else {
          genuineLargeBefore++;
        }
      }
    }
    assertThat(genuineLargeBefore).isZero();
    assertThat(genuineLargeAfter).isGreaterThan(20);
  }

  @Test
  void nightFraudDriftAddsSmallNightTimeFraudAndRaisesTheNightShareOfFraud() {
    SimulatorConfig config =
        base().nightFraudDrift(new SimulatorConfig.NightFraudDrift(DRIFT_DAY, 5)).build();
    List<SimulatedEvent> events = events(config);
    long[] night = new long[2];
    long[] frauds = new long[2];
    long cardTests = 0;
    for (TransactionEvent tx : transactions(events)) {
      int half = day(config, tx.eventTimeMillis()) >= DRIFT_DAY ? 1 : 0;
      int second = secondOfDay(config, tx.eventTimeMillis());
      if (tx.fraudScenario() != FraudScenario.GENUINE) {
        frauds[half]++;
        if (second < NIGHT_END_SECOND) {
          night[half]++;
        }
      }
      if (tx.fraudScenario() == FraudScenario.NIGHT_CARD_TESTING) {
        cardTests++;
        assertThat(half).isOne();
        assertThat(second).isLessThan(6 * 3600);
        assertThat(cents(tx.transaction())).isBetween(50L, 500L);
      }
    }
    double shareBefore = (double) night[0] / frauds[0];
    double shareAfter = (double) night[1] / frauds[1];
    assertThat(shareBefore).isCloseTo(0.18, within(0.06));
    assertThat(shareAfter).isGreaterThan(shareBefore + 0.2);
    // 5 cards a day, 2 + Poisson(3) tests each, for 30 days.
    assertThat(cardTests).isBetween(600L, 900L);
    assertThat(labels(events).stream().filter(l -> l.getFraudScenario() == 4))
        .hasSize((int) cardTests)
        .allMatch(Label::getFraud);
  }

  @Test
  void geographyDriftMovesCustomersToOtherTerminalsAndConcentratesTraffic() {
    SimulatorConfig config =
        base().geographyDrift(new SimulatorConfig.GeographyDrift(DRIFT_DAY, 0.3)).build();
    Population population = new Population(config);
    List<TransactionEvent> transactions = transactions(events(config));
    long[] nearHome = new long[2];
    long[] all = new long[2];
    int[][] perTerminal = new int[2][config.terminals()];
    for (TransactionEvent tx : transactions) {
      int half = day(config, tx.eventTimeMillis()) >= DRIFT_DAY ? 1 : 0;
      int c = customerIndex(tx.transaction().getCustomerId());
      int t = terminalIndex(tx.transaction().getTerminalId());
      all[half]++;
      perTerminal[half][t]++;
      if (Arrays.binarySearch(population.available[c], t) >= 0) {
        nearHome[half]++;
      }
    }
    assertThat(nearHome[0]).isEqualTo(all[0]);
    // ~30% of the customers moved: their transactions are no longer near their old home.
    assertThat((double) nearHome[1] / all[1]).isCloseTo(0.7, within(0.08));
    assertThat(coefficientOfVariation(perTerminal[1]))
        .isGreaterThan(1.5 * coefficientOfVariation(perTerminal[0]));
  }

  private static double coefficientOfVariation(int[] counts) {
    double mean = Arrays.stream(counts).average().orElse(0);
    double variance =
        Arrays.stream(counts).mapToDouble(n -> (n - mean) * (n - mean)).sum() / counts.length;
    return Math.sqrt(variance) / mean;
  }
}

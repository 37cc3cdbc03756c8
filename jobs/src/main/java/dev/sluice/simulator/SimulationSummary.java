package dev.sluice.simulator;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * What a run produced: counts, fraud per scenario, throughput. {@code pendingLabels} is non-zero
 * only when the run was stopped before every label was due; {@code daysSimulated} is then the days
 * begun.
 */
public record SimulationSummary(
    SimulatorConfig config,
    long transactions,
    long labels,
    long lostLabels,
    long pendingLabels,
    long[] transactionsByScenario,
    int daysSimulated,
    Duration elapsed,
    boolean complete) {

  public long frauds() {
    long frauds = 0;
    for (int s = 1; s < transactionsByScenario.length; s++) {
      frauds += transactionsByScenario[s];
    }
    return frauds;
  }

  public double fraudRate() {
    return transactions == 0 ? 0 : (double) frauds() / transactions;
  }

  public long events() {
    return transactions + labels;
  }

  public double eventsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds == 0 ? 0 : events() / seconds;
  }

  /** The multi-line report printed at the end of {@code sluice simulate}. */
  public String format() {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%s: %,d transactions, %,d labels (%,d lost%s) over %d day%s from %s, seed %d%n",
            complete ? "simulated" : "stopped early",
            transactions,
            labels,
            lostLabels,
            pendingLabels == 0
                ? ""
                : String.format(Locale.ROOT, ", %,d not yet due", pendingLabels),
            daysSimulated,
            daysSimulated == 1 ? "" : "s",
            config.start().atZone(ZoneOffset.UTC).toLocalDate(),
            config.seed()));
    text.append(
        String.format(
            Locale.ROOT,
            "transactions/day: %,.1f   frauds: %,d (%.3f%%), %,.1f a day%n",
            (double) transactions / Math.max(1, daysSimulated),
            frauds(),
            100 * fraudRate(),
            (double) frauds() / Math.max(1, daysSimulated)));
    text.append(
        String.format(
            Locale.ROOT,
            "  %-30s %10s %16s %14s%n",
            "scenario",
            "frauds",
            "share of frauds",
            "of all tx"));
    for (int s = 1; s < transactionsByScenario.length; s++) {
      long count = transactionsByScenario[s];
      if (count == 0 && s >= FraudScenario.NIGHT_CARD_TESTING) {
        continue;
      }
      text.append(
          String.format(
              Locale.ROOT,
              "  %-30s %,10d %15.1f%% %13.3f%%%n",
              FraudScenario.name(s),
              count,
              frauds() == 0 ? 0 : 100.0 * count / frauds(),
              transactions == 0 ? 0 : 100.0 * count / transactions));
    }
    text.append(
        String.format(
            Locale.ROOT,
            "elapsed %.1f s, %,.0f events/s%n",
            elapsed.toNanos() / 1e9,
            eventsPerSecond()));
    return text.toString();
  }
}

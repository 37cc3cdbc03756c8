package dev.sluice.cli;

import dev.sluice.simulator.SimulatorConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The simulator's drift scenarios (DOMAIN.md) as command-line options, shared by {@code simulate},
 * {@code demo} and {@code bench monitoring}. Each scenario is off unless its {@code -day} option is
 * given; its other options without the day are refused rather than ignored.
 */
final class DriftScenarioOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--drift-spending-day",
      paramLabel = "DAY",
      description =
          "From this day, --drift-spending-share of the customers spend --drift-spending-factor times more (still genuine).")
  Integer spendingDay;

  @Option(
      names = "--drift-spending-factor",
      paramLabel = "FACTOR",
      defaultValue = "1.5",
      description = "Default: ${DEFAULT-VALUE}.")
  double spendingFactor;

  @Option(
      names = "--drift-spending-share",
      paramLabel = "FRACTION",
      defaultValue = "0.3",
      description = "Default: ${DEFAULT-VALUE}.")
  double spendingShare;

  @Option(
      names = "--drift-night-fraud-day",
      paramLabel = "DAY",
      description =
          "From this day, --drift-night-fraud-cards cards a day are tested with small amounts at night (fraud scenario 4).")
  Integer nightFraudDay;

  @Option(
      names = "--drift-night-fraud-cards",
      paramLabel = "N",
      defaultValue = "5",
      description = "Default: ${DEFAULT-VALUE}.")
  int nightFraudCards;

  @Option(
      names = "--drift-geography-day",
      paramLabel = "DAY",
      description =
          "From this day, --drift-geography-share of the customers move near one hot spot, so their terminals change.")
  Integer geographyDay;

  @Option(
      names = "--drift-geography-share",
      paramLabel = "FRACTION",
      defaultValue = "0.3",
      description = "Default: ${DEFAULT-VALUE}.")
  double geographyShare;

  /**
   * Adds the chosen scenarios to {@code builder}.
   *
   * @throws ParameterException naming the option when a scenario's option comes without its day
   */
  SimulatorConfig.Builder apply(SimulatorConfig.Builder builder) {
    requireDayFor(
        "--drift-spending-day", spendingDay, "--drift-spending-factor", "--drift-spending-share");
    requireDayFor("--drift-night-fraud-day", nightFraudDay, "--drift-night-fraud-cards");
    requireDayFor("--drift-geography-day", geographyDay, "--drift-geography-share");
    return builder
        .spendingDrift(
            spendingDay == null
                ? null
                : new SimulatorConfig.SpendingDrift(spendingDay, spendingFactor, spendingShare))
        .nightFraudDrift(
            nightFraudDay == null
                ? null
                : new SimulatorConfig.NightFraudDrift(nightFraudDay, nightFraudCards))
        .geographyDrift(
            geographyDay == null
                ? null
                : new SimulatorConfig.GeographyDrift(geographyDay, geographyShare));
  }

  /** Whether any scenario is on. */
  boolean any() {
    return spendingDay != null || nightFraudDay != null || geographyDay != null;
  }

  /** The scenarios that are on, in words, e.g. for a banner; "none" when off. */
  String describe() {
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (spendingDay != null) {
      parts.add(
          String.format(
              "from day %d, %.0f%% of the customers spend %.2gx more",
              spendingDay, spendingShare * 100, spendingFactor));
    }
    if (nightFraudDay != null) {
      parts.add(
          String.format(
              "from day %d, %d cards a day tested at night", nightFraudDay, nightFraudCards));
    }
    if (geographyDay != null) {
      parts.add(
          String.format(
              "from day %d, %.0f%% of the customers move near one hot spot",
              geographyDay, geographyShare * 100));
    }
    return parts.isEmpty() ? "none" : String.join("; ", parts);
  }

  /** The first day a scenario starts, or -1 when none is on. */
  int firstDay() {
    int first = Integer.MAX_VALUE;
    for (Integer day : new Integer[] {spendingDay, nightFraudDay, geographyDay}) {
      if (day != null) {
        first = Math.min(first, day);
      }
    }
    return first == Integer.MAX_VALUE ? -1 : first;
  }

  private void requireDayFor(String dayOption, Integer day, String... options) {
    if (day != null) {
      return;
    }
    for (String option : options) {
      if (mixee.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new ParameterException(
            mixee.commandLine(), option + " needs " + dayOption + " (the drift is off without it)");
      }
    }
  }
}

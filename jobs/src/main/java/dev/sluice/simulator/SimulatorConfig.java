package dev.sluice.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Everything that determines the simulated events: same configuration, same events in the same
 * order. Defaults are the handbook's published run (5,000 customers, 10,000 terminals, 183 days
 * from 2018-04-01, r = 5), seed 0, the handbook label delay, no label loss, no drift.
 *
 * <p>Validation errors name the parameter the way the {@code sluice simulate} option spells it
 * (without the leading dashes), e.g. "customers must be between 1 and 16777215, got -5".
 *
 * @param start event time of the first simulated day's midnight (the handbook's "2018-04-01")
 * @param labelLoss fraction of labels that never arrive
 * @param spendingDrift null when off
 * @param nightFraudDrift null when off
 * @param geographyDrift null when off
 */
public record SimulatorConfig(
    int customers,
    int terminals,
    int days,
    Instant start,
    long seed,
    double radius,
    LabelDelay labelDelay,
    double labelLoss,
    SpendingDrift spendingDrift,
    NightFraudDrift nightFraudDrift,
    GeographyDrift geographyDrift) {

  /** Customer ids, days and per-day indexes are packed into one long key (see Simulation). */
  public static final int MAX_CUSTOMERS = (1 << 24) - 1;

  public static final int MAX_DAYS = 100_000;
  public static final Instant HANDBOOK_START =
      LocalDate.of(2018, 4, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  public SimulatorConfig {
    check(
        customers >= 1 && customers <= MAX_CUSTOMERS,
        "customers",
        "between 1 and " + MAX_CUSTOMERS,
        customers);
    check(terminals >= 1, "terminals", ">= 1", terminals);
    check(days >= 1 && days <= MAX_DAYS, "days", "between 1 and " + MAX_DAYS, days);
    check(radius > 0 && radius <= 1000, "radius", "in (0, 1000]", radius);
    check(labelLoss >= 0 && labelLoss <= 1, "label-loss", "in [0, 1]", labelLoss);
    if (start == null || labelDelay == null) {
      throw new IllegalArgumentException("start and label-delay are required");
    }
    if (spendingDrift != null) {
      checkDay("drift-spending-day", spendingDrift.day(), days);
    }
    if (nightFraudDrift != null) {
      checkDay("drift-night-fraud-day", nightFraudDrift.day(), days);
    }
    if (geographyDrift != null) {
      checkDay("drift-geography-day", geographyDrift.day(), days);
    }
  }

  /** The handbook's published run. */
  public static SimulatorConfig handbook() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Midnight of day 0 in epoch milliseconds. */
  public long startMillis() {
    return start.toEpochMilli();
  }

  /**
   * From {@code day} on, a share of customers (picked once per seed) spend {@code factor} times as
   * much: their amounts are multiplied after handbook scenario 1 has looked at the amount as drawn,
   * so the extra large amounts stay genuine (a frozen model that learned "large = fraud" now raises
   * false alarms). No fraud of its own.
   */
  public record SpendingDrift(int day, double factor, double share) {
    public SpendingDrift {
      check(factor > 0 && factor <= 100, "drift-spending-factor", "in (0, 100]", factor);
      check(share >= 0 && share <= 1, "drift-spending-share", "in [0, 1]", share);
    }
  }

  /**
   * From {@code day} on, {@code cardsPerDay} random cards a day are tested by fraudsters: each
   * makes 2 + Poisson(3) transactions of U(0.50, 5.00) between 00:00 and 06:00 at one terminal
   * chosen uniformly among all terminals (an unfamiliar merchant), all fraud with scenario code
   * {@link FraudScenario#NIGHT_CARD_TESTING}. Raises the night-time share of fraud from about a
   * sixth (the handbook's frauds follow the daytime distribution) to well over a third at the
   * default.
   */
  public record NightFraudDrift(int day, int cardsPerDay) {
    public NightFraudDrift {
      check(cardsPerDay >= 1, "drift-night-fraud-cards", ">= 1", cardsPerDay);
    }
  }

  /**
   * From {@code day} on, a share of customers (picked once per seed) move to a new district: a
   * location drawn around one hot spot (centre uniform in [25, 75]^2, standard deviation 10 per
   * axis, clipped to the map), so their available terminals change and the traffic of the terminals
   * concentrates around the hot spot. No fraud of its own.
   */
  public record GeographyDrift(int day, double share) {
    public GeographyDrift {
      check(share >= 0 && share <= 1, "drift-geography-share", "in [0, 1]", share);
    }
  }

  /** Builder with the handbook's defaults. */
  public static final class Builder {
    private int customers = 5000;
    private int terminals = 10000;
    private int days = 183;
    private Instant start = HANDBOOK_START;
    private long seed = 0;
    private double radius = 5;
    private LabelDelay labelDelay = LabelDelay.handbook();
    private double labelLoss = 0;
    private SpendingDrift spendingDrift;
    private NightFraudDrift nightFraudDrift;
    private GeographyDrift geographyDrift;

    private Builder() {}

    public Builder customers(int customers) {
      this.customers = customers;
      return this;
    }

    public Builder terminals(int terminals) {
      this.terminals = terminals;
      return this;
    }

    public Builder days(int days) {
      this.days = days;
      return this;
    }

    public Builder start(Instant start) {
      this.start = start;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder radius(double radius) {
      this.radius = radius;
      return this;
    }

    public Builder labelDelay(LabelDelay labelDelay) {
      this.labelDelay = labelDelay;
      return this;
    }

    public Builder labelLoss(double labelLoss) {
      this.labelLoss = labelLoss;
      return this;
    }

    public Builder spendingDrift(SpendingDrift drift) {
      this.spendingDrift = drift;
      return this;
    }

    public Builder nightFraudDrift(NightFraudDrift drift) {
      this.nightFraudDrift = drift;
      return this;
    }

    public Builder geographyDrift(GeographyDrift drift) {
      this.geographyDrift = drift;
      return this;
    }

    public SimulatorConfig build() {
      return new SimulatorConfig(
          customers,
          terminals,
          days,
          start,
          seed,
          radius,
          labelDelay,
          labelLoss,
          spendingDrift,
          nightFraudDrift,
          geographyDrift);
    }
  }

  private static void checkDay(String name, int day, int days) {
    check(day >= 0 && day < days, name, "a day in [0, days - 1] = [0, " + (days - 1) + "]", day);
  }

  private static void check(boolean ok, String name, String rule, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
    }
  }
}

package dev.sluice.simulator;

/**
 * The {@code fraudScenario} codes carried by {@link dev.sluice.avro.Label}: 0 genuine, 1-3 the
 * handbook's scenarios, 4 and up the drift scenarios that create fraud.
 */
public final class FraudScenario {
  public static final int GENUINE = 0;

  /** Handbook 1: amount > 220 (checked on the amount as drawn, before any other rule). */
  public static final int HIGH_AMOUNT = 1;

  /** Handbook 2: every transaction at a terminal compromised in the last 28 days. */
  public static final int COMPROMISED_TERMINAL = 2;

  /** Handbook 3: a third of a compromised card's transactions for 14 days, amount x5. */
  public static final int COMPROMISED_CARD = 3;

  /** Drift: night-time card testing, several small amounts between 00:00 and 06:00. */
  public static final int NIGHT_CARD_TESTING = 4;

  /** Codes 0..{@code COUNT - 1} exist. */
  public static final int COUNT = 5;

  private FraudScenario() {}

  public static String name(int scenario) {
    return switch (scenario) {
      case GENUINE -> "genuine";
      case HIGH_AMOUNT -> "1 amount > 220";
      case COMPROMISED_TERMINAL -> "2 compromised terminal";
      case COMPROMISED_CARD -> "3 compromised card";
      case NIGHT_CARD_TESTING -> "4 night card testing (drift)";
      default -> "scenario " + scenario;
    };
  }
}

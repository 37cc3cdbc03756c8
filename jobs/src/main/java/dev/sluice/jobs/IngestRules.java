package dev.sluice.jobs;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.operators.validation.RuleSet;
import dev.sluice.operators.validation.Rules;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * The ingest job's validation rules, declared in one place. Each rule has a name (the dead-letter
 * error class and the metric group {@code rule.<name>} in the web UI) and parameters from {@link
 * Settings}. Beside these, the validator applies {@code late}, {@code event-time-ahead} and {@code
 * duplicate-id}, which need event time and state (see {@code ValidatingFunction}).
 */
public final class IngestRules {
  private IngestRules() {}

  /**
   * Parameters of the rules.
   *
   * @param idPattern what transaction, customer and terminal ids must look like (whole-string
   *     regex)
   * @param maxAmount largest plausible amount; above it a transaction is refused (amounts must be >
   *     0)
   * @param earliest no event happened before this instant
   * @param maxClockSkew how far in the wall-clock future an event time may be (producer clocks
   *     drift)
   * @param maxScenario largest fraud-scenario code a label may carry
   */
  public record Settings(
      String idPattern,
      BigDecimal maxAmount,
      Instant earliest,
      Duration maxClockSkew,
      int maxScenario)
      implements Serializable {
    public static final Settings DEFAULTS =
        new Settings(
            "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
            new BigDecimal("1000000.00"),
            Instant.parse("2000-01-01T00:00:00Z"),
            Duration.ofHours(1),
            99);
  }

  /** Rules for transactions. */
  public static RuleSet<Transaction> transactions(Settings s) {
    return RuleSet.of(
        Rules.keyPresent("key-present"),
        Rules.matches(
            "transaction-id-format", "transactionId", Transaction::getTransactionId, s.idPattern()),
        Rules.matches(
            "customer-id-format", "customerId", Transaction::getCustomerId, s.idPattern()),
        Rules.matches(
            "terminal-id-format", "terminalId", Transaction::getTerminalId, s.idPattern()),
        Rules.decimalRange(
            "amount-range", "amount", Transaction::getAmount, BigDecimal.ZERO, s.maxAmount()),
        Rules.timeWithin(
            "event-time-sane",
            "eventTime",
            Transaction::getEventTime,
            s.earliest(),
            s.maxClockSkew()));
  }

  /** Rules for labels (ground truth). */
  public static RuleSet<Label> labels(Settings s) {
    return RuleSet.of(
        Rules.keyPresent("key-present"),
        Rules.matches(
            "transaction-id-format", "transactionId", Label::getTransactionId, s.idPattern()),
        Rules.matches("customer-id-format", "customerId", Label::getCustomerId, s.idPattern()),
        Rules.matches("terminal-id-format", "terminalId", Label::getTerminalId, s.idPattern()),
        Rules.timeWithin(
            "event-time-sane", "eventTime", Label::getEventTime, s.earliest(), s.maxClockSkew()),
        Rules.timeWithin(
            "transaction-time-sane",
            "transactionTime",
            Label::getTransactionTime,
            s.earliest(),
            s.maxClockSkew()),
        Rules.<Label>rule(
            "label-after-transaction",
            (label, source) ->
                label.getEventTime() != null
                        && label.getTransactionTime() != null
                        && label.getEventTime().isBefore(label.getTransactionTime())
                    ? "label time "
                        + label.getEventTime()
                        + " is before its transaction "
                        + label.getTransactionTime()
                    : null),
        Rules.<Label>rule(
            "fraud-scenario-consistent",
            (label, source) -> {
              int scenario = label.getFraudScenario();
              if (scenario < 0 || scenario > s.maxScenario()) {
                return "fraudScenario " + scenario + " is outside [0, " + s.maxScenario() + "]";
              }
              return !label.getFraud() && scenario != 0
                  ? "a genuine label carries fraudScenario " + scenario
                  : null;
            }));
  }
}

package dev.sluice.operators.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.testing.TestRecords;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulesTest {
  private static final SourceRecord SOURCE = TestRecords.source("transactions", 1, new byte[] {0});

  private static Transaction tx() {
    return TestRecords.transaction(5);
  }

  @Test
  void required() {
    Rule<Transaction> rule =
        Rules.required("customer-required", "customerId", Transaction::getCustomerId);
    assertThat(rule.check(tx(), SOURCE)).isNull();
    Transaction blank = tx();
    blank.setCustomerId("  ");
    assertThat(rule.check(blank, SOURCE)).isEqualTo("customerId is missing");
  }

  @Test
  void matches() {
    Rule<Transaction> rule =
        Rules.matches("id-format", "transactionId", Transaction::getTransactionId, "tx-\\d{12}");
    assertThat(rule.check(tx(), SOURCE)).isNull();
    Transaction odd = tx();
    odd.setTransactionId("DROP TABLE");
    assertThat(rule.check(odd, SOURCE))
        .isEqualTo("transactionId 'DROP TABLE' does not match tx-\\d{12}");
    odd.setTransactionId(null);
    assertThat(rule.check(odd, SOURCE)).isEqualTo("transactionId is missing");
  }

  @Test
  void decimalRange() {
    Rule<Transaction> rule =
        Rules.decimalRange(
            "amount-range",
            "amount",
            Transaction::getAmount,
            BigDecimal.ZERO,
            new BigDecimal("1000000"));
    Transaction t = tx();
    t.setAmount(new BigDecimal("0.01"));
    assertThat(rule.check(t, SOURCE)).isNull();
    t.setAmount(BigDecimal.ZERO.setScale(2));
    assertThat(rule.check(t, SOURCE)).isEqualTo("amount 0.00 is not > 0");
    t.setAmount(new BigDecimal("1000000.01"));
    assertThat(rule.check(t, SOURCE)).isEqualTo("amount 1000000.01 exceeds the maximum 1000000");
  }

  @Test
  void finiteRange() {
    Rule<Double> rule = Rules.finiteRange("score-range", "score", d -> d, 0, 1);
    assertThat(rule.check(0.5, SOURCE)).isNull();
    assertThat(rule.check(Double.NaN, SOURCE)).isEqualTo("score NaN is not a finite number");
    assertThat(rule.check(Double.POSITIVE_INFINITY, SOURCE)).contains("not a finite number");
    assertThat(rule.check(1.5, SOURCE)).isEqualTo("score 1.5 is outside [0.0, 1.0]");
  }

  @Test
  void oneOf() {
    Rule<Integer> rule = Rules.oneOf("scenario", "fraudScenario", i -> i, Set.of(0, 1, 2, 3));
    assertThat(rule.check(2, SOURCE)).isNull();
    assertThat(rule.check(7, SOURCE)).startsWith("fraudScenario 7 is not one of");
  }

  @Test
  void timeWithin() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
    Rule<Transaction> rule =
        Rules.timeWithin(
            "event-time-sane",
            "eventTime",
            Transaction::getEventTime,
            Instant.parse("2000-01-01T00:00:00Z"),
            Duration.ofHours(1),
            clock);
    Transaction t = tx();
    assertThat(rule.check(t, SOURCE)).isNull();
    t.setEventTime(Instant.parse("1970-01-01T00:00:00Z"));
    assertThat(rule.check(t, SOURCE))
        .isEqualTo("eventTime 1970-01-01T00:00:00Z is before 2000-01-01T00:00:00Z");
    t.setEventTime(Instant.parse("2026-11-27T11:00:01Z"));
    assertThat(rule.check(t, SOURCE)).startsWith("eventTime 2026-11-27T11:00:01Z is in the future");
  }

  @Test
  void keyPresent() {
    Rule<Transaction> rule = Rules.keyPresent("key-present");
    assertThat(rule.check(tx(), SOURCE)).isNull();
    SourceRecord keyless = TestRecords.source("transactions", 2, new byte[] {0});
    keyless.setKey(null);
    assertThat(rule.check(tx(), keyless)).isEqualTo("record has no key");
  }

  @Test
  void aRuleThatThrowsRejectsInsteadOfCrashing() {
    RuleSet<Transaction> rules =
        RuleSet.of(
            Rules.<Transaction>rule(
                "explodes",
                (t, s) -> {
                  throw new IllegalStateException("boom");
                }));
    assertThat(rules.violations(tx(), SOURCE))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.rule()).isEqualTo("explodes");
              assertThat(v.reason()).contains("could not be evaluated").contains("boom");
            });
  }

  @Test
  void ruleNamesAreUniqueAndRuleSetsSerialize() throws Exception {
    Rule<Transaction> a = Rules.required("same", "customerId", Transaction::getCustomerId);
    Rule<Transaction> b = Rules.required("same", "terminalId", Transaction::getTerminalId);
    assertThatThrownBy(() -> RuleSet.of(a, b))
        .hasMessageContaining("two validation rules are named 'same'");
    // Flink ships rule sets to the task managers: every declared rule must serialize.
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(
          RuleSet.of(
              a,
              Rules.keyPresent("key"),
              Rules.matches("m", "id", Transaction::getTransactionId, ".*")));
    }
  }
}

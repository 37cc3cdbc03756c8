package dev.sluice.operators.validation;

import dev.sluice.avro.SourceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An ordered, named list of rules for one record type. The first failing rule decides the
 * dead-letter reason; every rule is evaluated so that per-rule metrics count every outcome.
 */
public final class RuleSet<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Rule<T>> rules;

  @SafeVarargs
  public static <T> RuleSet<T> of(Rule<T>... rules) {
    return new RuleSet<>(List.of(rules));
  }

  public RuleSet(List<Rule<T>> rules) {
    Set<String> names = new HashSet<>();
    for (Rule<T> rule : rules) {
      if (!names.add(rule.name())) {
        throw new IllegalArgumentException("two validation rules are named '" + rule.name() + "'");
      }
    }
    this.rules = List.copyOf(rules);
  }

  public List<Rule<T>> rules() {
    return rules;
  }

  /** Failed rules, in declaration order; an empty list means the value is valid. */
  public List<Violation> violations(T value, SourceRecord source) {
    List<Violation> failures = new ArrayList<>(1);
    evaluate(
        value,
        source,
        (rule, reason) -> {
          if (reason != null) {
            failures.add(new Violation(rule, reason));
          }
        });
    return failures;
  }

  /** Evaluates every rule and reports each outcome (reason null = passed), in declaration order. */
  public void evaluate(T value, SourceRecord source, BiConsumer<String, String> outcome) {
    for (Rule<T> rule : rules) {
      outcome.accept(rule.name(), check(rule, value, source));
    }
  }

  /**
   * One rule's verdict; a rule that cannot evaluate a record (e.g. a getter on a malformed value)
   * rejects it, it does not crash the job.
   */
  static <T> String check(Rule<T> rule, T value, SourceRecord source) {
    try {
      return rule.check(value, source);
    } catch (RuntimeException e) {
      return "rule could not be evaluated: " + e;
    }
  }

  /** One failed rule. */
  public record Violation(String rule, String reason) implements Serializable {}
}

package dev.sluice.operators.validation;

import dev.sluice.avro.SourceRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Building blocks for declaring validation rules. Each factory returns a named, serializable {@link
 * Rule}; a job declares its rule set as a list of these (data, not code paths), so the rules are
 * readable in one place.
 */
public final class Rules {
  private Rules() {}

  /** The field must be present and not blank. */
  public static <T> Rule<T> required(String name, String field, SerializableFunction<T, ?> getter) {
    return rule(
        name,
        (value, source) -> {
          Object v = getter.apply(value);
          return v == null || v.toString().isBlank() ? field + " is missing" : null;
        });
  }

  /** The (string) field must match {@code regex} entirely; a missing field also fails. */
  public static <T> Rule<T> matches(
      String name, String field, SerializableFunction<T, ?> getter, String regex) {
    Pattern pattern = Pattern.compile(regex);
    return rule(
        name,
        (value, source) -> {
          Object v = getter.apply(value);
          if (v == null) {
            return field + " is missing";
          }
          return pattern.matcher(v.toString()).matches()
              ? null
              : field + " '" + abbreviate(v.toString()) + "' does not match " + regex;
        });
  }

  /** A decimal amount strictly above {@code exclusiveMin} and at most {@code inclusiveMax}. */
  public static <T> Rule<T> decimalRange(
      String name,
      String field,
      SerializableFunction<T, BigDecimal> getter,
      BigDecimal exclusiveMin,
      BigDecimal inclusiveMax) {
    return rule(
        name,
        (value, source) -> {
          BigDecimal v = getter.apply(value);
          if (v == null) {
            return field + " is missing";
          }
          if (v.compareTo(exclusiveMin) <= 0) {
            return field + " " + v.toPlainString() + " is not > " + exclusiveMin.toPlainString();
          }
          if (v.compareTo(inclusiveMax) > 0) {
            return field
                + " "
                + v.toPlainString()
                + " exceeds the maximum "
                + inclusiveMax.toPlainString();
          }
          return null;
        });
  }

  /** A double that is finite and within [min, max]. */
  public static <T> Rule<T> finiteRange(
      String name, String field, SerializableFunction<T, Double> getter, double min, double max) {
    return rule(
        name,
        (value, source) -> {
          Double v = getter.apply(value);
          if (v == null || !Double.isFinite(v)) {
            return field + " " + v + " is not a finite number";
          }
          return v < min || v > max
              ? field + " " + v + " is outside [" + min + ", " + max + "]"
              : null;
        });
  }

  /** The field's value must be one of {@code allowed}. */
  public static <T> Rule<T> oneOf(
      String name, String field, SerializableFunction<T, ?> getter, Set<?> allowed) {
    Set<?> copy = Set.copyOf(allowed);
    return rule(
        name,
        (value, source) -> {
          Object v = getter.apply(value);
          return copy.contains(v) ? null : field + " " + v + " is not one of " + copy;
        });
  }

  /**
   * The timestamp must lie in [{@code earliest}, wall-clock now + {@code maxClockSkew}]: nothing
   * happened before the system existed or after now (historical replays are fine, the future is
   * not).
   */
  public static <T> Rule<T> timeWithin(
      String name,
      String field,
      SerializableFunction<T, Instant> getter,
      Instant earliest,
      Duration maxClockSkew) {
    return timeWithin(name, field, getter, earliest, maxClockSkew, Clock.systemUTC());
  }

  static <T> Rule<T> timeWithin(
      String name,
      String field,
      SerializableFunction<T, Instant> getter,
      Instant earliest,
      Duration maxClockSkew,
      Clock clock) {
    return rule(
        name,
        (value, source) -> {
          Instant t = getter.apply(value);
          if (t == null) {
            return field + " is missing";
          }
          if (t.isBefore(earliest)) {
            return field + " " + t + " is before " + earliest;
          }
          Instant latest = clock.instant().plus(maxClockSkew);
          return t.isAfter(latest)
              ? field + " " + t + " is in the future (now + " + maxClockSkew + " = " + latest + ")"
              : null;
        });
  }

  /** The Kafka record must have a key (partitioning by entity depends on it). */
  public static <T> Rule<T> keyPresent(String name) {
    return rule(
        name,
        (value, source) ->
            source.getKey() == null || !source.getKey().hasRemaining()
                ? "record has no key"
                : null);
  }

  /** A rule from a name and a check. */
  public static <T> Rule<T> rule(String name, Check<T> check) {
    return new Named<>(name, check);
  }

  /** The check of a rule: null when the value passes, else the reason. */
  @FunctionalInterface
  public interface Check<T> extends java.io.Serializable {
    String check(T value, SourceRecord source);
  }

  private record Named<T>(String name, Check<T> check) implements Rule<T> {
    @Override
    public String check(T value, SourceRecord source) {
      return check.check(value, source);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}

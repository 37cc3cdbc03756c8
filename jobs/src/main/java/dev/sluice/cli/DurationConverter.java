package dev.sluice.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations as people write them on a command line: 500ms, 10s, 1m, 2h, 7d (or ISO-8601,
 * PT10S).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  public static Duration parse(String value) {
    Duration d = parseSigned(value);
    if (d.isNegative()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is negative: a duration here is 0 or more, e.g. 500ms, 10s, 1m");
    }
    return d;
  }

  private static Duration parseSigned(String value) {
    String text = value.trim().toLowerCase(java.util.Locale.ROOT);
    Matcher m = SIMPLE.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (java.time.format.DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration: use e.g. 500ms, 10s, 1m, 2h, 7d");
    }
  }

  /** The way {@link #parse} reads them, to at most two units: 30d, 2h 5m, 3161d 16h, 250ms, 0s. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long[] amounts = {
      d.toDays(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart(), d.toMillisPart()
    };
    String[] units = {"d", "h", "m", "s", "ms"};
    StringBuilder text = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < amounts.length && shown < 2; i++) {
      if (amounts[i] != 0) {
        text.append(shown == 0 ? "" : " ").append(amounts[i]).append(units[i]);
        shown++;
      } else if (shown > 0) {
        break;
      }
    }
    return shown == 0 ? "0s" : text.toString();
  }
}

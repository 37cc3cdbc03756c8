package dev.sluice.cli.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Escaping and number formatting for the report's HTML and SVG (locale-independent). */
final class Markup {
  private static final DateTimeFormatter DATE_HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private Markup() {}

  /** Text or attribute value made safe for HTML and SVG. */
  static String esc(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // Control characters are not allowed in HTML text (nor in XML, which tests parse).
          if (c < 0x20 && c != '\n' && c != '\t') {
            b.append(' ');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** A pixel coordinate: one decimal is finer than a screen pixel. */
  static String px(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** {@code v} with {@code decimals} decimals. */
  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** A statistic for people: up to 4 significant digits, no exponent for usual magnitudes. */
  static String value(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }

  static String dateHour(long millis) {
    return DATE_HOUR.format(Instant.ofEpochMilli(millis));
  }

  static String date(long millis) {
    return DATE.format(Instant.ofEpochMilli(millis));
  }

  /** Rough width of {@code text} at {@code fontPx} in a sans-serif font, for laying out labels. */
  static double textWidth(String text, double fontPx) {
    return text.length() * fontPx * 0.58;
  }
}

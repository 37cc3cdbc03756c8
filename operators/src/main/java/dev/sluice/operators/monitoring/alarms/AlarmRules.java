package dev.sluice.operators.monitoring.alarms;

import dev.sluice.avro.AlertKind;
import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.Severity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A set of {@link AlarmRule}s with unique names, parsed from a small line format, and the mapping
 * from the records they read to {@link Observation}s.
 *
 * <p>Format: one rule per line; blank lines and lines starting with {@code #} are ignored.
 *
 * <pre>
 * # name          source   statistic       op threshold  options
 * feature-psi     drift    psi             >  0.2        fire_after=3 resolve_after=2 runbook="Check the feature's upstream"
 * many-drifted    drift    drifted_share   >  0.5        severity=CRITICAL
 * auc-drop        metrics  auc_roc         <  0.8        model=fraud fire_after=2 severity=CRITICAL
 * labels-missing  metrics  label_coverage  <  0.5        kind=DATA_QUALITY
 * </pre>
 *
 * <p>{@code source} is {@code drift} or {@code metrics}; {@code op} is {@code >} (ABOVE) or {@code
 * <} (BELOW). Options, each at most once: {@code subject}, {@code model}, {@code fire_after},
 * {@code resolve_after}, {@code severity} (INFO, WARNING, CRITICAL), {@code kind} (an {@link
 * AlertKind}), {@code runbook}, {@code retrain} ({@code true} or {@code false}: whether its FIRING
 * alerts ask the retraining controller to retrain the model). A value with spaces is double-quoted;
 * {@code \"} and {@code \\} escape inside quotes. Every error names the line and what was expected.
 */
public final class AlarmRules implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final List<String> OPTIONS =
      List.of(
          "subject",
          "model",
          "fire_after",
          "resolve_after",
          "severity",
          "kind",
          "runbook",
          "retrain");

  private final Map<String, AlarmRule> byName;

  public AlarmRules(List<AlarmRule> rules) {
    Map<String, AlarmRule> map = new LinkedHashMap<>();
    for (AlarmRule rule : rules) {
      if (map.put(rule.name(), rule) != null) {
        throw new IllegalArgumentException("rule name '" + rule.name() + "' is used twice");
      }
    }
    this.byName = map;
  }

  public static AlarmRules of(AlarmRule... rules) {
    return new AlarmRules(Arrays.asList(rules));
  }

  public List<AlarmRule> rules() {
    return List.copyOf(byName.values());
  }

  /** The rule of that name; an observation always names a rule of the set that made it. */
  public AlarmRule rule(String name) {
    AlarmRule rule = byName.get(name);
    if (rule == null) {
      throw new IllegalArgumentException("no alarm rule named '" + name + "'");
    }
    return rule;
  }

  /**
   * The observations a drift result gives: one per per-subject rule it matches, and a partial one
   * per dataset-level rule when its subject is a feature: not {@code score} or {@code label}, and
   * not an error-stream detector's result (kind {@link DriftKind#ERROR_STREAM}), so the share of
   * drifted features counts features only.
   */
  public List<Observation> observations(DriftResult r) {
    List<Observation> out = new ArrayList<>();
    for (AlarmRule rule : byName.values()) {
      if (rule.source() != AlarmRule.Source.DRIFT || !rule.appliesToModel(r.getModelName())) {
        continue;
      }
      if (rule.datasetLevel()) {
        if (r.getKind() == DriftKind.ERROR_STREAM
            || r.getSubject().equals("score")
            || r.getSubject().equals("label")) {
          continue;
        }
        Observation o = observation(rule, r, AlarmRule.ANY, Double.NaN);
        o.features = new String[] {r.getSubject()};
        o.driftedFeatures = r.getDrifted() ? new String[] {r.getSubject()} : new String[0];
        o.value = o.share();
        out.add(o);
      } else if (rule.appliesToSubject(r.getSubject())) {
        Double value = r.getStatistics().get(rule.statistic());
        if (value != null && !value.isNaN()) {
          Observation o = observation(rule, r, r.getSubject(), value);
          o.referenceCount = r.getReferenceCount();
          out.add(o);
        }
      }
    }
    return out;
  }

  /** The observations a metrics record gives: one per metrics rule that can read it. */
  public List<Observation> observations(ModelMetrics m) {
    List<Observation> out = new ArrayList<>();
    for (AlarmRule rule : byName.values()) {
      if (rule.source() != AlarmRule.Source.METRICS || !rule.appliesToModel(m.getModelName())) {
        continue;
      }
      double value = rule.valueOf(m);
      if (!Double.isNaN(value)) {
        Observation o =
            new Observation(
                rule.name(),
                m.getModelName(),
                m.getModelVersion(),
                rule.statistic(),
                m.getWindowStart().toEpochMilli(),
                m.getWindowEnd().toEpochMilli(),
                value);
        o.count = m.getPredictions();
        out.add(o);
      }
    }
    return out;
  }

  private static Observation observation(
      AlarmRule rule, DriftResult r, String subject, double value) {
    Observation o =
        new Observation(
            rule.name(),
            r.getModelName(),
            r.getModelVersion(),
            subject,
            r.getWindowStart().toEpochMilli(),
            r.getWindowEnd().toEpochMilli(),
            value);
    o.count = r.getCount();
    return o;
  }

  /** Parses the line format above. */
  public static AlarmRules parse(String text) {
    List<AlarmRule> rules = new ArrayList<>();
    Map<String, Integer> lineOf = new LinkedHashMap<>();
    String[] lines = text.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int number = i + 1;
      try {
        AlarmRule rule = parseLine(line);
        Integer first = lineOf.putIfAbsent(rule.name(), number);
        if (first != null) {
          throw new IllegalArgumentException(
              "rule name '" + rule.name() + "' is already used on line " + first);
        }
        rules.add(rule);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
      }
    }
    return new AlarmRules(rules);
  }

  private static AlarmRule parseLine(String line) {
    List<String> tokens = tokenize(line);
    if (tokens.size() < 5) {
      throw new IllegalArgumentException(
          "expected 'name source statistic op threshold [key=value ...]', got "
              + tokens.size()
              + " field(s)");
    }
    String name = tokens.get(0);
    AlarmRule.Builder builder =
        switch (tokens.get(1).toLowerCase(Locale.ROOT)) {
          case "drift" -> AlarmRule.onDrift(name, tokens.get(2));
          case "metrics" -> AlarmRule.onMetrics(name, tokens.get(2));
          default ->
              throw new IllegalArgumentException(
                  "rule '"
                      + name
                      + "': source must be 'drift' or 'metrics', got '"
                      + tokens.get(1)
                      + "'");
        };
    double threshold = number(name, "threshold", tokens.get(4));
    switch (tokens.get(3)) {
      case ">" -> builder.above(threshold);
      case "<" -> builder.below(threshold);
      default ->
          throw new IllegalArgumentException(
              "rule '" + name + "': operator must be '>' or '<', got '" + tokens.get(3) + "'");
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (String token : tokens.subList(5, tokens.size())) {
      int eq = token.indexOf('=');
      String key = eq < 0 ? token : token.substring(0, eq);
      if (eq < 0 || !OPTIONS.contains(key)) {
        throw new IllegalArgumentException(
            "rule '"
                + name
                + "': expected key=value with key one of "
                + OPTIONS
                + ", got '"
                + token
                + "'");
      }
      if (options.put(key, token.substring(eq + 1)) != null) {
        throw new IllegalArgumentException(
            "rule '" + name + "': option '" + key + "' is given twice");
      }
    }
    options.forEach(
        (key, value) -> {
          switch (key) {
            case "subject" -> builder.subject(value);
            case "model" -> builder.model(value);
            case "fire_after" -> builder.fireAfter(integer(name, key, value));
            case "resolve_after" -> builder.resolveAfter(integer(name, key, value));
            case "severity" -> builder.severity(constant(name, key, Severity.class, value));
            case "kind" -> builder.kind(constant(name, key, AlertKind.class, value));
            case "runbook" -> builder.runbook(value);
            case "retrain" -> builder.retrain(bool(name, key, value));
            default -> throw new IllegalStateException(key);
          }
        });
    return builder.build();
  }

  /** Splits on whitespace; a double-quoted part (inside a token or whole) keeps its spaces. */
  private static List<String> tokenize(String line) {
    List<String> tokens = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inToken = false;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\'
            && i + 1 < line.length()
            && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
          current.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else {
          current.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        inToken = true;
      } else if (Character.isWhitespace(c)) {
        if (inToken) {
          tokens.add(current.toString());
          current.setLength(0);
          inToken = false;
        }
      } else {
        current.append(c);
        inToken = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote in '" + line + "'");
    }
    if (inToken) {
      tokens.add(current.toString());
    }
    return tokens;
  }

  private static double number(String rule, String what, String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rule '" + rule + "': " + what + " must be a number, got '" + text + "'");
    }
  }

  private static boolean bool(String rule, String what, String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              "rule '" + rule + "': " + what + " must be true or false, got '" + text + "'");
    };
  }

  private static int integer(String rule, String what, String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rule '" + rule + "': " + what + " must be a whole number, got '" + text + "'");
    }
  }

  private static <E extends Enum<E>> E constant(
      String rule, String what, Class<E> type, String text) {
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "rule '"
              + rule
              + "': "
              + what
              + " must be one of "
              + Arrays.toString(type.getEnumConstants())
              + ", got '"
              + text
              + "'");
    }
  }
}

package dev.sluice.operators.monitoring.alarms;

import dev.sluice.avro.AlertKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.Severity;
import dev.sluice.operators.monitoring.detectors.ErrorStreamFunction;
import dev.sluice.operators.monitoring.drift.DriftStatistics;
import dev.sluice.operators.monitoring.evaluation.WindowMetrics;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One alarm rule, declared as data: which records it reads, which statistic it compares with a
 * threshold, on which subjects and models, and how many windows in a row it takes to fire and to
 * resolve. Built with {@link #onDrift}/{@link #onMetrics} or parsed by {@link AlarmRules#parse};
 * the constructor validates everything and says precisely what is wrong.
 *
 * <p>Statistics:
 *
 * <ul>
 *   <li>{@link Source#DRIFT} ({@link DriftResult}): a key of its {@code statistics} map, one of
 *       {@link #DRIFT_STATISTICS}; a result lacking it (e.g. {@code ks} of a categorical feature)
 *       is not looked at. Or {@link #DRIFTED_SHARE}: the dataset-level rule, the share of features
 *       (subjects other than {@code score}, {@code label} and the error-stream detectors' {@code
 *       errors/...}) with {@code drifted} set in a window, so that many features drifting together
 *       raise one alarm; its subject must be {@code *}.
 *   <li>{@link Source#METRICS} ({@link ModelMetrics}, live predictions only, not shadow): {@code
 *       label_coverage}, {@code mean_label_lag_millis}, {@code predictions}, {@code labelled},
 *       {@code positives}; a realized metric by its name ({@code auc_roc}) or as {@code
 *       realized.auc_roc}; an estimated one as {@code estimated.auc_roc}. Realized and top-level
 *       metrics are read from FINAL records only (provisional ones change as labels arrive);
 *       estimated ones from the first record of a window, whatever its status, since they need no
 *       labels. The alert's subject is the statistic. The subject filter must be {@code *}.
 * </ul>
 *
 * <p>Defaults: subject and model {@code *} (all), fire and resolve after 1 window, severity
 * WARNING, kind from the source and subject (PERFORMANCE for metrics, PREDICTION_DRIFT for {@code
 * score}, LABEL_DRIFT for {@code label}, FEATURE_DRIFT otherwise), empty runbook. Comparisons are
 * strict: ABOVE holds when {@code value > threshold}, BELOW when {@code value < threshold}. NaN
 * values (e.g. an AUC with one class) are not evaluated.
 *
 * @param name unique, [A-Za-z0-9_.:-]+; it is part of keys and alert ids
 * @param fireAfter windows in a row the condition must hold before FIRING
 * @param resolveAfter windows in a row it must not hold before RESOLVED
 * @param retrain whether its FIRING alerts ask the retraining controller to retrain the model
 *     ({@link Alert#getRetrain()}); default false
 */
public record AlarmRule(
    String name,
    Source source,
    String statistic,
    String subject,
    String model,
    double threshold,
    Direction direction,
    int fireAfter,
    int resolveAfter,
    Severity severity,
    AlertKind kind,
    String runbook,
    boolean retrain)
    implements Serializable {

  /** Which records a rule reads. */
  public enum Source {
    DRIFT,
    METRICS
  }

  /** Which side of the threshold is the alarm condition. */
  public enum Direction {
    ABOVE,
    BELOW
  }

  /** Matches every subject or model. */
  public static final String ANY = "*";

  public static final String DRIFTED_SHARE = "drifted_share";
  public static final Set<String> DRIFT_STATISTICS =
      Set.of(
          DriftStatistics.PSI,
          DriftStatistics.KS,
          DriftStatistics.KS_P_VALUE,
          DriftStatistics.JS_DISTANCE,
          DriftStatistics.WASSERSTEIN_NORM,
          DriftStatistics.CHI2,
          DriftStatistics.CHI2_P_VALUE,
          // Error-stream detectors' results (subjects errors/ddm, errors/page_hinkley, ...).
          ErrorStreamFunction.DETECTIONS,
          ErrorStreamFunction.ERROR_RATE,
          ErrorStreamFunction.DETECTOR_ERROR_RATE);
  public static final Set<String> METRICS_FIELDS =
      Set.of("label_coverage", "mean_label_lag_millis", "predictions", "labelled", "positives");
  public static final Set<String> REALIZED_METRICS = Set.copyOf(WindowMetrics.REALIZED_KEYS);
  public static final Set<String> ESTIMATED_METRICS = Set.copyOf(WindowMetrics.ESTIMATED_KEYS);

  private static final String REALIZED = "realized.";
  private static final String ESTIMATED = "estimated.";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

  public AlarmRule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "rule name '" + name + "' must be non-empty and use only letters, digits, _ . : -");
    }
    String where = "rule '" + name + "': ";
    if (source == null) {
      throw new IllegalArgumentException(where + "source is required (drift or metrics)");
    }
    if (direction == null) {
      throw new IllegalArgumentException(where + "direction is required (> or <)");
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          where + "threshold must be a finite number, got " + threshold);
    }
    subject = subject == null || subject.isBlank() ? ANY : subject.strip();
    model = model == null || model.isBlank() ? ANY : model.strip();
    if (source == Source.DRIFT) {
      if (!DRIFTED_SHARE.equals(statistic) && !DRIFT_STATISTICS.contains(statistic)) {
        throw new IllegalArgumentException(
            where
                + "unknown drift statistic '"
                + statistic
                + "', expected one of "
                + sorted(DRIFT_STATISTICS)
                + " or "
                + DRIFTED_SHARE);
      }
      if (DRIFTED_SHARE.equals(statistic)) {
        if (!ANY.equals(subject)) {
          throw new IllegalArgumentException(
              where
                  + DRIFTED_SHARE
                  + " is over all features: subject must be *, not '"
                  + subject
                  + "'");
        }
        if (!(threshold >= 0 && threshold < 1) || direction != Direction.ABOVE) {
          throw new IllegalArgumentException(
              where
                  + DRIFTED_SHARE
                  + " needs '> t' with t in [0, 1), got "
                  + symbol(direction)
                  + " "
                  + threshold);
        }
      }
      if (statistic.endsWith("_p_value") && direction == Direction.ABOVE) {
        throw new IllegalArgumentException(
            where + statistic + " falls when the distribution drifts: use '<', not '>'");
      }
    } else {
      if (!knownMetric(statistic)) {
        throw new IllegalArgumentException(
            where
                + "unknown metric '"
                + statistic
                + "', expected one of "
                + sorted(METRICS_FIELDS)
                + ", a realized metric "
                + sorted(REALIZED_METRICS)
                + " (optionally prefixed 'realized.') or 'estimated.' + one of "
                + sorted(ESTIMATED_METRICS));
      }
      if (!ANY.equals(subject)) {
        throw new IllegalArgumentException(
            where
                + "metrics rules have no subject filter (the subject is the metric), got '"
                + subject
                + "'");
      }
    }
    if (fireAfter < 1) {
      throw new IllegalArgumentException(where + "fire_after must be >= 1, got " + fireAfter);
    }
    if (resolveAfter < 1) {
      throw new IllegalArgumentException(where + "resolve_after must be >= 1, got " + resolveAfter);
    }
    severity = severity == null ? Severity.WARNING : severity;
    kind = kind == null ? defaultKind(source, subject) : kind;
    runbook = runbook == null ? "" : runbook;
  }

  /** Starts a rule on {@link DriftResult}s. */
  public static Builder onDrift(String name, String statistic) {
    return new Builder(name, Source.DRIFT, statistic);
  }

  /** Starts a rule on {@link ModelMetrics}. */
  public static Builder onMetrics(String name, String metric) {
    return new Builder(name, Source.METRICS, metric);
  }

  /** Whether this is the dataset-level share-of-drifted-features rule. */
  public boolean datasetLevel() {
    return source == Source.DRIFT && DRIFTED_SHARE.equals(statistic);
  }

  /** Whether the alarm condition holds for {@code value}; false for NaN. */
  public boolean holds(double value) {
    return direction == Direction.ABOVE ? value > threshold : value < threshold;
  }

  public boolean appliesToModel(String modelName) {
    return ANY.equals(model) || model.equals(modelName);
  }

  public boolean appliesToSubject(String s) {
    return ANY.equals(subject) || subject.equals(s);
  }

  /**
   * The value this rule reads from a metrics record, NaN when the record is not for it (shadow, a
   * provisional record for a labelled metric) or lacks the metric.
   */
  double valueOf(ModelMetrics m) {
    if (m.getShadow()) {
      return Double.NaN;
    }
    boolean estimated = statistic.startsWith(ESTIMATED);
    if (!estimated && m.getStatus() != MetricsStatus.FINAL) {
      return Double.NaN;
    }
    if (estimated) {
      return orNaN(m.getEstimated(), statistic.substring(ESTIMATED.length()));
    }
    return switch (statistic) {
      case "label_coverage" -> m.getLabelCoverage();
      case "mean_label_lag_millis" -> m.getMeanLabelLagMillis();
      case "predictions" -> m.getPredictions();
      case "labelled" -> m.getLabelled();
      case "positives" -> m.getPositives();
      default ->
          orNaN(
              m.getRealized(),
              statistic.startsWith(REALIZED) ? statistic.substring(REALIZED.length()) : statistic);
    };
  }

  /** E.g. {@code psi > 0.2 on * for 3 windows, resolved after 2}. */
  public String describe() {
    return statistic
        + " "
        + symbol(direction)
        + " "
        + threshold
        + (source == Source.DRIFT ? " on " + subject : "")
        + (ANY.equals(model) ? "" : " of " + model)
        + " for "
        + fireAfter
        + (fireAfter == 1 ? " window" : " windows")
        + ", resolved after "
        + resolveAfter;
  }

  static String symbol(Direction direction) {
    return direction == Direction.BELOW ? "<" : ">";
  }

  private static double orNaN(Map<String, Double> values, String key) {
    Double v = values == null ? null : values.get(key);
    return v == null ? Double.NaN : v;
  }

  private static boolean knownMetric(String statistic) {
    if (statistic == null) {
      return false;
    }
    if (statistic.startsWith(ESTIMATED)) {
      return ESTIMATED_METRICS.contains(statistic.substring(ESTIMATED.length()));
    }
    if (statistic.startsWith(REALIZED)) {
      return REALIZED_METRICS.contains(statistic.substring(REALIZED.length()));
    }
    return METRICS_FIELDS.contains(statistic) || REALIZED_METRICS.contains(statistic);
  }

  private static AlertKind defaultKind(Source source, String subject) {
    if (source == Source.METRICS) {
      return AlertKind.PERFORMANCE;
    }
    return switch (subject) {
      case "score" -> AlertKind.PREDICTION_DRIFT;
      case "label" -> AlertKind.LABEL_DRIFT;
      default -> AlertKind.FEATURE_DRIFT;
    };
  }

  private static String sorted(Set<String> names) {
    return new TreeSet<>(names).toString();
  }

  /** Fluent construction; {@link #build()} validates. Threshold and direction are required. */
  public static final class Builder {
    private final String name;
    private final Source source;
    private final String statistic;
    private String subject = ANY;
    private String model = ANY;
    private double threshold = Double.NaN;
    private Direction direction;
    private int fireAfter = 1;
    private int resolveAfter = 1;
    private Severity severity = Severity.WARNING;
    private AlertKind kind;
    private String runbook = "";
    private boolean retrain;

    private Builder(String name, Source source, String statistic) {
      this.name = name;
      this.source = source;
      this.statistic = statistic;
    }

    /** Fires when the value is strictly above {@code t}. */
    public Builder above(double t) {
      this.threshold = t;
      this.direction = Direction.ABOVE;
      return this;
    }

    /** Fires when the value is strictly below {@code t}. */
    public Builder below(double t) {
      this.threshold = t;
      this.direction = Direction.BELOW;
      return this;
    }

    public Builder subject(String s) {
      this.subject = s;
      return this;
    }

    public Builder model(String m) {
      this.model = m;
      return this;
    }

    public Builder fireAfter(int windows) {
      this.fireAfter = windows;
      return this;
    }

    public Builder resolveAfter(int windows) {
      this.resolveAfter = windows;
      return this;
    }

    public Builder severity(Severity s) {
      this.severity = s;
      return this;
    }

    public Builder kind(AlertKind k) {
      this.kind = k;
      return this;
    }

    public Builder runbook(String text) {
      this.runbook = text;
      return this;
    }

    /** Whether FIRING alerts of this rule ask for retraining. */
    public Builder retrain(boolean yes) {
      this.retrain = yes;
      return this;
    }

    public AlarmRule build() {
      return new AlarmRule(
          name,
          source,
          statistic,
          subject,
          model,
          threshold,
          direction,
          fireAfter,
          resolveAfter,
          severity,
          kind,
          runbook,
          retrain);
    }
  }
}

package dev.sluice.operators.monitoring;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One value of a monitored variable at an event time: a model input feature (by name), the
 * decision's score ({@value #SCORE}) or the label ({@value #LABEL}, 1 for fraud). A Flink POJO.
 */
public class MonitoredValue {
  /** Subject of the prediction score (as in the reference profile). */
  public static final String SCORE = "score";

  /** Subject of the label. */
  public static final String LABEL = "label";

  /** Feature name, {@value #SCORE} or {@value #LABEL}. */
  public String subject;

  /** The value. */
  public double value;

  /** Event time, epoch milliseconds. */
  public long time;

  public MonitoredValue() {}

  public MonitoredValue(String subject, double value, long time) {
    this.subject = Objects.requireNonNull(subject, "subject");
    this.value = value;
    this.time = time;
  }

  /** Every feature value of a row, at the row's event time. */
  public static List<MonitoredValue> of(FeatureRow row) {
    long time = row.getEventTime().toEpochMilli();
    List<MonitoredValue> values = new ArrayList<>(row.getFeatures().size());
    for (Map.Entry<String, Double> feature : row.getFeatures().entrySet()) {
      values.add(new MonitoredValue(feature.getKey(), feature.getValue(), time));
    }
    return values;
  }

  /** The score of a decision (shadow scores are the challenger's, monitored by its evaluation). */
  public static MonitoredValue score(Prediction p) {
    return new MonitoredValue(SCORE, p.getScore(), p.getEventTime().toEpochMilli());
  }

  /** The label, at the time it became known. */
  public static MonitoredValue label(Label l) {
    return new MonitoredValue(LABEL, l.getFraud() ? 1 : 0, l.getEventTime().toEpochMilli());
  }

  @Override
  public String toString() {
    return subject + "=" + value + "@" + time;
  }
}

package dev.sluice.operators.monitoring;

import java.util.Objects;

/**
 * Values of one monitored variable that fall in one drift window, bundled by {@link
 * MonitoredValueBundler} so that {@link DriftMonitorFunction} reads and writes the window's sketch
 * once per batch instead of once per value (a RocksDB round trip of the 1.7 KB sketch costs about
 * 100 times the sketch update itself), and so that a network record carries hundreds of values
 * behind one subject string. A Flink POJO (public fields, no-argument constructor; {@code double[]}
 * has its own serializer), so it never falls back to Kryo.
 */
public class MonitoredBatch {
  /** Feature name, {@value MonitoredValue#SCORE} or {@value MonitoredValue#LABEL}. */
  public String subject;

  /**
   * The latest event time of the values, epoch milliseconds (also the record's timestamp); every
   * value is in the same drift window as this time.
   */
  public long time;

  /** The values, in arrival order; never empty. */
  public double[] values;

  public MonitoredBatch() {}

  public MonitoredBatch(String subject, long time, double[] values) {
    this.subject = Objects.requireNonNull(subject, "subject");
    this.time = time;
    this.values = Objects.requireNonNull(values, "values");
  }

  /** A batch of a single value (e.g. for tests, or a caller that does not bundle). */
  public static MonitoredBatch of(MonitoredValue value) {
    return new MonitoredBatch(value.subject, value.time, new double[] {value.value});
  }

  @Override
  public String toString() {
    return subject + "@" + time + " (" + values.length + " values)";
  }
}

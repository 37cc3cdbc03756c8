package dev.sluice.jobs.training;

import java.util.Arrays;
import java.util.Objects;

/**
 * One transaction's feature values as of that transaction (point-in-time correct: computed only
 * from events at or before {@code eventTime}), without its label. The column names are not held
 * here but once by {@link TrainingSetBuilder} and {@link TrainingSet}: value {@code i} belongs to
 * column {@code i}.
 *
 * <p>The row <b>takes ownership</b> of {@code features}: it is not copied (a training window of
 * 1.8M rows would otherwise allocate every value twice), so the caller must not change the array
 * afterwards. {@link #features()} returns a copy; {@link #feature(int)} reads without one.
 *
 * @param transactionId the transaction's id, the join key with {@link dev.sluice.avro.Label}
 * @param eventTime the transaction's event time, epoch milliseconds (UTC)
 * @param customerId the card / customer
 * @param terminalId the terminal
 * @param features the values, in column order
 */
public record FeatureExample(
    String transactionId, long eventTime, String customerId, String terminalId, double[] features) {

  public FeatureExample {
    Objects.requireNonNull(transactionId, "transactionId");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(terminalId, "terminalId");
    Objects.requireNonNull(features, "features");
  }

  /** A copy of the values; use {@link #feature(int)} in loops. */
  @Override
  public double[] features() {
    return features.clone();
  }

  public double feature(int column) {
    return features[column];
  }

  public int featureCount() {
    return features.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureExample other
        && eventTime == other.eventTime
        && transactionId.equals(other.transactionId)
        && customerId.equals(other.customerId)
        && terminalId.equals(other.terminalId)
        && Arrays.equals(features, other.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(transactionId, eventTime, customerId, terminalId)
        + 31 * Arrays.hashCode(features);
  }

  @Override
  public String toString() {
    return "FeatureExample[transactionId="
        + transactionId
        + ", eventTime="
        + eventTime
        + ", customerId="
        + customerId
        + ", terminalId="
        + terminalId
        + ", features="
        + Arrays.toString(features)
        + "]";
  }
}

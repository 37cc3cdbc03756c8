package dev.sluice.jobs.training;

import dev.sluice.avro.Label;
import java.time.Instant;
import java.util.List;

/** Named columns, times and row / label factories shared by the training-set tests. */
final class TrainingFixtures {
  /** Two of the handbook's features: enough to see column order, few enough to write by hand. */
  static final List<String> FEATURES = List.of("TX_AMOUNT", "TX_DURING_NIGHT");

  /** The last millisecond of the handbook's training days. */
  static final String LAST_TRAIN_MILLI = "2018-07-31T23:59:59.999Z";

  static final String FIRST_DELAY_MILLI = "2018-08-01T00:00:00Z";
  static final String FIRST_TEST_MILLI = "2018-08-08T00:00:00Z";

  private TrainingFixtures() {}

  /** Epoch milliseconds of an ISO-8601 instant, e.g. {@code 2018-08-08T00:00:00Z}. */
  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  /** A feature row at noon UTC of {@code day} (e.g. {@code 2018-08-08}), terminal T-{id}. */
  static FeatureExample rowOn(String id, String day, String customer) {
    return row(id, day + "T12:00:00Z", customer, 10.0, 0.0);
  }

  static FeatureExample row(String id, String instant, String customer, double... features) {
    return new FeatureExample(id, at(instant), customer, "T-" + id, features);
  }

  /** The label of {@link #rowOn}, known a day after the transaction. */
  static Label labelOn(String id, String day, String customer, boolean fraud) {
    return label(id, day + "T12:00:00Z", customer, fraud);
  }

  static Label label(String id, String instant, String customer, boolean fraud) {
    Instant time = Instant.parse(instant);
    return labelKnownAt(id, instant, customer, fraud, time.plusSeconds(86_400).toString());
  }

  static Label labelKnownAt(
      String id, String instant, String customer, boolean fraud, String knownAt) {
    return Label.newBuilder()
        .setTransactionId(id)
        .setEventTime(Instant.parse(knownAt))
        .setTransactionTime(Instant.parse(instant))
        .setCustomerId(customer)
        .setTerminalId("T-" + id)
        .setFraud(fraud)
        .setFraudScenario(fraud ? 1 : 0)
        .build();
  }
}

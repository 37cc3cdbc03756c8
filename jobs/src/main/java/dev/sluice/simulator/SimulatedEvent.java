package dev.sluice.simulator;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;

/** One event of the simulator's output stream, in event-time order. */
public sealed interface SimulatedEvent {
  /** Event time in epoch milliseconds (a transaction's time, or when a label became known). */
  long eventTimeMillis();

  /** Kafka key: the customer id. */
  String customerId();

  /**
   * A transaction, with its truth (also sent later as a {@link Label}, unless that label is lost).
   *
   * @param sequence position among the transactions, the number in its id
   * @param fraudScenario {@link FraudScenario} code, 0 when genuine
   */
  record TransactionEvent(Transaction transaction, long sequence, int fraudScenario)
      implements SimulatedEvent {
    @Override
    public long eventTimeMillis() {
      return transaction.getEventTime().toEpochMilli();
    }

    @Override
    public String customerId() {
      return transaction.getCustomerId();
    }
  }

  /** The ground truth of an earlier transaction, at the time it became known. */
  record LabelEvent(Label label) implements SimulatedEvent {
    @Override
    public long eventTimeMillis() {
      return label.getEventTime().toEpochMilli();
    }

    @Override
    public String customerId() {
      return label.getCustomerId();
    }
  }
}

package dev.sluice.simulator;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/** Named configurations and helpers shared by the simulator tests. */
final class SimulatorFixtures {
  /** The handbook's published run: 1,754,155 transactions, 14,681 frauds (0.84%). */
  static final long HANDBOOK_TRANSACTIONS = 1_754_155;

  static final long HANDBOOK_FRAUDS = 14_681;

  /** The handbook's printed counts of new frauds per scenario (978 + 9,099 + 4,604 = 14,681). */
  static final long[] HANDBOOK_FRAUDS_BY_SCENARIO = {0, 978, 9_099, 4_604};

  /**
   * Small but with every mechanism at work: ~7.9 available terminals per customer, ~1 transaction
   * per terminal and day, so compromised terminals and cards are visible.
   */
  static SimulatorConfig.Builder small() {
    return SimulatorConfig.builder().customers(300).terminals(1000).days(40).seed(7);
  }

  /** Handbook terminal density (10,000 on the map) with fewer customers, for the drift tests. */
  static SimulatorConfig.Builder handbookDensity(int customers, int days) {
    return SimulatorConfig.builder().customers(customers).terminals(10_000).days(days).seed(11);
  }

  static List<SimulatedEvent> events(SimulatorConfig config) {
    List<SimulatedEvent> events = new ArrayList<>();
    new Simulation(config).forEachRemaining(events::add);
    return events;
  }

  static List<TransactionEvent> transactions(List<SimulatedEvent> events) {
    List<TransactionEvent> transactions = new ArrayList<>();
    for (SimulatedEvent event : events) {
      if (event instanceof TransactionEvent tx) {
        transactions.add(tx);
      }
    }
    return transactions;
  }

  static List<Label> labels(List<SimulatedEvent> events) {
    List<Label> labels = new ArrayList<>();
    for (SimulatedEvent event : events) {
      if (event instanceof LabelEvent label) {
        labels.add(label.label());
      }
    }
    return labels;
  }

  /** SHA-256 over the Avro binary encoding of every event, in order. */
  static String hash(SimulatorConfig config) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
      SpecificDatumWriter<Transaction> txWriter =
          new SpecificDatumWriter<>(
              Transaction.getClassSchema(), SpecificData.getForClass(Transaction.class));
      SpecificDatumWriter<Label> labelWriter =
          new SpecificDatumWriter<>(Label.getClassSchema(), SpecificData.getForClass(Label.class));
      Simulation simulation = new Simulation(config);
      while (simulation.hasNext()) {
        bytes.reset();
        SimulatedEvent event = simulation.next();
        if (event instanceof TransactionEvent tx) {
          encoder.writeInt(0);
          txWriter.write(tx.transaction(), encoder);
        } else {
          encoder.writeInt(1);
          labelWriter.write(((LabelEvent) event).label(), encoder);
        }
        encoder.flush();
        digest.update(bytes.toByteArray());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Day of a transaction's event time. */
  static int day(SimulatorConfig config, long eventTimeMillis) {
    return (int) ((eventTimeMillis - config.startMillis()) / Simulation.MILLIS_PER_DAY);
  }

  /** Second of the day of an event time. */
  static int secondOfDay(SimulatorConfig config, long eventTimeMillis) {
    return (int) ((eventTimeMillis - config.startMillis()) % Simulation.MILLIS_PER_DAY / 1000);
  }

  static int customerIndex(String customerId) {
    return Integer.parseInt(customerId.substring(2));
  }

  static int terminalIndex(String terminalId) {
    return Integer.parseInt(terminalId.substring(2));
  }

  static long cents(Transaction transaction) {
    return transaction.getAmount().unscaledValue().longValueExact();
  }

  private SimulatorFixtures() {}
}

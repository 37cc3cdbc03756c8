package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.events;
import static dev.sluice.simulator.SimulatorFixtures.labels;
import static dev.sluice.simulator.SimulatorFixtures.small;
import static dev.sluice.simulator.SimulatorFixtures.transactions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink writes readable Avro container files with every event, in order. */
class AvroFilesSinkTest {

  @Test
  void writesTransactionsAndLabelsThatReadBackIdentically(@TempDir Path dir) throws Exception {
    SimulatorConfig config = small().days(10).labelLoss(0.1).build();
    SimulationSummary summary;
    try (AvroFilesSink sink = new AvroFilesSink(dir.resolve("out"), config.toString())) {
      summary = SimulationRunner.runAll(new Simulation(config), sink);
    }
    List<Transaction> transactions =
        read(
            dir.resolve("out").resolve(AvroFilesSink.TRANSACTIONS_FILE).toFile(),
            Transaction.class);
    List<Label> labels =
        read(dir.resolve("out").resolve(AvroFilesSink.LABELS_FILE).toFile(), Label.class);

    assertThat(summary.complete()).isTrue();
    assertThat(transactions).hasSize((int) summary.transactions());
    assertThat(labels).hasSize((int) summary.labels());
    assertThat(summary.labels() + summary.lostLabels()).isEqualTo(summary.transactions());

    List<SimulatedEvent> expected = events(config);
    assertThat(transactions)
        .containsExactlyElementsOf(
            transactions(expected).stream().map(TransactionEvent::transaction).toList());
    assertThat(labels).containsExactlyElementsOf(labels(expected));

    try (DataFileReader<Transaction> reader =
        new DataFileReader<>(
            dir.resolve("out").resolve(AvroFilesSink.TRANSACTIONS_FILE).toFile(),
            new SpecificDatumReader<>(Transaction.class))) {
      assertThat(reader.getMetaString(AvroFilesSink.CONFIG_METADATA)).contains("customers=300");
      assertThat(reader.getMetaString("avro.codec")).isEqualTo("snappy");
    }
  }

  @Test
  void theSameConfigurationWritesByteIdenticalFiles(@TempDir Path dir) throws Exception {
    SimulatorConfig config = small().days(5).build();
    for (String run : List.of("a", "b")) {
      try (AvroFilesSink sink = new AvroFilesSink(dir.resolve(run), config.toString())) {
        SimulationRunner.runAll(new Simulation(config), sink);
      }
    }
    for (String file : List.of(AvroFilesSink.TRANSACTIONS_FILE, AvroFilesSink.LABELS_FILE)) {
      assertThat(Files.mismatch(dir.resolve("a").resolve(file), dir.resolve("b").resolve(file)))
          .isEqualTo(-1);
    }
  }

  private static <T> List<T> read(File file, Class<T> type) throws IOException {
    List<T> records = new ArrayList<>();
    try (DataFileReader<T> reader = new DataFileReader<>(file, new SpecificDatumReader<>(type))) {
      reader.forEach(records::add);
    }
    return records;
  }
}

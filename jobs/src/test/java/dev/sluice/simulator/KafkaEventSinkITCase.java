package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.events;
import static dev.sluice.simulator.SimulatorFixtures.labels;
import static dev.sluice.simulator.SimulatorFixtures.small;
import static dev.sluice.simulator.SimulatorFixtures.transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka sink against a real broker (in-JVM) and the in-memory registry: every event arrives,
 * decodes, is keyed by customer, carries its event time and keeps one customer's order.
 */
class KafkaEventSinkITCase {
  private static KafkaTestCluster kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaTestCluster.start();
    kafka.createTopic("transactions", 4);
    kafka.createTopic("labels", 4);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @Test
  void everyEventArrivesDecodedKeyedByCustomerWithItsEventTime() throws Exception {
    RegistryConfig registry = RegistryConfig.of("mock://simulator-it");
    SimulatorConfig config = small().days(5).build();
    SimulationSummary summary;
    try (KafkaEventSink sink =
        new KafkaEventSink(
            kafka.bootstrapServers(), registry, "transactions", "labels", Duration.ofSeconds(10))) {
      summary = SimulationRunner.runAll(new Simulation(config), sink);
    }

    List<ConsumerRecord<byte[], byte[]>> txRecords = kafka.readCommitted("transactions");
    List<ConsumerRecord<byte[], byte[]>> labelRecords = kafka.readCommitted("labels");
    assertThat(txRecords).hasSize((int) summary.transactions());
    assertThat(labelRecords).hasSize((int) summary.labels());

    SchemaRegistryClient client = SchemaRegistryClients.create(registry);
    List<Transaction> sent =
        KafkaTestCluster.decode(
            txRecords, AvroWireDeserializer.forSpecific(client, Transaction.class));
    List<Label> sentLabels =
        KafkaTestCluster.decode(
            labelRecords, AvroWireDeserializer.forSpecific(client, Label.class));
    List<SimulatedEvent> expected = events(config);
    assertThat(sent)
        .containsExactlyInAnyOrderElementsOf(
            transactions(expected).stream().map(TransactionEvent::transaction).toList());
    assertThat(sentLabels).containsExactlyInAnyOrderElementsOf(labels(expected));

    Map<String, Long> lastTimeByCustomer = new HashMap<>();
    txRecords.sort(
        Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    for (int i = 0; i < txRecords.size(); i++) {
      ConsumerRecord<byte[], byte[]> record = txRecords.get(i);
      Transaction tx =
          AvroWireDeserializer.forSpecific(client, Transaction.class).deserialize(record.value());
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(tx.getCustomerId());
      assertThat(record.timestamp()).isEqualTo(tx.getEventTime().toEpochMilli());
      Long last = lastTimeByCustomer.put(tx.getCustomerId(), record.timestamp());
      assertThat(last == null || last <= record.timestamp()).isTrue();
    }
  }

  @Test
  void aMissingTopicIsNamedBeforeAnythingIsSent() {
    assertThatThrownBy(
            () ->
                new KafkaEventSink(
                    kafka.bootstrapServers(),
                    RegistryConfig.of("mock://simulator-it"),
                    "transactions",
                    "no-such-labels",
                    Duration.ofSeconds(10)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("bin/sluice topics create");
  }
}

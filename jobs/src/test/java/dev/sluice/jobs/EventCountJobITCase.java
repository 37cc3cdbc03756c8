package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.EventCount;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.NodeProducer;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.kafka.RegistryAvroSerializer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.testing.RegistryProcess;
import dev.sluice.schemas.testing.TestRecords;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end against real components: a Kafka broker, a Confluent-compatible registry in
 * its own process, and the job on a MiniCluster with RocksDB and exactly-once sinks. Events are
 * produced with the project's serializer used as a plain Kafka {@code value.serializer}, as another
 * team's producer would.
 */
class EventCountJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static final Instant T0 = Instant.parse("2018-04-01T00:00:00Z");

  @BeforeAll
  static void createTopics() throws Exception {
    kafka().createTopic("transactions", 4);
    kafka().createTopic("event-counts", 1);
    kafka().createTopic("dead-letters", 1);
  }

  @Test
  void countsWhatAKafkaProducerWroteAndDeadLettersWhatItCannotRead(@TempDir Path checkpoints)
      throws Exception {
    Map<Instant, Long> expected = new TreeMap<>();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, RegistryAvroSerializer.class.getName());
    props.put(RegistryConfig.URL, registry().url());
    try (KafkaProducer<String, Transaction> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 600; i++) {
        Transaction tx = TestRecords.transaction(i);
        tx.setEventTime(T0.plusSeconds(i)); // ten minutes of event time
        producer.send(new ProducerRecord<>("transactions", i % 4, tx.getCustomerId(), tx));
        expected.merge(tx.getEventTime().truncatedTo(ChronoUnit.MINUTES), 1L, Long::sum);
      }
      // Close the last window on every partition: one event per partition well past it (not
      // asserted on).
      for (int partition = 0; partition < 4; partition++) {
        Transaction late = TestRecords.transaction(10_000 + partition);
        late.setEventTime(T0.plus(Duration.ofMinutes(30)));
        producer.send(new ProducerRecord<>("transactions", partition, late.getCustomerId(), late));
      }
    }
    List<byte[]> malformed =
        List.of(
            "{\"json\": true}".getBytes(StandardCharsets.UTF_8),
            new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 'x'},
            new byte[] {0, 0});
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (byte[] value : malformed) {
        raw.send(new ProducerRecord<>("transactions", 0, null, value)).get();
      }
    }

    try (RunningJob job =
        RunningJob.start("transactions", "event-counts", "dead-letters", checkpoints)) {
      Map<Instant, Long> actual = job.awaitCounts(10);
      assertThat(actual).isEqualTo(expected);

      List<DeadLetter> dead = job.awaitDeadLetters(3);
      assertThat(dead)
          .extracting(DeadLetter::getErrorClass)
          .containsExactly("BAD_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID", "TRUNCATED_HEADER");
      assertThat(dead).allSatisfy(d -> assertThat(d.getTopic()).isEqualTo("transactions"));
      for (int i = 0; i < malformed.size(); i++) {
        byte[] kept = new byte[dead.get(i).getValue().remaining()];
        dead.get(i).getValue().duplicate().get(kept);
        assertThat(kept).isEqualTo(malformed.get(i));
      }
    }
  }

  /**
   * A producer that shares no code with sluice (Node.js kafkajs
   * with @kafkajs/confluent-schema-registry, the usual choice of JavaScript services) writes
   * transactions; the job must count them like its own.
   */
  @Test
  void countsWhatAnIndependentConfluentClientProduced(@TempDir Path checkpoints, @TempDir Path work)
      throws Exception {
    kafka().createTopic("js-transactions", 2);
    kafka().createTopic("js-counts", 1);
    kafka().createTopic("js-dead-letters", 1);
    String result =
        NodeProducer.produceTransactions(
            work, kafka().bootstrapServers(), registry().url(), "js-transactions", 300);
    assertThat(result).contains("\"sent\":302");

    Map<Instant, Long> expected = new TreeMap<>();
    for (int minute = 0; minute < 5; minute++) {
      expected.put(Instant.parse("2020-01-01T00:00:00Z").plus(Duration.ofMinutes(minute)), 60L);
    }
    try (RunningJob job =
        RunningJob.start("js-transactions", "js-counts", "js-dead-letters", checkpoints)) {
      assertThat(job.awaitCounts(5)).isEqualTo(expected);
      assertThat(kafka().readCommitted("js-dead-letters")).isEmpty();
    }
  }

  /**
   * The job on the MiniCluster against the test's Kafka and registry; closing it cancels the job.
   */
  private record RunningJob(
      JobClient job, SchemaRegistryClient client, String input, String output, String deadLetters)
      implements AutoCloseable {

    static RunningJob start(String input, String output, String deadLetters, Path checkpoints)
        throws Exception {
      EventCountJob.Config config =
          new EventCountJob.Config(
              kafka().bootstrapServers(),
              RegistryConfig.of(registry().url()),
              input,
              output,
              deadLetters,
              "event-count-" + input,
              KafkaConnectors.StartFrom.EARLIEST,
              Duration.ofMinutes(1),
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              new CheckpointSettings(checkpoints.toUri(), Duration.ofSeconds(1), 0));
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              FlinkEnvironments.configuration(config.checkpoints()));
      env.setParallelism(2);
      return new RunningJob(
          EventCountJob.start(env, config),
          SchemaRegistryClients.create(RegistryConfig.of(registry().url())),
          input,
          output,
          deadLetters);
    }

    /**
     * Waits for at least {@code windows} committed counts and returns them summed per window start.
     */
    Map<Instant, Long> awaitCounts(int windows) {
      AvroWireDeserializer<EventCount> counts =
          AvroWireDeserializer.forSpecific(client, EventCount.class);
      List<EventCount> committed = awaitRecords(output, counts, windows);
      Map<Instant, Long> perWindow = new TreeMap<>();
      for (EventCount count : committed) {
        assertThat(count.getSource()).isEqualTo(input);
        perWindow.merge(count.getWindowStart(), count.getCount(), Long::sum);
      }
      return perWindow;
    }

    /** Waits for exactly {@code n} committed dead letters and returns them in offset order. */
    List<DeadLetter> awaitDeadLetters(int n) {
      List<DeadLetter> letters =
          awaitRecords(deadLetters, AvroWireDeserializer.forSpecific(client, DeadLetter.class), n);
      assertThat(letters).hasSize(n);
      return letters;
    }

    private <T> List<T> awaitRecords(
        String topic, AvroWireDeserializer<T> deserializer, int atLeast) {
      return kafka().awaitCommitted(topic, deserializer, atLeast, job);
    }

    @Override
    public void close() throws Exception {
      client.close();
      job.cancel().get();
    }
  }

  private static KafkaTestCluster kafka() {
    return SERVICES.kafka();
  }

  private static RegistryProcess registry() {
    return SERVICES.registry();
  }
}

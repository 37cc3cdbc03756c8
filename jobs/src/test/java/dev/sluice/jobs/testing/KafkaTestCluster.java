package dev.sluice.jobs.testing;

import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;

/**
 * A real single-node KRaft broker inside the test JVM (Kafka's own test kit), with a few
 * conveniences.
 */
public final class KafkaTestCluster implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private KafkaTestCluster(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  public static KafkaTestCluster start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("auto.create.topics.enable", "false")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("offsets.topic.replication.factor", "1")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new KafkaTestCluster(cluster);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  public void createTopic(String name, int partitions) throws Exception {
    createTopic(new NewTopic(name, partitions, (short) 1));
  }

  /**
   * Creates one of the platform's topics as {@code sluice topics create} does (broker append time:
   * records with 2018 event times are not deleted by retention).
   */
  public void createTopic(dev.sluice.jobs.Topics.Spec spec) throws Exception {
    createTopic(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()));
  }

  private void createTopic(NewTopic topic) throws Exception {
    String name = topic.name();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin.createTopics(List.of(topic)).all().get();
      // Creation returns before every listener's metadata knows the topic; clients checking for it
      // at once
      // (as the simulator's sink does) would see it missing.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> admin.describeTopics(List.of(name)).allTopicNames().get().containsKey(name));
    }
  }

  /**
   * Everything committed in {@code topic} right now, read from the beginning with read_committed.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      int emptyPolls = 0;
      while (emptyPolls < 3) {
        int before = records.size();
        consumer.poll(java.time.Duration.ofMillis(500)).forEach(records::add);
        emptyPolls = records.size() == before ? emptyPolls + 1 : 0;
      }
    }
    return records;
  }

  /**
   * Waits until {@code topic} holds at least {@code atLeast} committed records and returns them
   * decoded, in offset order; fails at once if {@code job} stops.
   */
  public <T> List<T> awaitCommitted(
      String topic, AvroWireDeserializer<T> deserializer, int atLeast, JobClient job) {
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the job stopped", () -> job.getJobStatus().get().isGloballyTerminalState())
        .until(() -> readCommitted(topic).size() >= atLeast);
    return decode(readCommitted(topic), deserializer);
  }

  /** Decodes every record's value; a record that does not decode fails the test. */
  public static <T> List<T> decode(
      List<ConsumerRecord<byte[], byte[]>> records, AvroWireDeserializer<T> deserializer) {
    List<T> values = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        values.add(deserializer.deserialize(record.value()));
      } catch (WireFormatException e) {
        throw new AssertionError(
            "record at "
                + record.topic()
                + "/"
                + record.partition()
                + "@"
                + record.offset()
                + " does not decode",
            e);
      }
    }
    return values;
  }

  /** A producer of raw bytes (the tests craft good and bad records themselves). */
  public KafkaProducer<byte[], byte[]> rawProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}

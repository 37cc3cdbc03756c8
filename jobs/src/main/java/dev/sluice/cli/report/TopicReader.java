package dev.sluice.cli.report;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.state.KafkaClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Bounded read-back of a topic of Confluent wire-format Avro records: every committed record from
 * the beginning up to the end offsets at the time of the call, then stop. Each read uses a fresh
 * consumer that is assigned the partitions (no consumer group, nothing committed, so reading leaves
 * no trace and never skips what another reader consumed) with {@code isolation.level=
 * read_committed}, so records of aborted or still-open transactions are never seen.
 *
 * <p>A topic that does not exist reads as empty (the consumer never auto-creates it). A broker that
 * does not answer, a read that does not reach the end offsets within the timeout and a record that
 * does not decode all throw, naming the topic (and the record's partition and offset).
 */
public final class TopicReader implements AutoCloseable {
  /** How long one topic may take to read to its end. */
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  /** How long the broker may take to say which partitions a topic has. */
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);

  private final String bootstrapServers;
  private final KafkaClientSettings kafka;
  private final SchemaRegistryClient registry;

  /** A reader decoding through the registry {@code registry} describes; close it when done. */
  public TopicReader(String bootstrapServers, RegistryConfig registry) {
    this(KafkaClientSettings.of(bootstrapServers), registry);
  }

  /** As above, connecting with {@code kafka}'s client properties (security). */
  public TopicReader(KafkaClientSettings kafka, RegistryConfig registry) {
    this.kafka = kafka;
    this.bootstrapServers = kafka.bootstrapServers();
    this.registry = SchemaRegistryClients.create(registry);
  }

  /** Every committed record of {@code topic} up to its end offsets now, decoded as {@code type}. */
  public <T extends SpecificRecord> List<T> readAll(String topic, Class<T> type) {
    AvroWireDeserializer<T> decoder = AvroWireDeserializer.forSpecific(registry, type);
    List<T> records = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readRecords(topic)) {
      try {
        records.add(decoder.deserialize(r.value()));
      } catch (WireFormatException e) {
        throw new IllegalStateException(
            String.format(
                "record %s-%d@%d is not a %s: %s",
                topic, r.partition(), r.offset(), type.getSimpleName(), e.getMessage()),
            e);
      }
    }
    return records;
  }

  private List<ConsumerRecord<byte[], byte[]>> readRecords(String topic) {
    Properties props = kafka.consumer();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "Kafka at "
                + bootstrapServers
                + " did not answer within "
                + METADATA_TIMEOUT.toSeconds()
                + " s (is it running? bin/sluice infra status)",
            e);
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) {
        return records;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end in " + READ_TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          // A poll may run past the end offsets taken at the start; those records are not ours.
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            records.add(r);
          }
        }
      }
    }
    return records;
  }

  @Override
  public void close() {
    registry.close();
  }
}

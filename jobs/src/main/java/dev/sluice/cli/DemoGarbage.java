package dev.sluice.cli;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * For the demo only: every few seconds, one bad record of a rotating kind into the transactions
 * topic, so the dead-letter topic and the rule counters have something to show. Not part of the
 * simulator, whose output is always valid.
 */
final class DemoGarbage implements Runnable {
  private final String bootstrapServers;
  private final RegistryConfig registryConfig;
  private final String topic;
  private final long intervalMillis;
  private final AtomicBoolean running = new AtomicBoolean(true);

  DemoGarbage(String bootstrapServers, RegistryConfig registry, String topic, long intervalMillis) {
    this.bootstrapServers = bootstrapServers;
    this.registryConfig = registry;
    this.topic = topic;
    this.intervalMillis = intervalMillis;
  }

  void stop() {
    running.set(false);
  }

  /** One kind of garbage: a name and how to make its value from a serializer. */
  private record Kind(
      String name, byte[] key, Function<AvroWireSerializer<Transaction>, byte[]> value) {}

  @Override
  public void run() {
    byte[] key = "c-00000".getBytes(StandardCharsets.UTF_8);
    List<Kind> kinds =
        List.of(
            new Kind("json", key, s -> "{\"amount\": 12.5}".getBytes(StandardCharsets.UTF_8)),
            new Kind(
                "negative amount",
                key,
                s ->
                    s.serialize(
                        topic,
                        tx("demo-negative", "-5.00", Instant.parse("2018-04-01T12:00:00Z")))),
            new Kind(
                "future",
                key,
                s ->
                    s.serialize(
                        topic, tx("demo-future", "5.00", Instant.parse("2100-01-01T00:00:00Z")))),
            new Kind("empty", key, s -> new byte[0]),
            new Kind(
                "no key",
                null,
                s ->
                    s.serialize(
                        topic, tx("demo-no-key", "5.00", Instant.parse("2018-04-01T12:00:00Z")))));
    try (SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig);
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      AvroWireSerializer<Transaction> serializer =
          new AvroWireSerializer<>(registry, registryConfig, false);
      for (int n = 0; running.get(); n++) {
        Kind kind = kinds.get(n % kinds.size());
        producer.send(new ProducerRecord<>(topic, kind.key(), kind.value().apply(serializer)));
        TimeUnit.MILLISECONDS.sleep(intervalMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Transaction tx(String id, String amount, Instant at) {
    return new Transaction(
        id + "-" + System.nanoTime(), at, "c-00000", "t-00000", new BigDecimal(amount));
  }
}

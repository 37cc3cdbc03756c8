package dev.sluice.cli;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Placeholder traffic for the spine: random transactions at a steady rate with wall-clock event
 * times, plus an optional malformed record every N to show the dead-letter path. Not the handbook
 * simulator (that is a separate capability); only here so that the first job has something to
 * count.
 */
final class DemoTraffic implements Runnable {
  private final String bootstrapServers;
  private final RegistryConfig registryConfig;
  private final String topic;
  private final double ratePerSecond;
  private final long count;
  private final long malformedEvery;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile long sent;

  DemoTraffic(
      String bootstrapServers,
      RegistryConfig registry,
      String topic,
      double ratePerSecond,
      long count,
      long malformedEvery) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("--rate must be > 0, got " + ratePerSecond);
    }
    this.bootstrapServers = bootstrapServers;
    this.registryConfig = registry;
    this.topic = topic;
    this.ratePerSecond = ratePerSecond;
    this.count = count;
    this.malformedEvery = malformedEvery;
  }

  void stop() {
    running.set(false);
  }

  long sent() {
    return sent;
  }

  @Override
  public void run() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    Random random = new Random(42);
    long intervalNanos = (long) (1e9 / ratePerSecond);
    try (SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig);
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      AvroWireSerializer<Transaction> serializer =
          new AvroWireSerializer<>(registry, registryConfig, false);
      long next = System.nanoTime();
      for (long n = 1; running.get() && (count == 0 || n <= count); n++) {
        String customer = String.format("c-%05d", random.nextInt(500));
        byte[] value;
        if (malformedEvery > 0 && n % malformedEvery == 0) {
          value = ("{\"not\": \"wire format\", \"n\": " + n + "}").getBytes(StandardCharsets.UTF_8);
        } else {
          Transaction tx =
              Transaction.newBuilder()
                  .setTransactionId(String.format("demo-%d-%08d", ProcessHandle.current().pid(), n))
                  .setEventTime(Instant.now())
                  .setCustomerId(customer)
                  .setTerminalId(String.format("t-%05d", random.nextInt(1000)))
                  .setAmount(
                      BigDecimal.valueOf(5 + Math.abs(random.nextGaussian()) * 50)
                          .setScale(2, RoundingMode.HALF_UP))
                  .build();
          value = serializer.serialize(topic, tx);
        }
        producer.send(
            new ProducerRecord<>(topic, customer.getBytes(StandardCharsets.UTF_8), value));
        sent = n;
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

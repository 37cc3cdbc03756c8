package dev.sluice.simulator;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.RegistryUnavailableException;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import dev.sluice.state.KafkaClientSettings;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends transactions and labels to their topics in the Confluent wire format (schemas registered
 * through the registry), keyed by customer id so that one customer's events stay in order on one
 * partition; the record timestamp is the event time. Idempotent producer with {@code acks=all}.
 *
 * <p>Kafka and the registry are checked when the sink is created (the topics must exist, both
 * schemas are registered), so an outage is reported before anything is sent. A failed send is
 * reported by the next {@link #write} or by {@link #flush}.
 */
public final class KafkaEventSink implements EventSink {
  private final String transactionsTopic;
  private final String labelsTopic;
  private final SchemaRegistryClient registry;
  private final AvroWireSerializer<Transaction> transactionSerializer;
  private final AvroWireSerializer<Label> labelSerializer;
  private final KafkaProducer<byte[], byte[]> producer;
  private volatile Exception sendFailure;
  private volatile ObjLongConsumer<SimulatedEvent> acknowledged;

  public KafkaEventSink(
      String bootstrapServers,
      RegistryConfig registryConfig,
      String transactionsTopic,
      String labelsTopic,
      Duration checkTimeout) {
    this(
        KafkaClientSettings.of(bootstrapServers),
        registryConfig,
        transactionsTopic,
        labelsTopic,
        checkTimeout);
  }

  /** As above, connecting with {@code kafka}'s client properties (security). */
  public KafkaEventSink(
      KafkaClientSettings kafka,
      RegistryConfig registryConfig,
      String transactionsTopic,
      String labelsTopic,
      Duration checkTimeout) {
    this.transactionsTopic = transactionsTopic;
    this.labelsTopic = labelsTopic;
    checkTopics(kafka, List.of(transactionsTopic, labelsTopic), checkTimeout);
    this.registry = SchemaRegistryClients.create(registryConfig);
    try {
      transactionSerializer = new AvroWireSerializer<>(registry, registryConfig, false);
      labelSerializer = new AvroWireSerializer<>(registry, registryConfig, false);
      Instant epoch = Instant.EPOCH;
      transactionSerializer.serialize(
          transactionsTopic, new Transaction("tx-check", epoch, "c", "t", BigDecimal.ONE));
      labelSerializer.serialize(
          labelsTopic, new Label("tx-check", epoch, epoch, "c", "t", false, 0));
    } catch (RegistryUnavailableException e) {
      closeQuietly();
      throw new IllegalStateException(
          "schema registry "
              + registryConfig.urls()
              + " is not reachable: "
              + e.getMessage()
              + " (local services: bin/sluice infra up)",
          e);
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
    Properties props = kafka.producer();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-simulator");
    producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void checkTopics(
      KafkaClientSettings kafka, List<String> topics, Duration timeout) {
    int timeoutMs = (int) timeout.toMillis();
    String bootstrapServers = kafka.bootstrapServers();
    Properties adminProps = kafka.admin();
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin admin = Admin.create(adminProps)) {
      admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException(
            "topic(s) "
                + topics
                + " missing on "
                + bootstrapServers
                + ": create them with 'bin/sluice topics create'",
            cause);
      }
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " is not reachable within "
              + timeout.toSeconds()
              + " s (local services: bin/sluice infra up): "
              + cause.getClass().getSimpleName(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka", e);
    }
  }

  @Override
  public void write(SimulatedEvent event) {
    failIfSendFailed();
    String topic;
    byte[] value;
    if (event instanceof TransactionEvent tx) {
      topic = transactionsTopic;
      value = transactionSerializer.serialize(topic, tx.transaction());
    } else {
      topic = labelsTopic;
      value = labelSerializer.serialize(topic, ((LabelEvent) event).label());
    }
    byte[] key = event.customerId().getBytes(StandardCharsets.UTF_8);
    producer.send(
        new ProducerRecord<>(topic, null, event.eventTimeMillis(), key, value),
        (metadata, exception) -> {
          if (exception != null && sendFailure == null) {
            sendFailure = exception;
          }
          ObjLongConsumer<SimulatedEvent> listener = acknowledged;
          if (exception == null && listener != null) {
            listener.accept(event, metadata.timestamp());
          }
        });
  }

  /**
   * Calls {@code listener} on the producer's I/O thread for every event the broker acknowledged,
   * with the record's timestamp as the broker stored it (on a {@code LogAppendTime} topic, the
   * moment it was appended: when the event became available to consumers). For benchmarks that time
   * events end to end; it must be quick.
   */
  public void onAcknowledged(ObjLongConsumer<SimulatedEvent> listener) {
    this.acknowledged = listener;
  }

  @Override
  public void flush() {
    producer.flush();
    failIfSendFailed();
  }

  private void failIfSendFailed() {
    Exception failure = sendFailure;
    if (failure == null) {
      return;
    }
    String hint = "";
    if (failure instanceof InvalidRecordException || failure instanceof InvalidTimestampException) {
      hint =
          " (the record timestamp is the event time: a topic with message.timestamp.type=CreateTime"
              + " refuses times too far from the broker's clock, see log.message.timestamp.after.max.ms"
              + " and before.max.ms; with --speedup above 1 event times run ahead of the clock."
              + " Topics made by 'bin/sluice topics create' use LogAppendTime and accept them)";
    }
    throw new IllegalStateException(
        "sending to Kafka failed: "
            + failure.getClass().getSimpleName()
            + ": "
            + failure.getMessage()
            + hint,
        failure);
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(30));
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      registry.close();
    } catch (Exception e) {
      // Closing the registry's HTTP client cannot lose data; the original failure matters more.
    }
  }
}

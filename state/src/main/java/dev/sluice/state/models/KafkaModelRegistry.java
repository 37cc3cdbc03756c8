package dev.sluice.state.models;

import static dev.sluice.state.models.ModelRegistryException.Problem.ALIAS_NOT_SET;
import static dev.sluice.state.models.ModelRegistryException.Problem.ALREADY_SET;
import static dev.sluice.state.models.ModelRegistryException.Problem.NOTHING_TO_ROLL_BACK;
import static dev.sluice.state.models.ModelRegistryException.Problem.UNKNOWN_MODEL;
import static dev.sluice.state.models.ModelRegistryException.Problem.UNKNOWN_VERSION;

import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.schemas.kafka.RegistryAvroSerializer;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry on a Kafka topic (see {@link ModelRegistryLog} for the topic's layout).
 *
 * <p>Reads replay the log from offset 0 to its end as of the call into a fresh {@link
 * RegistryState}. Writes are optimistic: the version number (or alias sequence) is taken from the
 * current state, the record is appended, and the log is replayed again to check that the record was
 * applied. If another writer appended the same number first, every reader ignores ours, so the
 * write is retried with the next number, at most {@value #MAX_ATTEMPTS} times. An alias rollback or
 * demotion is retried only while the alias still points where it did when the call started: rolling
 * back twice because two people asked once each would be wrong.
 *
 * <p>Each instance holds one producer, one consumer and one registry client; methods are
 * synchronized. Close it to release them.
 */
public final class KafkaModelRegistry implements ModelRegistry {
  /** Attempts of one write before giving up to concurrent writers. */
  public static final int MAX_ATTEMPTS = 10;

  /** Largest ONNX model accepted: the record limit less 1 MiB for everything else in it. */
  public static final int MAX_MODEL_BYTES = ModelRegistryLog.MAX_MESSAGE_BYTES - 1024 * 1024;

  /** What {@link #open} does when the topic does not exist. */
  public enum IfMissing {
    /** Create it (single partition, {@link ModelRegistryLog#topicConfigs()}). */
    CREATE,
    /** Fail, naming the topic: for readers, so that a misspelt topic is not created. */
    FAIL
  }

  private static final Logger LOG = LoggerFactory.getLogger(KafkaModelRegistry.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ModelRegistryLog log;
  private final ModelValidator validator;
  private final String actor;
  private final Clock clock;
  private final TopicPartition partition;
  private final SchemaRegistryClient schemas;
  private final AvroWireDeserializer<RegistryEvent> decoder;
  private final KafkaProducer<String, RegistryEvent> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;

  private KafkaModelRegistry(
      ModelRegistryLog log, ModelValidator validator, String actor, Clock clock) {
    this.log = log;
    this.validator = validator;
    this.actor = actor;
    this.clock = clock;
    this.partition = new TopicPartition(log.topic(), 0);
    this.schemas = SchemaRegistryClients.create(log.registry());
    this.decoder = AvroWireDeserializer.forSpecific(schemas, RegistryEvent.class);
    Map<String, Object> producerProps = new HashMap<>();
    log.kafka().producer().forEach((k, v) -> producerProps.put((String) k, v));
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ModelRegistryLog.MAX_MESSAGE_BYTES);
    // A record larger than the producer's buffer is refused outright: keep room for two.
    producerProps.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * ModelRegistryLog.MAX_MESSAGE_BYTES);
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() * 2);
    KafkaProducer<String, RegistryEvent> createdProducer = null;
    try {
      createdProducer =
          new KafkaProducer<>(
              producerProps,
              new StringSerializer(),
              new RegistryAvroSerializer<>(schemas, log.registry(), false));
      this.producer = createdProducer;
      this.consumer =
          new KafkaConsumer<>(
              log.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    } catch (RuntimeException e) {
      if (createdProducer != null) {
        createdProducer.close();
      }
      schemas.close();
      throw e;
    }
    consumer.assign(List.of(partition));
  }

  /**
   * Opens the registry on {@code log}, creating the topic if it is missing.
   *
   * @param validator checks every version before {@link #register} writes it
   */
  public static KafkaModelRegistry open(ModelRegistryLog log, ModelValidator validator)
      throws IOException {
    return open(log, validator, IfMissing.CREATE, ModelRegistryLog.currentActor());
  }

  /**
   * Opens the registry on {@code log}.
   *
   * @param ifMissing whether to create a missing topic or fail
   * @param actor recorded as the {@code actor} of alias changes, e.g. {@code alice@laptop}
   * @throws IllegalStateException if the topic has more than one partition, or deletes by age
   * @throws IOException if Kafka cannot be reached
   */
  public static KafkaModelRegistry open(
      ModelRegistryLog log, ModelValidator validator, IfMissing ifMissing, String actor)
      throws IOException {
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(actor, "actor");
    ensureTopic(log, ifMissing);
    return new KafkaModelRegistry(log, validator, actor, Clock.systemUTC());
  }

  /**
   * Creates the topic if it is missing (and {@code ifMissing} allows it), then checks that it can
   * hold a registry: exactly one partition (the log's order decides races) and no deletion by age.
   */
  static void ensureTopic(ModelRegistryLog log, IfMissing ifMissing) throws IOException {
    String topic = log.topic();
    Map<String, Object> adminProps = new HashMap<>();
    log.kafka().admin().forEach((k, v) -> adminProps.put((String) k, v));
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(adminProps)) {
      TopicDescription description = describe(admin, topic);
      if (description == null) {
        if (ifMissing == IfMissing.FAIL) {
          throw new IllegalStateException(
              "no model registry topic '"
                  + topic
                  + "' at "
                  + log.bootstrapServers()
                  + ": create it with 'sluice topics create', or register a model");
        }
        try {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(topic, Optional.of(1), Optional.empty())
                          .configs(ModelRegistryLog.topicConfigs())))
              .all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          LOG.info("created the model registry topic {}", topic);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw kafkaFailure("cannot create the model registry topic '" + topic + "'", log, e);
          }
        }
        description = awaitDescription(admin, topic);
      }
      if (description.partitions().size() != 1) {
        throw new IllegalStateException(
            "topic '"
                + topic
                + "' has "
                + description.partitions().size()
                + " partitions, but the model registry needs exactly one: version numbers and"
                + " alias changes are decided by the order of the log, which Kafka keeps only"
                + " within a partition. Use another topic (--registry-topic) or recreate it with"
                + " one partition");
      }
      Config config =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
              .all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .values()
              .iterator()
              .next();
      String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
      String retention = value(config, TopicConfig.RETENTION_MS_CONFIG, "-1");
      if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && !"-1".equals(retention)) {
        throw new IllegalStateException(
            "topic '"
                + topic
                + "' deletes records after "
                + retention
                + " ms (cleanup.policy="
                + policy
                + "): the model registry would lose registered versions. Set cleanup.policy=compact"
                + " or retention.ms=-1 on it");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw kafkaFailure("cannot check the model registry topic '" + topic + "'", log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking topic '" + topic + "'", e);
    }
  }

  private static TopicDescription describe(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw e;
    }
  }

  /** A new topic's description, once the broker's metadata knows it. */
  private static TopicDescription awaitDescription(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException, IOException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      TopicDescription description = describe(admin, topic);
      if (description != null) {
        return description;
      }
      Thread.sleep(100);
    }
    throw new IOException(
        "topic '" + topic + "' was created but is still unknown to the broker after " + TIMEOUT);
  }

  private static String value(Config config, String name, String fallback) {
    ConfigEntry entry = config.get(name);
    return entry == null || entry.value() == null ? fallback : entry.value();
  }

  /** Where this registry's log is. */
  public ModelRegistryLog log() {
    return log;
  }

  @Override
  public synchronized RegistryState read() throws IOException {
    return replay(-1).state();
  }

  @Override
  public synchronized ModelVersion register(ModelVersion candidate)
      throws InvalidModelException, IOException {
    String name = ModelRegistryLog.requireName("model name", candidate.getName());
    int size = candidate.getOnnx().remaining();
    if (size > MAX_MODEL_BYTES) {
      throw new IllegalArgumentException(
          "model "
              + name
              + " is "
              + size
              + " bytes; the registry takes models up to "
              + MAX_MODEL_BYTES
              + " bytes (its topic's records are limited to "
              + ModelRegistryLog.MAX_MESSAGE_BYTES
              + " bytes, with room kept for the signature and profile)");
    }
    validator.validate(candidate);
    ModelVersion record = ModelVersion.newBuilder(candidate).build();
    record.setSha256(RegistryState.sha256(record.getOnnx()));
    RegistryState state = read();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      int number = state.nextVersion(name);
      record.setVersion(number);
      long offset = append(ModelRegistryLog.versionKey(name, number), record);
      Replay replay = replay(offset);
      if (replay.outcome().applied()) {
        LOG.info("registered {} version {} at offset {}", name, number, offset);
        return record;
      }
      state = replay.state();
      if (state.version(name, number).isEmpty()) {
        throw new IllegalStateException(
            "the registry ignored version "
                + number
                + " of "
                + name
                + " at offset "
                + offset
                + ": "
                + replay.outcome().reason());
      }
      LOG.debug("version {} of {} was taken by another writer (attempt {})", number, name, attempt);
      backoff(attempt);
      // Whoever won may have written more while this one waited.
      state = read();
    }
    throw new IllegalStateException(
        "could not register a version of "
            + name
            + ": other writers took the next number "
            + MAX_ATTEMPTS
            + " times in a row; try again");
  }

  @Override
  public synchronized AliasChange promote(String name, int version, String alias, String reason)
      throws IOException {
    ModelRegistryLog.requireName("alias", alias);
    return changeAlias(
        name,
        alias,
        AliasAction.PROMOTE,
        reason,
        state -> {
          requireVersion(state, name, version);
          Integer current = state.aliases(name).get(alias);
          if (Objects.equals(current, version)) {
            throw new ModelRegistryException(
                ALREADY_SET, alias + " of " + name + " already points at version " + version);
          }
          return version;
        });
  }

  @Override
  public synchronized AliasChange demote(String name, String alias, String reason)
      throws IOException {
    return changeAlias(
        name,
        alias,
        AliasAction.DEMOTE,
        reason,
        state -> {
          requireAlias(state, name, alias, "demote");
          return null;
        });
  }

  @Override
  public synchronized AliasChange rollback(String name, String alias, String reason)
      throws IOException {
    return changeAlias(
        name,
        alias,
        AliasAction.ROLLBACK,
        reason,
        state -> {
          requireModel(state, name);
          return state
              .rollbackTarget(name, alias)
              .orElseThrow(
                  () ->
                      new ModelRegistryException(
                          NOTHING_TO_ROLL_BACK,
                          alias
                              + " of "
                              + name
                              + (state.aliases(name).containsKey(alias)
                                  ? " points at version "
                                      + state.aliases(name).get(alias)
                                      + " and has no earlier target to roll back to"
                                  : " is not set and has no earlier target to roll back to")
                              + " (history: 'sluice model history "
                              + name
                              + "')"));
        });
  }

  /**
   * Appends an alias change planned on the current state, retrying on a lost compare-and-set.
   *
   * @param target the version the alias should point at, planned from a state (null: remove it);
   *     throws {@link ModelRegistryException} when the request makes no sense in that state
   */
  private AliasChange changeAlias(
      String name,
      String alias,
      AliasAction action,
      String reason,
      Function<RegistryState, Integer> target)
      throws IOException {
    ModelRegistryLog.requireName("model name", name);
    ModelRegistryLog.requireName("alias", alias);
    RegistryState state = read();
    requireModel(state, name);
    Integer startedFrom = state.aliases(name).get(alias);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Integer current = state.aliases(name).get(alias);
      if (action != AliasAction.PROMOTE && !Objects.equals(current, startedFrom)) {
        throw new IllegalStateException(
            alias
                + " of "
                + name
                + " moved from "
                + describe(startedFrom)
                + " to "
                + describe(current)
                + " while this "
                + action.name().toLowerCase(Locale.ROOT)
                + " was being written; nothing done (see 'sluice model history "
                + name
                + "')");
      }
      Integer version = target.apply(state);
      long sequence = state.nextSequence(name);
      AliasChange change =
          AliasChange.newBuilder()
              .setName(name)
              .setAlias(alias)
              .setVersion(version)
              .setPreviousVersion(current)
              .setSequence(sequence)
              .setAction(action)
              .setAt(Instant.now(clock))
              .setActor(actor)
              .setReason(reason == null ? "" : reason)
              .build();
      long offset = append(ModelRegistryLog.aliasKey(name, sequence), change);
      Replay replay = replay(offset);
      if (replay.outcome().applied()) {
        LOG.info("{} of {}: {} -> {} at offset {}", alias, name, current, version, offset);
        return change;
      }
      state = replay.state();
      if (state.nextSequence(name) <= sequence) {
        throw new IllegalStateException(
            "the registry ignored the "
                + action.name().toLowerCase(Locale.ROOT)
                + " of "
                + alias
                + " of "
                + name
                + " at offset "
                + offset
                + ": "
                + replay.outcome().reason());
      }
      LOG.debug("alias change {} of {} was taken by another writer", sequence, name);
      backoff(attempt);
      state = read();
    }
    throw new IllegalStateException(
        "could not change "
            + alias
            + " of "
            + name
            + ": other writers changed its aliases "
            + MAX_ATTEMPTS
            + " times in a row; try again");
  }

  private static String describe(Integer version) {
    return version == null ? "(not set)" : "version " + version;
  }

  /** Fails unless the model exists, listing the models that do. */
  static void requireModel(RegistryState state, String name) {
    if (state.versions(name).isEmpty()) {
      throw new ModelRegistryException(
          UNKNOWN_MODEL,
          "unknown model '"
              + name
              + "' ("
              + (state.models().isEmpty()
                  ? "the registry is empty"
                  : "models: " + String.join(", ", state.models()))
              + ")");
    }
  }

  /** Fails unless the version exists, listing the versions that do. */
  static ModelVersion requireVersion(RegistryState state, String name, int version) {
    requireModel(state, name);
    return state
        .version(name, version)
        .orElseThrow(
            () ->
                new ModelRegistryException(
                    UNKNOWN_VERSION,
                    "unknown version "
                        + version
                        + " of "
                        + name
                        + " (versions: "
                        + String.join(
                            ", ",
                            state.versions(name).stream()
                                .map(v -> Integer.toString(v.getVersion()))
                                .toList())
                        + ")"));
  }

  private static void requireAlias(RegistryState state, String name, String alias, String verb) {
    requireModel(state, name);
    if (!state.aliases(name).containsKey(alias)) {
      throw new ModelRegistryException(
          ALIAS_NOT_SET,
          "cannot "
              + verb
              + " "
              + alias
              + " of "
              + name
              + ": it is not set (aliases: "
              + (state.aliases(name).isEmpty() ? "none" : state.aliases(name))
              + ")");
    }
  }

  private long append(String key, Object payload) throws IOException {
    RegistryEvent event = RegistryEvent.newBuilder().setEvent(payload).build();
    try {
      long offset =
          producer
              .send(new ProducerRecord<>(log.topic(), 0, key, event))
              .get(TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)
              .offset();
      producer.flush();
      return offset;
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw kafkaFailure("cannot append " + key + " to topic '" + log.topic() + "'", log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while appending " + key, e);
    }
  }

  /** The state as of the log's current end, and the outcome of the record at {@code watch}. */
  private record Replay(RegistryState state, RegistryState.Outcome outcome) {}

  private Replay replay(long watch) throws IOException {
    RegistryState state = new RegistryState();
    RegistryState.Outcome watched = new RegistryState.Outcome(false, "not read");
    try {
      long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(partition, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "timed out reading topic '"
                  + log.topic()
                  + "' up to offset "
                  + end
                  + " (at "
                  + consumer.position(partition)
                  + ")");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() >= end) {
            break;
          }
          RegistryState.Outcome outcome = apply(state, record);
          if (record.offset() == watch) {
            watched = outcome;
          }
        }
      }
    } catch (KafkaException e) {
      throw kafkaFailure("cannot read topic '" + log.topic() + "'", log, e);
    }
    return new Replay(state, watched);
  }

  private RegistryState.Outcome apply(RegistryState state, ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return new RegistryState.Outcome(false, "tombstone");
    }
    RegistryEvent event;
    try {
      event = decoder.deserialize(record.value());
    } catch (WireFormatException e) {
      // Every reader skips the same bytes, so they still agree; the record is not the reader's
      // fault.
      LOG.warn(
          "skipping undecodable registry record at {}@{}: {}",
          log.topic(),
          record.offset(),
          e.getMessage());
      return new RegistryState.Outcome(false, "undecodable: " + e.getMessage());
    }
    RegistryState.Outcome outcome = state.apply(event);
    if (!outcome.applied()) {
      LOG.debug("ignored registry record at offset {}: {}", record.offset(), outcome.reason());
    }
    return outcome;
  }

  private static IOException kafkaFailure(String what, ModelRegistryLog log, Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return new IOException(
        what + " at " + log.bootstrapServers() + ": " + cause.getMessage(), cause);
  }

  /** Random, growing pauses, so that two writers stop colliding on every attempt. */
  private static void backoff(int attempt) {
    long cap = Math.min(1000L, 20L << Math.min(attempt, 6));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    try {
      producer.close(Duration.ofSeconds(5));
    } finally {
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } finally {
        schemas.close();
      }
    }
  }
}

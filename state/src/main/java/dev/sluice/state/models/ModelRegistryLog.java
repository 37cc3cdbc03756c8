package dev.sluice.state.models;

import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.schemas.kafka.RegistryAvroDeserializer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.state.KafkaClientSettings;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Where the model registry's log is and how to read it: a single-partition, compacted topic of
 * {@link RegistryEvent} values in the Confluent wire format (subject {@code <topic>-value}, so
 * {@code kcat -s value=avro} reads it), never deleted by age.
 *
 * <p>{@link KafkaModelRegistry} writes and reads it. A streaming job follows it with a Kafka source
 * on {@link #topic()}, partition 0 from the earliest offset, with {@link #consumerProperties()} and
 * a {@link #newDeserializer()}, applying each event to {@link RegistryState#forModel}: the same
 * rules give every reader the same versions and aliases.
 *
 * <p>Keys are unique per record ({@code <name>/version/<n>/<uuid>}, {@code
 * <name>/alias/<sequence>/<uuid>}), so compaction never removes history, nor a record that won a
 * race against another writer of the same number.
 *
 * <p>Serializable, so that Flink functions can carry it to the task managers.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registry the schema registry holding the {@link RegistryEvent} schema
 * @param topic the log's topic, {@link #DEFAULT_TOPIC} by default
 */
public record ModelRegistryLog(
    String bootstrapServers, RegistryConfig registry, String topic, KafkaClientSettings kafka)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The topic's default name. */
  public static final String DEFAULT_TOPIC = "model-registry";

  /**
   * Largest record the topic accepts (and the clients send and fetch): 64 MiB, room for ONNX models
   * of tree ensembles and small networks with their reference profile.
   */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /** Model names and aliases: lower case, digits, '-' and '_', starting with a letter. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");

  /** The log on {@code topic}, with plain Kafka client settings (no security properties). */
  public ModelRegistryLog(String bootstrapServers, RegistryConfig registry, String topic) {
    this(bootstrapServers, registry, topic, null);
  }

  public ModelRegistryLog {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
    Objects.requireNonNull(registry, "registry");
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("the model registry topic name is empty");
    }
  }

  /** The log on the default topic. */
  public static ModelRegistryLog of(String bootstrapServers, RegistryConfig registry) {
    return new ModelRegistryLog(bootstrapServers, registry, DEFAULT_TOPIC);
  }

  /** The log on the default topic, connecting with {@code kafka}'s client properties. */
  public static ModelRegistryLog of(KafkaClientSettings kafka, RegistryConfig registry) {
    return new ModelRegistryLog(kafka.bootstrapServers(), registry, DEFAULT_TOPIC, kafka);
  }

  /**
   * Broker configuration of the topic: compacted, no deletion by age, large records, broker append
   * time (producers' clocks must not matter).
   */
  public static Map<String, String> topicConfigs() {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG,
        TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.RETENTION_MS_CONFIG,
        "-1",
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
        Integer.toString(MAX_MESSAGE_BYTES),
        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
        "LogAppendTime");
  }

  /**
   * Consumer properties for reading the log: bootstrap servers, read_committed, from the earliest
   * offset, no offset commits, and fetch sizes that take the largest record.
   */
  public Map<String, Object> consumerProperties() {
    Map<String, Object> props = new HashMap<>();
    kafka.consumer().forEach((k, v) -> props.put((String) k, v));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_MESSAGE_BYTES);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_MESSAGE_BYTES);
    return props;
  }

  /**
   * A value deserializer into {@link RegistryEvent}, with its own registry client (closed with it).
   * Undecodable bytes throw Kafka's {@code SerializationException}.
   */
  public Deserializer<RegistryEvent> newDeserializer() {
    return new RegistryAvroDeserializer<>(
        SchemaRegistryClients.create(registry), RegistryEvent.class);
  }

  /** The schema-registry subject of the values, {@code model-registry-value} by default. */
  public String valueSubject() {
    return registry
        .valueSubjectNameStrategy()
        .subjectName(topic, false, RegistryEvent.getClassSchema());
  }

  /** Checks a model or alias name against {@link #NAME}. */
  public static String requireName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ModelRegistryException(
          ModelRegistryException.Problem.INVALID_NAME,
          what
              + " '"
              + name
              + "' is not valid: use lower-case letters, digits, '-' and '_', starting with a"
              + " letter (e.g. fraud, fraud-gbt)");
    }
    return name;
  }

  static String versionKey(String name, int version) {
    return name + "/version/" + version + "/" + UUID.randomUUID();
  }

  static String aliasKey(String name, long sequence) {
    return name + "/alias/" + sequence + "/" + UUID.randomUUID();
  }

  /** {@code user@host} of this process, for {@code registeredBy} and {@code actor}. */
  public static String currentActor() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name", "unknown") + "@" + host;
  }
}

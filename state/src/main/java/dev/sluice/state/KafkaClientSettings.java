package dev.sluice.state;

import java.io.Serializable;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * How every Kafka client of the platform connects: the bootstrap servers plus extra client
 * properties (security above all: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}). The
 * one place that builds consumer, producer and admin properties, so that a setting given once
 * reaches the Flink sources and sinks and the command-line tool's own clients alike.
 *
 * <p>Validation (at construction, so a bad setting fails at start): a key must be a consumer,
 * producer or admin configuration name of the kafka-clients on the classpath (a typo is refused
 * with the closest name); keys the platform sets itself are refused with the option to use instead
 * ({@link #OWNED}). Each of {@link #consumer()}, {@link #producer()} and {@link #admin()} passes
 * only the keys that client knows, so a producer setting does not make consumers warn.
 *
 * <p>{@link #toString()} redacts every password-typed configuration and anything whose name
 * suggests a secret ({@code sasl.jaas.config}, {@code ssl.*.password}, {@code *secret*}, ...).
 * Serializable: Flink ships it to the task managers inside the connectors' configuration.
 */
public record KafkaClientSettings(String bootstrapServers, Map<String, String> properties)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Keys the platform sets itself, with what to use instead. */
  public static final Map<String, String> OWNED =
      Map.ofEntries(
          Map.entry(CommonNames.BOOTSTRAP, "--bootstrap-servers"),
          Map.entry(ConsumerConfig.GROUP_ID_CONFIG, "--group-id"),
          Map.entry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "--group-id"),
          Map.entry(
              ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "--group-id (the sinks' transactional ids are derived from it)"),
          Map.entry(
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "nothing: the platform always reads read_committed"),
          Map.entry(
              ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
              "nothing: the sinks are exactly-once (transactional)"),
          Map.entry(
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              "nothing: offsets are committed on checkpoints"),
          Map.entry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "--start-from"),
          Map.entry(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "nothing: the platform's serde"),
          Map.entry(
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "nothing: the platform's serde"),
          Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "nothing: the platform's serde"),
          Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "nothing: the platform's serde"));

  /** Where the setting came from, for messages: the options name themselves. */
  private static final String OPTION = "--kafka-property";

  public KafkaClientSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("--bootstrap-servers must not be empty");
    }
    for (String server : bootstrapServers.split(",")) {
      checkHostPort(server.trim(), bootstrapServers);
    }
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      checkKey(e.getKey());
      if (e.getValue() == null) {
        throw new IllegalArgumentException(OPTION + " " + e.getKey() + " has no value");
      }
    }
  }

  /**
   * Bootstrap servers and no extra properties: a plaintext cluster with default client settings.
   */
  public static KafkaClientSettings of(String bootstrapServers) {
    return new KafkaClientSettings(bootstrapServers, Map.of());
  }

  /**
   * For job configurations that carry the bootstrap servers next to these settings: {@code kafka},
   * or plain settings for {@code bootstrapServers} when it is null (null when both are).
   */
  public static KafkaClientSettings orDefault(String bootstrapServers, KafkaClientSettings kafka) {
    if (kafka == null) {
      return bootstrapServers == null ? null : of(bootstrapServers);
    }
    if (!kafka.bootstrapServers().equals(bootstrapServers)) {
      throw new IllegalArgumentException(
          "the Kafka client settings name bootstrap servers '"
              + kafka.bootstrapServers()
              + "' but the job's configuration '"
              + bootstrapServers
              + "'");
    }
    return kafka;
  }

  /** Consumer properties: bootstrap servers and the extra properties a consumer knows. */
  public Properties consumer() {
    return build(ConsumerConfig.configNames());
  }

  /** Producer properties: bootstrap servers and the extra properties a producer knows. */
  public Properties producer() {
    return build(ProducerConfig.configNames());
  }

  /** Admin client properties: bootstrap servers and the extra properties an admin client knows. */
  public Properties admin() {
    return build(AdminClientConfig.configNames());
  }

  /** The extra properties a consumer knows, without bootstrap servers (for Flink's builders). */
  public Properties consumerExtras() {
    Properties props = consumer();
    props.remove(CommonNames.BOOTSTRAP);
    return props;
  }

  /** The extra properties a producer knows, without bootstrap servers (for Flink's builders). */
  public Properties producerExtras() {
    Properties props = producer();
    props.remove(CommonNames.BOOTSTRAP);
    return props;
  }

  /** Whether {@code security.protocol} asks for SASL (for messages about failed authentication). */
  public String securityProtocol() {
    return properties.getOrDefault("security.protocol", "PLAINTEXT");
  }

  /** Whether a key's value must never be shown: password-typed configs and secret-looking names. */
  public static boolean isSecret(String key) {
    ConfigDef.ConfigKey def = definition(key);
    if (def != null && def.type == ConfigDef.Type.PASSWORD) {
      return true;
    }
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.contains("token")
        || k.contains("credential")
        || k.endsWith(".key");
  }

  /** The extra properties with every secret value replaced by {@code ***}. */
  public Map<String, String> redactedProperties() {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((k, v) -> shown.put(k, isSecret(k) ? "***" : v));
    return shown;
  }

  @Override
  public String toString() {
    return "KafkaClientSettings{bootstrapServers="
        + bootstrapServers
        + ", properties="
        + redactedProperties()
        + "}";
  }

  private Properties build(Set<String> known) {
    Properties props = new Properties();
    properties.forEach(
        (k, v) -> {
          if (known.contains(k)) {
            props.setProperty(k, v);
          }
        });
    props.setProperty(CommonNames.BOOTSTRAP, bootstrapServers);
    return props;
  }

  private static void checkKey(String key) {
    String owner = OWNED.get(key);
    if (owner != null) {
      throw new IllegalArgumentException(
          OPTION + " " + key + " is set by the platform: use " + owner + " instead");
    }
    if (!CommonNames.ALL.contains(key)) {
      String near = closest(key);
      throw new IllegalArgumentException(
          OPTION
              + " '"
              + key
              + "' is not a Kafka consumer, producer or admin client setting"
              + (near == null ? "" : " (did you mean '" + near + "'?)"));
    }
  }

  private static void checkHostPort(String server, String all) {
    int colon = server.lastIndexOf(':');
    String port = colon < 0 ? "" : server.substring(colon + 1);
    boolean ok = colon > 0 && port.matches("\\d{1,5}");
    if (ok) {
      int p = Integer.parseInt(port);
      ok = p >= 1 && p <= 65535;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "--bootstrap-servers '"
              + all
              + "': '"
              + server
              + "' is not HOST:PORT with a port in 1..65535");
    }
  }

  private static ConfigDef.ConfigKey definition(String key) {
    for (ConfigDef def :
        new ConfigDef[] {
          ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef()
        }) {
      ConfigDef.ConfigKey k = def.configKeys().get(key);
      if (k != null) {
        return k;
      }
    }
    return null;
  }

  /** The known name nearest to {@code key} by edit distance, if near enough to be a typo. */
  static String closest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : CommonNames.ALL) {
      int d = distance(key, name);
      if (d < bestDistance) {
        bestDistance = d;
        best = name;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The names every client knows; a holder so the sets are built once. */
  private static final class CommonNames {
    static final String BOOTSTRAP = "bootstrap.servers";
    static final Set<String> ALL;

    static {
      Set<String> all = new HashSet<>(ConsumerConfig.configNames());
      all.addAll(ProducerConfig.configNames());
      all.addAll(AdminClientConfig.configNames());
      ALL = Collections.unmodifiableSet(new TreeSet<>(all));
    }
  }
}

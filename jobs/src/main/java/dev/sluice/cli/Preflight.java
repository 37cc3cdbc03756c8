package dev.sluice.cli;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.RegistryUnavailableException;
import dev.sluice.schemas.registry.RestSchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryException;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.online.RedisSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before a job is built, that what it will talk to is there and lets it in: Kafka
 * (reachable, authenticating, the job's topics exist), the schema registry (answers, accepts the
 * credentials), Redis (answers, AUTH works) and the offline store (writable, for file URIs). Each
 * check has a short timeout; the first failure throws {@link PreflightException} with one line
 * naming the setting at fault. Without it a job starts, and fails minutes later inside a task with
 * a stack trace, or (Kafka) retries forever.
 */
final class Preflight {
  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(3);
  static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);

  /** A setting is wrong or a service does not answer; the message names the setting. */
  static final class PreflightException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PreflightException(String message) {
      super("preflight: " + message + " (--skip-preflight skips these checks)");
    }

    private PreflightException(String message, boolean scrubbed) {
      super("preflight: " + message);
    }
  }

  private KafkaClientSettings kafka;
  private final Map<String, String> topics = new LinkedHashMap<>();
  private RegistryConfig registry;
  private RedisSettings redis;
  private String redisOption;
  private final Map<String, String> offlineStores = new LinkedHashMap<>();
  private final List<String> checked = new ArrayList<>();

  /** Kafka at {@code kafka}, and the topics (option name to topic) the job reads or writes. */
  Preflight kafka(KafkaClientSettings kafka, Map<String, String> topicsByOption) {
    this.kafka = kafka;
    topicsByOption.forEach((option, topic) -> topics.putIfAbsent(topic, option));
    return this;
  }

  Preflight registry(RegistryConfig registry) {
    this.registry = registry;
    return this;
  }

  /** Redis, unless {@code settings} is null (the job does not use it). */
  Preflight redis(RedisSettings settings, String option) {
    this.redis = settings;
    this.redisOption = option;
    return this;
  }

  /** An offline store base URI the job writes, unless null. */
  Preflight offlineStore(String uri, String option) {
    if (uri != null) {
      offlineStores.put(uri, option);
    }
    return this;
  }

  /** Runs every check; prints one line with what was checked and how long it took. */
  void run() {
    try {
      runChecks();
    } catch (PreflightException e) {
      // Services quote what they were sent now and then: never let a secret through.
      String message = e.getMessage();
      for (String secret : secrets()) {
        message = message.replace(secret, "***");
      }
      throw new PreflightException(message.substring("preflight: ".length()), true);
    }
  }

  private List<String> secrets() {
    List<String> secrets = new ArrayList<>();
    if (kafka != null) {
      kafka
          .properties()
          .forEach(
              (k, v) -> {
                if (KafkaClientSettings.isSecret(k) && !v.isEmpty()) {
                  secrets.add(v);
                }
              });
    }
    if (registry != null && registry.basicAuthUserInfo() != null) {
      String info = registry.basicAuthUserInfo();
      secrets.add(info.substring(info.indexOf(':') + 1));
    }
    if (redis != null && redis.password() != null) {
      secrets.add(redis.password());
    }
    secrets.removeIf(String::isEmpty);
    return secrets;
  }

  private void runChecks() {
    checked.clear();
    long start = System.nanoTime();
    // Local and instant: first, so that a typo there is not hidden behind a slow network check.
    offlineStores.forEach(Preflight::checkOfflineStore);
    if (kafka != null) {
      checkKafka();
    }
    if (registry != null && !registry.isMock()) {
      checkRegistry();
    }
    if (redis != null) {
      checkRedis();
    }
    offlineStores.keySet().forEach(uri -> checked.add("offline store"));
    System.out.printf(
        "preflight: ok (%s) in %d ms%n",
        String.join(", ", checked), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private void checkKafka() {
    Properties props = kafka.admin();
    int timeout = (int) KAFKA_TIMEOUT.toMillis();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-preflight");
    String where = "Kafka at --bootstrap-servers " + kafka.bootstrapServers();
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (RuntimeException e) {
      // e.g. no resolvable host, or a security setting the client refuses (bad JAAS syntax)
      throw new PreflightException(where + ": cannot create a client: " + rootMessage(e));
    }
    try (admin) {
      await(admin.describeCluster().clusterId(), where);
      checked.add("Kafka");
      if (topics.isEmpty()) {
        return;
      }
      Map<String, KafkaFuture<TopicDescription>> described =
          admin.describeTopics(topics.keySet()).topicNameValues();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, KafkaFuture<TopicDescription>> e : described.entrySet()) {
        try {
          await(e.getValue(), where);
        } catch (MissingTopic m) {
          missing.add("'" + e.getKey() + "' (" + topics.get(e.getKey()) + ")");
        }
      }
      if (!missing.isEmpty()) {
        throw new PreflightException(
            (missing.size() == 1 ? "topic " : "topics ")
                + String.join(", ", missing)
                + (missing.size() == 1 ? " does" : " do")
                + " not exist in "
                + where
                + ": create the platform's topics with 'bin/sluice topics create'"
                + " (or name existing ones with the option)");
      }
      checked.add(topics.size() + " topic(s)");
    }
  }

  /** A describe-topics future said the topic is not there. */
  private static final class MissingTopic extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private <T> T await(KafkaFuture<T> future, String where) {
    try {
      return future.get(KAFKA_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PreflightException("interrupted while checking " + where);
    } catch (TimeoutException e) {
      throw unreachable(where);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw new MissingTopic();
      }
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(where);
      }
      if (cause instanceof SaslAuthenticationException) {
        throw new PreflightException(
            where
                + " refused SASL authentication ("
                + cause.getMessage()
                + "): check sasl.mechanism and the user and password in sasl.jaas.config"
                + " (--kafka-property / --kafka-properties-file)");
      }
      if (cause instanceof SslAuthenticationException) {
        throw new PreflightException(
            where
                + ": the TLS handshake failed ("
                + rootMessage(cause)
                + "): check ssl.truststore.location / ssl.keystore.location and their passwords"
                + " (--kafka-property / --kafka-properties-file)");
      }
      if (cause instanceof AuthenticationException) {
        throw new PreflightException(
            where
                + " refused authentication ("
                + cause.getMessage()
                + "): check security.protocol and the sasl.* / ssl.* settings"
                + " (--kafka-property / --kafka-properties-file)");
      }
      if (cause instanceof AuthorizationException) {
        throw new PreflightException(
            where
                + ": the authenticated user is not allowed to describe the cluster or topics ("
                + cause.getMessage()
                + "): grant it DESCRIBE, READ and WRITE on the job's topics");
      }
      throw new PreflightException(where + ": " + rootMessage(cause));
    }
  }

  private PreflightException unreachable(String where) {
    String protocol = kafka.securityProtocol();
    return new PreflightException(
        where
            + " did not answer within "
            + KAFKA_TIMEOUT.toSeconds()
            + " s (security.protocol "
            + protocol
            + "): is the broker up and is --bootstrap-servers right?"
            + (protocol.toUpperCase(Locale.ROOT).startsWith("PLAINTEXT")
                ? " If the cluster needs SASL or TLS, set security.protocol with --kafka-property."
                : ""));
  }

  private void checkRegistry() {
    RegistryConfig quick =
        registry
            .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1))
            .withRequestTimeout(REGISTRY_TIMEOUT);
    String where = "the schema registry at --registry-url " + String.join(",", registry.urls());
    try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(quick)) {
      client.subjects();
      checked.add("schema registry");
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() == 401) {
        throw new PreflightException(
            where
                + " refused the credentials (HTTP 401): "
                + (registry.basicAuthUserInfo() == null
                    ? "it needs " + RegistryConfig.BASIC_AUTH_USER_INFO + "=user:password"
                    : "check " + RegistryConfig.BASIC_AUTH_USER_INFO)
                + " (--registry-property / --registry-properties-file)");
      }
      if (e.httpStatus() == 403) {
        throw new PreflightException(
            where
                + " does not let the user of "
                + RegistryConfig.BASIC_AUTH_USER_INFO
                + " list subjects (HTTP 403)");
      }
      throw new PreflightException(where + ": " + e.getMessage());
    } catch (RegistryUnavailableException e) {
      throw new PreflightException(where + " does not answer: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // TLS material that cannot be read, from TlsSettings
      throw new PreflightException(where + ": " + e.getMessage());
    }
  }

  private void checkRedis() {
    RedisSettings quick =
        redis
            .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1))
            .withTimeouts(min(redis.connectTimeout()), min(redis.socketTimeout()))
            .withPoolSize(1);
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(quick)) {
      checked.add("Redis");
    } catch (IllegalArgumentException e) {
      throw new PreflightException(redis.describe() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      String message = rootMessage(e);
      String upper = message.toUpperCase(Locale.ROOT);
      boolean auth =
          upper.contains("WRONGPASS")
              || upper.contains("NOAUTH")
              || upper.contains("INVALID PASSWORD")
              || upper.contains("INVALID USERNAME-PASSWORD");
      throw new PreflightException(
          redis.describe()
              + (auth
                  ? " refused authentication: check "
                      + RedisSettings.OPTION_PASSWORD
                      + (redis.user() == null ? "" : " and " + RedisSettings.OPTION_USER)
                      + " (--redis-property)"
                  : " does not answer (" + redisOption + ")")
              + ": "
              + message);
    }
  }

  private static Duration min(Duration d) {
    return d.compareTo(REDIS_TIMEOUT) < 0 ? d : REDIS_TIMEOUT;
  }

  private static void checkOfflineStore(String uri, String option) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new PreflightException(option + " '" + uri + "' is not a URI: " + e.getMessage());
    }
    if (parsed.getScheme() != null && !"file".equals(parsed.getScheme())) {
      return; // object stores: checked by the file system on first write
    }
    Path dir = parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed);
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".sluice-preflight-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new PreflightException(
          option
              + " '"
              + uri
              + "' is not writable: "
              + e.getClass().getSimpleName()
              + " "
              + e.getMessage());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message;
  }
}

package dev.sluice.state.online;

import java.io.Serializable;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach the Redis deployment that holds the online store, and how hard to try. Either one
 * standalone server ({@link #standalone}) or a Redis Cluster reached through seed nodes ({@link
 * #cluster}). Immutable and serializable, so that a Flink sink can carry it to its writers; change
 * one setting with the {@code with...} methods.
 *
 * <p>Option names (for job configuration and the CLI) are the {@code OPTION_*} constants; {@link
 * #fromOptions} parses them, and every validation message names the option that is wrong.
 *
 * @param host standalone server host; {@code null} in cluster mode
 * @param port standalone server port; 0 in cluster mode
 * @param clusterNodes cluster seed nodes as {@code host:port}; empty for a standalone server. Any
 *     reachable seed is enough: the client discovers the rest of the cluster from it
 * @param user ACL user name (Redis 6+), or {@code null} for the default user
 * @param password password ({@code requirepass} or the ACL user's), or {@code null} for none
 * @param tls connect with TLS; the server certificate is checked against the JVM's default trust
 *     store ({@code javax.net.ssl.trustStore}) and its host name is verified
 * @param database database index of a standalone server; Redis Cluster only has database 0
 * @param poolSize connections kept per server (per node in cluster mode)
 * @param connectTimeout timeout for opening a connection
 * @param socketTimeout timeout for one reply (also the longest wait for a pooled connection)
 * @param keyPrefix first part of every key, e.g. {@code sluice} or {@code prod:sluice}
 * @param retryAttempts retries after a failed first attempt before an operation gives up and
 *     throws; 0 disables retrying
 * @param retryBackoff wait before the first retry; doubles with every further retry
 * @param maxRetryBackoff upper bound of the wait between two retries
 */
public record RedisSettings(
    String host,
    int port,
    List<String> clusterNodes,
    String user,
    String password,
    boolean tls,
    int database,
    int poolSize,
    Duration connectTimeout,
    Duration socketTimeout,
    String keyPrefix,
    int retryAttempts,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    String tlsTruststore,
    String tlsTruststorePassword)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Without a trust store of its own: TLS (if on) trusts what the JVM's default trust store does.
   */
  public RedisSettings(
      String host,
      int port,
      List<String> clusterNodes,
      String user,
      String password,
      boolean tls,
      int database,
      int poolSize,
      Duration connectTimeout,
      Duration socketTimeout,
      String keyPrefix,
      int retryAttempts,
      Duration retryBackoff,
      Duration maxRetryBackoff) {
    this(
        host,
        port,
        clusterNodes,
        user,
        password,
        tls,
        database,
        poolSize,
        connectTimeout,
        socketTimeout,
        keyPrefix,
        retryAttempts,
        retryBackoff,
        maxRetryBackoff,
        null,
        null);
  }

  public static final String OPTION_HOST = "redis.host";
  public static final String OPTION_PORT = "redis.port";
  public static final String OPTION_CLUSTER_NODES = "redis.cluster-nodes";
  public static final String OPTION_USER = "redis.user";
  public static final String OPTION_PASSWORD = "redis.password";
  public static final String OPTION_TLS = "redis.tls";
  public static final String OPTION_DATABASE = "redis.database";
  public static final String OPTION_POOL_SIZE = "redis.pool-size";
  public static final String OPTION_CONNECT_TIMEOUT = "redis.connect-timeout";
  public static final String OPTION_SOCKET_TIMEOUT = "redis.socket-timeout";
  public static final String OPTION_KEY_PREFIX = "redis.key-prefix";
  public static final String OPTION_RETRY_ATTEMPTS = "redis.retry-attempts";
  public static final String OPTION_RETRY_BACKOFF = "redis.retry-backoff";
  public static final String OPTION_MAX_RETRY_BACKOFF = "redis.max-retry-backoff";
  public static final String OPTION_TLS_TRUSTSTORE = "redis.tls-truststore";
  public static final String OPTION_TLS_TRUSTSTORE_PASSWORD = "redis.tls-truststore-password";

  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_PORT = 6379;
  public static final String DEFAULT_KEY_PREFIX = "sluice";
  public static final int DEFAULT_POOL_SIZE = 8;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_RETRY_ATTEMPTS = 5;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(5);

  /**
   * Letters, digits and {@code _ . : -}. No braces: a brace in the prefix would become the key's
   * Redis Cluster hash tag and put every key of the store into one slot.
   */
  private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]+");

  public RedisSettings {
    clusterNodes = clusterNodes == null ? List.of() : List.copyOf(clusterNodes);
    if (clusterNodes.isEmpty()) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException(
            OPTION_HOST + " must be set (or " + OPTION_CLUSTER_NODES + " for Redis Cluster)");
      }
      checkPort(OPTION_PORT, port);
    } else {
      if (host != null || port != 0) {
        throw new IllegalArgumentException(
            "set either "
                + OPTION_HOST
                + "/"
                + OPTION_PORT
                + " (standalone) or "
                + OPTION_CLUSTER_NODES
                + " (Redis Cluster), not both");
      }
      for (String node : clusterNodes) {
        parseNode(node);
      }
      if (database != 0) {
        throw new IllegalArgumentException(
            OPTION_DATABASE
                + " is for a standalone server only: Redis Cluster has just database 0, got "
                + database);
      }
    }
    if (user != null && user.isBlank()) {
      throw new IllegalArgumentException(OPTION_USER + " must not be blank");
    }
    if (user != null && password == null) {
      throw new IllegalArgumentException(
          OPTION_USER + " '" + user + "' needs " + OPTION_PASSWORD + " as well");
    }
    if (database < 0) {
      throw new IllegalArgumentException(OPTION_DATABASE + " must be >= 0, got " + database);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException(OPTION_POOL_SIZE + " must be >= 1, got " + poolSize);
    }
    if (tlsTruststore != null && !tls) {
      throw new IllegalArgumentException(
          OPTION_TLS_TRUSTSTORE + " is set but " + OPTION_TLS + " is not true");
    }
    if (tlsTruststorePassword != null && tlsTruststore == null) {
      throw new IllegalArgumentException(
          OPTION_TLS_TRUSTSTORE_PASSWORD + " is set without " + OPTION_TLS_TRUSTSTORE);
    }
    checkTimeout(OPTION_CONNECT_TIMEOUT, connectTimeout);
    checkTimeout(OPTION_SOCKET_TIMEOUT, socketTimeout);
    if (keyPrefix == null || !KEY_PREFIX.matcher(keyPrefix).matches()) {
      throw new IllegalArgumentException(
          OPTION_KEY_PREFIX
              + " must match "
              + KEY_PREFIX
              + " (no braces, no spaces): "
              + keyPrefix);
    }
    if (retryAttempts < 0) {
      throw new IllegalArgumentException(
          OPTION_RETRY_ATTEMPTS + " must be >= 0, got " + retryAttempts);
    }
    Objects.requireNonNull(retryBackoff, OPTION_RETRY_BACKOFF);
    Objects.requireNonNull(maxRetryBackoff, OPTION_MAX_RETRY_BACKOFF);
    if (retryBackoff.isNegative()) {
      throw new IllegalArgumentException(
          OPTION_RETRY_BACKOFF + " must be >= 0, got " + retryBackoff);
    }
    if (maxRetryBackoff.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException(
          OPTION_MAX_RETRY_BACKOFF
              + " ("
              + maxRetryBackoff
              + ") must be >= "
              + OPTION_RETRY_BACKOFF
              + " ("
              + retryBackoff
              + ")");
    }
  }

  /** A standalone server with the default settings for everything else. */
  public static RedisSettings standalone(String host, int port) {
    return withDefaults(host, port, List.of());
  }

  /** A Redis Cluster reached through the given seed nodes ({@code host:port}). */
  public static RedisSettings cluster(List<String> seedNodes) {
    if (seedNodes == null || seedNodes.isEmpty()) {
      throw new IllegalArgumentException(OPTION_CLUSTER_NODES + " must name at least one node");
    }
    return withDefaults(null, 0, seedNodes);
  }

  private static RedisSettings withDefaults(String host, int port, List<String> clusterNodes) {
    return new RedisSettings(
        host,
        port,
        clusterNodes,
        null,
        null,
        false,
        0,
        DEFAULT_POOL_SIZE,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_SOCKET_TIMEOUT,
        DEFAULT_KEY_PREFIX,
        DEFAULT_RETRY_ATTEMPTS,
        DEFAULT_RETRY_BACKOFF,
        DEFAULT_MAX_RETRY_BACKOFF);
  }

  /**
   * Settings from string options named by the {@code OPTION_*} constants; absent options take their
   * defaults. {@value #OPTION_CLUSTER_NODES} is a comma-separated list of {@code host:port};
   * durations are ISO-8601 ({@code PT0.5S}) or a number with {@code ms} or {@code s}.
   */
  public static RedisSettings fromOptions(Map<String, String> options) {
    Map<String, String> o = new HashMap<>(options);
    String nodes = o.remove(OPTION_CLUSTER_NODES);
    RedisSettings settings;
    if (nodes != null && !nodes.isBlank()) {
      if (o.containsKey(OPTION_HOST) || o.containsKey(OPTION_PORT)) {
        throw new IllegalArgumentException(
            "set either "
                + OPTION_HOST
                + "/"
                + OPTION_PORT
                + " (standalone) or "
                + OPTION_CLUSTER_NODES
                + " (Redis Cluster), not both");
      }
      settings =
          cluster(
              Arrays.stream(nodes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    } else {
      settings =
          standalone(
              o.getOrDefault(OPTION_HOST, DEFAULT_HOST), intOption(o, OPTION_PORT, DEFAULT_PORT));
    }
    o.remove(OPTION_HOST);
    o.remove(OPTION_PORT);
    String user = o.remove(OPTION_USER);
    String password = o.remove(OPTION_PASSWORD);
    String truststore = o.remove(OPTION_TLS_TRUSTSTORE);
    String truststorePassword = o.remove(OPTION_TLS_TRUSTSTORE_PASSWORD);
    RedisSettings result =
        new RedisSettings(
            settings.host,
            settings.port,
            settings.clusterNodes,
            user,
            password,
            booleanOption(o, OPTION_TLS),
            intOption(o, OPTION_DATABASE, 0),
            intOption(o, OPTION_POOL_SIZE, DEFAULT_POOL_SIZE),
            durationOption(o, OPTION_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
            durationOption(o, OPTION_SOCKET_TIMEOUT, DEFAULT_SOCKET_TIMEOUT),
            o.getOrDefault(OPTION_KEY_PREFIX, DEFAULT_KEY_PREFIX),
            intOption(o, OPTION_RETRY_ATTEMPTS, DEFAULT_RETRY_ATTEMPTS),
            durationOption(o, OPTION_RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF),
            durationOption(o, OPTION_MAX_RETRY_BACKOFF, DEFAULT_MAX_RETRY_BACKOFF),
            truststore,
            truststorePassword);
    o.remove(OPTION_KEY_PREFIX);
    if (!o.isEmpty()) {
      throw new IllegalArgumentException("unknown Redis option(s): " + o.keySet());
    }
    return result;
  }

  /** True when talking to a Redis Cluster rather than one server. */
  public boolean isCluster() {
    return !clusterNodes.isEmpty();
  }

  /** Where the store lives, for messages: {@code host:port} or the cluster's seed nodes. */
  public String describe() {
    return isCluster()
        ? "Redis Cluster (seed nodes " + String.join(", ", clusterNodes) + ")"
        : "Redis at " + host + ":" + port + (database == 0 ? "" : " db " + database);
  }

  /** The cluster's seed nodes as host and port pairs. */
  List<Map.Entry<String, Integer>> clusterNodeAddresses() {
    return clusterNodes.stream().map(RedisSettings::parseNode).toList();
  }

  public RedisSettings withCredentials(String user, String password) {
    return with(
        f -> {
          f.user = user;
          f.password = password;
        });
  }

  public RedisSettings withPassword(String password) {
    return withCredentials(user, password);
  }

  public RedisSettings withTls(boolean tls) {
    return with(f -> f.tls = tls);
  }

  public RedisSettings withDatabase(int database) {
    return with(f -> f.database = database);
  }

  public RedisSettings withPoolSize(int poolSize) {
    return with(f -> f.poolSize = poolSize);
  }

  public RedisSettings withTimeouts(Duration connectTimeout, Duration socketTimeout) {
    return with(
        f -> {
          f.connectTimeout = connectTimeout;
          f.socketTimeout = socketTimeout;
        });
  }

  public RedisSettings withKeyPrefix(String keyPrefix) {
    return with(f -> f.keyPrefix = keyPrefix);
  }

  public RedisSettings withRetries(int retryAttempts, Duration retryBackoff, Duration maxBackoff) {
    return with(
        f -> {
          f.retryAttempts = retryAttempts;
          f.retryBackoff = retryBackoff;
          f.maxRetryBackoff = maxBackoff;
        });
  }

  /** A copy with some settings changed (and validated again by the constructor). */
  private RedisSettings with(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return new RedisSettings(
        f.host,
        f.port,
        f.clusterNodes,
        f.user,
        f.password,
        f.tls,
        f.database,
        f.poolSize,
        f.connectTimeout,
        f.socketTimeout,
        f.keyPrefix,
        f.retryAttempts,
        f.retryBackoff,
        f.maxRetryBackoff,
        f.tlsTruststore,
        f.tlsTruststorePassword);
  }

  /** A copy that trusts the certificates of {@code truststore} (PKCS12 or JKS) for TLS. */
  public RedisSettings withTlsTruststore(String truststore, String truststorePassword) {
    return with(
        f -> {
          f.tlsTruststore = truststore;
          f.tlsTruststorePassword = truststorePassword;
        });
  }

  /**
   * The socket factory trusting {@link #tlsTruststore}, or null for the JVM's default trust; an
   * unreadable store fails naming the setting and the path.
   */
  public javax.net.ssl.SSLSocketFactory sslSocketFactory() {
    if (tlsTruststore == null) {
      return null;
    }
    try {
      java.security.KeyStore store =
          java.security.KeyStore.getInstance(
              new java.io.File(tlsTruststore),
              tlsTruststorePassword == null ? null : tlsTruststorePassword.toCharArray());
      javax.net.ssl.TrustManagerFactory trust =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(
          OPTION_TLS_TRUSTSTORE
              + " '"
              + tlsTruststore
              + "' cannot be read (wrong path, type or "
              + OPTION_TLS_TRUSTSTORE_PASSWORD
              + "?): "
              + e.getClass().getSimpleName(),
          e);
    }
  }

  /** The settings as mutable fields, for {@link #with}. */
  private static final class Fields {
    final String host;
    final int port;
    final List<String> clusterNodes;
    String user;
    String password;
    boolean tls;
    int database;
    int poolSize;
    Duration connectTimeout;
    Duration socketTimeout;
    String keyPrefix;
    int retryAttempts;
    Duration retryBackoff;
    Duration maxRetryBackoff;
    String tlsTruststore;
    String tlsTruststorePassword;

    Fields(RedisSettings s) {
      host = s.host;
      port = s.port;
      clusterNodes = s.clusterNodes;
      user = s.user;
      password = s.password;
      tls = s.tls;
      database = s.database;
      poolSize = s.poolSize;
      connectTimeout = s.connectTimeout;
      socketTimeout = s.socketTimeout;
      keyPrefix = s.keyPrefix;
      retryAttempts = s.retryAttempts;
      retryBackoff = s.retryBackoff;
      maxRetryBackoff = s.maxRetryBackoff;
      tlsTruststore = s.tlsTruststore;
      tlsTruststorePassword = s.tlsTruststorePassword;
    }
  }

  /** Wait before retry number {@code retry} (1-based): the backoff doubled per retry, capped. */
  public Duration backoffBeforeRetry(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retries are counted from 1, got " + retry);
    }
    int doublings = Math.min(retry - 1, 30);
    Duration delay = retryBackoff.multipliedBy(1L << doublings);
    return delay.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : delay;
  }

  /** Everything but the password. */
  @Override
  public String toString() {
    return "RedisSettings["
        + (isCluster() ? "clusterNodes=" + clusterNodes : "host=" + host + ", port=" + port)
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "***")
        + ", tls="
        + tls
        + (tlsTruststore == null
            ? ""
            : ", tlsTruststore="
                + tlsTruststore
                + ", tlsTruststorePassword="
                + (tlsTruststorePassword == null ? "none" : "***"))
        + ", database="
        + database
        + ", poolSize="
        + poolSize
        + ", connectTimeout="
        + connectTimeout
        + ", socketTimeout="
        + socketTimeout
        + ", keyPrefix="
        + keyPrefix
        + ", retryAttempts="
        + retryAttempts
        + ", retryBackoff="
        + retryBackoff
        + ", maxRetryBackoff="
        + maxRetryBackoff
        + "]";
  }

  private static void checkPort(String option, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(option + " must be in 1..65535, got " + port);
    }
  }

  private static void checkTimeout(String option, Duration timeout) {
    Objects.requireNonNull(timeout, option);
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          option + " must be between 1 ms and " + Integer.MAX_VALUE + " ms, got " + timeout);
    }
  }

  private static Map.Entry<String, Integer> parseNode(String node) {
    int colon = node == null ? -1 : node.lastIndexOf(':');
    if (colon <= 0 || colon == node.length() - 1) {
      throw new IllegalArgumentException(
          OPTION_CLUSTER_NODES + " entry must be host:port, got '" + node + "'");
    }
    int port;
    try {
      port = Integer.parseInt(node.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          OPTION_CLUSTER_NODES + " entry must be host:port, got '" + node + "'", e);
    }
    checkPort(OPTION_CLUSTER_NODES + " entry '" + node + "': port", port);
    return Map.entry(node.substring(0, colon), port);
  }

  private static int intOption(Map<String, String> options, String name, int defaultValue) {
    String value = options.remove(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'", e);
    }
  }

  private static boolean booleanOption(Map<String, String> options, String name) {
    String value = options.remove(name);
    if (value == null) {
      return false;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default ->
          throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
    };
  }

  private static Duration durationOption(
      Map<String, String> options, String name, Duration defaultValue) {
    String value = options.remove(name);
    if (value == null) {
      return defaultValue;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      }
      if (v.endsWith("s") && !v.startsWith("p")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
      }
      return Duration.parse(value.trim());
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 500ms, 2s or PT2S, got '" + value + "'", e);
    }
  }
}

package dev.sluice.schemas.registry;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to reach a schema registry, parsed once and immutable. Serializable so that
 * Flink functions can carry it to the task managers and open the client there.
 *
 * <p>{@link #fromProperties(Map)} reads the property names Confluent's serializers use, so existing
 * client configuration carries over unchanged:
 *
 * <table>
 *   <caption>Recognised properties</caption>
 *   <tr><td>{@code schema.registry.url}</td><td>comma-separated base URLs, tried in order; {@code mock://scope}
 *       selects the in-memory registry (unit tests only)</td></tr>
 *   <tr><td>{@code basic.auth.user.info}</td><td>{@code user:password} for HTTP basic auth</td></tr>
 *   <tr><td>{@code schema.registry.ssl.truststore.location|password|type}</td><td>TLS trust (default: JVM's)</td></tr>
 *   <tr><td>{@code schema.registry.ssl.keystore.location|password|type}, {@code schema.registry.ssl.key.password}</td>
 *       <td>TLS client certificate</td></tr>
 *   <tr><td>{@code auto.register.schemas}</td><td>whether serializers register their schema (default true)</td></tr>
 *   <tr><td>{@code value.subject.name.strategy}, {@code key.subject.name.strategy}</td><td>see
 *       {@link SubjectNameStrategy#parse}</td></tr>
 *   <tr><td>{@code schema.registry.cache.capacity}</td><td>entries per client cache (default 1000)</td></tr>
 *   <tr><td>{@code schema.registry.max.retries}</td><td>retries on 5xx and connection errors (default 5)</td></tr>
 *   <tr><td>{@code schema.registry.retry.backoff.ms}, {@code schema.registry.retry.backoff.max.ms}</td>
 *       <td>exponential backoff bounds (default 100, 5000)</td></tr>
 *   <tr><td>{@code schema.registry.request.timeout.ms}</td><td>per-request timeout (default 10000)</td></tr>
 *   <tr><td>{@code schema.registry.outage.policy}</td><td>sluice's own: what a Kafka source does with a
 *       record whose writer schema is not cached while the registry cannot be reached (after the
 *       retries): {@code wait} (default), {@code dead-letter} or {@code fail}; see {@link OutagePolicy}</td></tr>
 *   <tr><td>{@code schema.registry.outage.max.wait.ms}</td><td>how long {@code wait} waits before it fails
 *       the task after all (default 300000)</td></tr>
 * </table>
 */
public record RegistryConfig(
    List<String> urls,
    String basicAuthUserInfo,
    TlsSettings tls,
    boolean autoRegister,
    SubjectNameStrategy keySubjectNameStrategy,
    SubjectNameStrategy valueSubjectNameStrategy,
    int cacheCapacity,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration requestTimeout,
    OutagePolicy outagePolicy,
    Duration outageMaxWait)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String AUTO_REGISTER = "auto.register.schemas";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
  public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";
  public static final String MAX_RETRIES = "schema.registry.max.retries";
  public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
  public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
  public static final String SSL_PREFIX = "schema.registry.ssl.";
  public static final String OUTAGE_POLICY = "schema.registry.outage.policy";
  public static final String OUTAGE_MAX_WAIT_MS = "schema.registry.outage.max.wait.ms";

  /**
   * What a Kafka source does with a record whose writer schema it has not cached while the registry
   * cannot be reached (after the client's retries). Records whose schema is cached are not
   * affected: they keep flowing during an outage.
   */
  public enum OutagePolicy {
    /**
     * Hold the record (and so its source split) and ask again with backoff until the registry
     * answers, for up to {@code schema.registry.outage.max.wait.ms}; then fail the task, so Flink
     * restarts from the last checkpoint. Nothing is dead-lettered; the source's checkpoints wait
     * meanwhile.
     */
    WAIT,
    /**
     * Dead-letter the record at once (stage {@code decode}, error class {@code
     * REGISTRY_UNAVAILABLE}, the original bytes and position), so the rest of the stream flows;
     * replay the dead letters once the registry is back.
     */
    DEAD_LETTER,
    /** Fail the task at once (Flink restarts from the last checkpoint and reads it again). */
    FAIL;

    /** Parses {@code wait}, {@code dead-letter} or {@code fail} (any case, '_' or '-'). */
    public static OutagePolicy parse(String value) {
      String normal = value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      for (OutagePolicy policy : values()) {
        if (policy.name().equals(normal)) {
          return policy;
        }
      }
      throw new IllegalArgumentException(
          OUTAGE_POLICY + " must be wait, dead-letter or fail, got '" + value + "'");
    }
  }

  public RegistryConfig {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(URL + " is required (e.g. http://127.0.0.1:8085)");
    }
    // Credentials in a URL (http://user:pass@host) become basic auth, and the URLs kept (and shown
    // in messages and logs) carry none.
    List<String> plain = new ArrayList<>();
    for (String url : urls) {
      validateUrl(url);
      String userInfo = url.startsWith("mock://") ? null : URI.create(url).getRawUserInfo();
      if (userInfo != null) {
        String decoded =
            java.net.URLDecoder.decode(userInfo, java.nio.charset.StandardCharsets.UTF_8);
        if (basicAuthUserInfo != null && !basicAuthUserInfo.equals(decoded)) {
          throw new IllegalArgumentException(
              URL
                  + " '"
                  + redact(url)
                  + "' carries credentials that differ from "
                  + BASIC_AUTH_USER_INFO
                  + ": give them once");
        }
        basicAuthUserInfo = decoded;
        url = withoutUserInfo(url);
      }
      plain.add(url);
    }
    urls = List.copyOf(plain);
    if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
      throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be 'user:password'");
    }
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(keySubjectNameStrategy, "keySubjectNameStrategy");
    Objects.requireNonNull(valueSubjectNameStrategy, "valueSubjectNameStrategy");
    requirePositive(CACHE_CAPACITY, cacheCapacity);
    if (maxRetries < 0) {
      throw new IllegalArgumentException(MAX_RETRIES + " must be >= 0, got " + maxRetries);
    }
    requirePositive(RETRY_BACKOFF_MS, initialBackoff.toMillis());
    requirePositive(RETRY_BACKOFF_MAX_MS, maxBackoff.toMillis());
    requirePositive(REQUEST_TIMEOUT_MS, requestTimeout.toMillis());
    Objects.requireNonNull(outagePolicy, "outagePolicy");
    requirePositive(OUTAGE_MAX_WAIT_MS, outageMaxWait.toMillis());
  }

  /** A configuration with defaults for everything but the URL(s). */
  public static RegistryConfig of(String url) {
    return fromProperties(Map.of(URL, url));
  }

  /**
   * Parses Confluent-style client properties; unknown keys are ignored (Kafka passes its own
   * along).
   */
  public static RegistryConfig fromProperties(Map<String, ?> props) {
    Object url = props.get(URL);
    if (url == null || url.toString().isBlank()) {
      throw new IllegalArgumentException(URL + " is required (e.g. http://127.0.0.1:8085)");
    }
    List<String> urls = new ArrayList<>();
    for (String part : url.toString().split(",")) {
      if (!part.isBlank()) {
        urls.add(part.trim());
      }
    }
    return new RegistryConfig(
        urls,
        string(props, BASIC_AUTH_USER_INFO, null),
        TlsSettings.fromProperties(props, SSL_PREFIX),
        Boolean.parseBoolean(string(props, AUTO_REGISTER, "true")),
        SubjectNameStrategy.parse(string(props, KEY_SUBJECT_NAME_STRATEGY, "topic-name")),
        SubjectNameStrategy.parse(string(props, VALUE_SUBJECT_NAME_STRATEGY, "topic-name")),
        integer(props, CACHE_CAPACITY, 1000),
        integer(props, MAX_RETRIES, 5),
        Duration.ofMillis(integer(props, RETRY_BACKOFF_MS, 100)),
        Duration.ofMillis(integer(props, RETRY_BACKOFF_MAX_MS, 5000)),
        Duration.ofMillis(integer(props, REQUEST_TIMEOUT_MS, 10_000)),
        OutagePolicy.parse(string(props, OUTAGE_POLICY, "wait")),
        Duration.ofMillis(integer(props, OUTAGE_MAX_WAIT_MS, 300_000)));
  }

  /** Whether this configuration selects the in-memory registry ({@code mock://scope}). */
  public boolean isMock() {
    return urls.get(0).startsWith("mock://");
  }

  /** A copy with a different retry budget (tests shorten it to observe failures quickly). */
  public RegistryConfig withRetries(int retries, Duration initial, Duration max) {
    return copy(retries, initial, max, requestTimeout, outagePolicy, outageMaxWait);
  }

  /** A copy with another outage policy and maximum wait. */
  public RegistryConfig withOutagePolicy(OutagePolicy policy, Duration maxWait) {
    return copy(maxRetries, initialBackoff, maxBackoff, requestTimeout, policy, maxWait);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "RegistryConfig{urls="
        + urls
        + ", basicAuth="
        + (basicAuthUserInfo == null ? "none" : basicAuthUserInfo.split(":", 2)[0] + ":***")
        + ", tls="
        + tls
        + ", autoRegister="
        + autoRegister
        + ", valueSubjectNameStrategy="
        + valueSubjectNameStrategy
        + ", outagePolicy="
        + outagePolicy
        + "}";
  }

  /** {@code url} with any user info replaced by {@code ***}, for messages. */
  public static String redact(String url) {
    return url == null ? null : url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1***@");
  }

  private static String withoutUserInfo(String url) {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
  }

  /** A copy with another per-request (and connect) timeout, e.g. short for a start-up check. */
  public RegistryConfig withRequestTimeout(Duration timeout) {
    return copy(maxRetries, initialBackoff, maxBackoff, timeout, outagePolicy, outageMaxWait);
  }

  /** A copy with the connection and availability settings replaced, the rest kept. */
  private RegistryConfig copy(
      int retries,
      Duration initial,
      Duration max,
      Duration timeout,
      OutagePolicy policy,
      Duration maxWait) {
    return new RegistryConfig(
        urls,
        basicAuthUserInfo,
        tls,
        autoRegister,
        keySubjectNameStrategy,
        valueSubjectNameStrategy,
        cacheCapacity,
        retries,
        initial,
        max,
        timeout,
        policy,
        maxWait);
  }

  /** The property names {@link #fromProperties} reads. */
  public static final java.util.Set<String> KNOWN =
      java.util.Set.of(
          URL,
          BASIC_AUTH_USER_INFO,
          AUTO_REGISTER,
          KEY_SUBJECT_NAME_STRATEGY,
          VALUE_SUBJECT_NAME_STRATEGY,
          CACHE_CAPACITY,
          MAX_RETRIES,
          RETRY_BACKOFF_MS,
          RETRY_BACKOFF_MAX_MS,
          REQUEST_TIMEOUT_MS,
          OUTAGE_POLICY,
          OUTAGE_MAX_WAIT_MS,
          SSL_PREFIX + "truststore.location",
          SSL_PREFIX + "truststore.password",
          SSL_PREFIX + "truststore.type",
          SSL_PREFIX + "keystore.location",
          SSL_PREFIX + "keystore.password",
          SSL_PREFIX + "keystore.type",
          SSL_PREFIX + "key.password");

  /**
   * Like {@link #fromProperties}, but refuses keys it does not read (a typo would otherwise be
   * ignored silently), naming {@code option} and the key.
   */
  public static RegistryConfig fromKnownProperties(Map<String, ?> props, String option) {
    for (String key : props.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException(
            option
                + " '"
                + key
                + "' is not a registry client property; known: "
                + new java.util.TreeSet<>(KNOWN));
      }
    }
    return fromProperties(props);
  }

  private static void validateUrl(String url) {
    if (url.startsWith("mock://")) {
      return;
    }
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          URL
              + " '"
              + redact(url)
              + "' is not an http(s)://host[:port][/path] URL or mock://scope");
    }
  }

  private static void requirePositive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + value);
    }
  }

  static String string(Map<String, ?> props, String key, String fallback) {
    Object value = props.get(key);
    return value == null ? fallback : value.toString();
  }

  private static int integer(Map<String, ?> props, String key, int fallback) {
    Object value = props.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + value + "'", e);
    }
  }
}

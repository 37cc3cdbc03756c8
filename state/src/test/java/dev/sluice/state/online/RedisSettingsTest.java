package dev.sluice.state.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisClientConfig;

class RedisSettingsTest {
  private static final RedisSettings LOCAL = RedisSettings.standalone("localhost", 6379);

  @Test
  void defaultsWorkOnOneMachine() {
    assertThat(LOCAL.keyPrefix()).isEqualTo("sluice");
    assertThat(LOCAL.isCluster()).isFalse();
    assertThat(LOCAL.database()).isZero();
    assertThat(LOCAL.describe()).isEqualTo("Redis at localhost:6379");
    assertThat(RedisSettings.fromOptions(Map.of())).isEqualTo(LOCAL);
  }

  @Test
  void everyBadSettingIsNamedInTheMessage() {
    assertInvalid(() -> RedisSettings.standalone(" ", 6379), "redis.host");
    assertInvalid(() -> RedisSettings.standalone("h", 0), "redis.port");
    assertInvalid(() -> RedisSettings.standalone("h", 70000), "redis.port");
    assertInvalid(() -> LOCAL.withDatabase(-1), "redis.database");
    assertInvalid(() -> LOCAL.withPoolSize(0), "redis.pool-size");
    assertInvalid(
        () -> LOCAL.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)), "redis.connect-timeout");
    assertInvalid(
        () -> LOCAL.withTimeouts(Duration.ofSeconds(1), Duration.ofNanos(5)),
        "redis.socket-timeout");
    assertInvalid(() -> LOCAL.withKeyPrefix("a{b}"), "redis.key-prefix");
    assertInvalid(() -> LOCAL.withKeyPrefix(""), "redis.key-prefix");
    assertInvalid(() -> LOCAL.withCredentials("alice", null), "redis.password");
    assertInvalid(
        () -> LOCAL.withRetries(-1, Duration.ofMillis(1), Duration.ofMillis(1)),
        "redis.retry-attempts");
    assertInvalid(
        () -> LOCAL.withRetries(1, Duration.ofMillis(10), Duration.ofMillis(1)),
        "redis.max-retry-backoff");
    assertInvalid(() -> RedisSettings.cluster(List.of()), "redis.cluster-nodes");
    assertInvalid(() -> RedisSettings.cluster(List.of("nohost")), "redis.cluster-nodes");
    assertInvalid(() -> RedisSettings.cluster(List.of("h:x")), "redis.cluster-nodes");
    assertInvalid(() -> RedisSettings.cluster(List.of("h:0")), "redis.cluster-nodes");
  }

  @Test
  void aDatabaseIndexIsRefusedForRedisCluster() {
    RedisSettings cluster = RedisSettings.cluster(List.of("10.0.0.1:7000", "10.0.0.2:7000"));

    assertThat(cluster.isCluster()).isTrue();
    assertThat(cluster.describe()).contains("10.0.0.1:7000, 10.0.0.2:7000");
    assertThatThrownBy(() -> cluster.withDatabase(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis.database")
        .hasMessageContaining("Redis Cluster");
  }

  @Test
  void standaloneAndClusterOptionsDoNotMix() {
    assertInvalid(
        () -> RedisSettings.fromOptions(Map.of("redis.host", "h", "redis.cluster-nodes", "h:1")),
        "redis.cluster-nodes");
  }

  @Test
  void optionsAreParsedWithTheirNames() {
    RedisSettings settings =
        RedisSettings.fromOptions(
            Map.ofEntries(
                Map.entry("redis.cluster-nodes", "a:7000, b:7001"),
                Map.entry("redis.user", "sluice"),
                Map.entry("redis.password", "s3cret"),
                Map.entry("redis.tls", "true"),
                Map.entry("redis.pool-size", "16"),
                Map.entry("redis.connect-timeout", "500ms"),
                Map.entry("redis.socket-timeout", "PT1.5S"),
                Map.entry("redis.key-prefix", "prod:sluice"),
                Map.entry("redis.retry-attempts", "2"),
                Map.entry("redis.retry-backoff", "50ms"),
                Map.entry("redis.max-retry-backoff", "1s")));

    assertThat(settings.clusterNodes()).containsExactly("a:7000", "b:7001");
    assertThat(settings.user()).isEqualTo("sluice");
    assertThat(settings.tls()).isTrue();
    assertThat(settings.poolSize()).isEqualTo(16);
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.socketTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(settings.keyPrefix()).isEqualTo("prod:sluice");
    assertThat(settings.retryAttempts()).isEqualTo(2);
    assertThat(settings.maxRetryBackoff()).isEqualTo(Duration.ofSeconds(1));

    assertInvalid(() -> RedisSettings.fromOptions(Map.of("redis.port", "six")), "redis.port");
    assertInvalid(() -> RedisSettings.fromOptions(Map.of("redis.tls", "maybe")), "redis.tls");
    assertInvalid(
        () -> RedisSettings.fromOptions(Map.of("redis.retry-backoff", "soon")),
        "redis.retry-backoff");
    assertInvalid(() -> RedisSettings.fromOptions(Map.of("redis.hots", "x")), "redis.hots");
  }

  @Test
  void thePasswordNeverShowsInToString() {
    String text = LOCAL.withCredentials("alice", "s3cret").toString();

    assertThat(text).doesNotContain("s3cret").contains("alice").contains("***");
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RedisSettings s = LOCAL.withRetries(10, Duration.ofMillis(100), Duration.ofMillis(500));

    assertThat(List.of(1, 2, 3, 4, 10).stream().map(s::backoffBeforeRetry))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(500),
            Duration.ofMillis(500));
  }

  @Test
  void settingsSurviveJavaSerialization() throws Exception {
    RedisSettings cluster =
        RedisSettings.cluster(List.of("a:1")).withCredentials("u", "p").withKeyPrefix("x");

    assertThat(InstantiationUtil.clone(cluster)).isEqualTo(cluster);
    assertThat(InstantiationUtil.clone(LOCAL)).isEqualTo(LOCAL);
  }

  @Test
  void clientConfigCarriesCredentialsDatabaseAndTlsWithHostnameVerification() {
    JedisClientConfig standalone =
        RedisOnlineFeatureStore.clientConfig(
            LOCAL.withCredentials("alice", "pw").withDatabase(3).withTls(true));

    assertThat(standalone.getDatabase()).isEqualTo(3);
    assertThat(standalone.getUser()).isEqualTo("alice");
    assertThat(standalone.getPassword()).isEqualTo("pw");
    assertThat(standalone.isSsl()).isTrue();
    assertThat(standalone.getSslParameters().getEndpointIdentificationAlgorithm())
        .isEqualTo("HTTPS");
    assertThat(standalone.getSocketTimeoutMillis()).isEqualTo(2000);

    JedisClientConfig cluster =
        RedisOnlineFeatureStore.clientConfig(RedisSettings.cluster(List.of("a:1")));
    assertThat(cluster.getDatabase()).isZero();
    assertThat(cluster.isSsl()).isFalse();
  }

  private static void assertInvalid(Runnable settings, String option) {
    assertThatThrownBy(settings::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(option);
  }
}

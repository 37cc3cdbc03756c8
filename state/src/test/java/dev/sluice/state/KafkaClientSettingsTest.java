package dev.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaClientSettingsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\""
          + " password=\"jaas-secret\";";

  private static final Map<String, String> SECURE =
      Map.of(
          "security.protocol", "SASL_SSL",
          "sasl.mechanism", "PLAIN",
          "sasl.jaas.config", JAAS,
          "ssl.truststore.location", "/etc/kafka/trust.p12",
          "ssl.truststore.password", "trust-secret",
          "ssl.keystore.password", "keystore-secret",
          "ssl.key.password", "key-secret",
          "sasl.oauthbearer.client.credentials.client.secret", "oauth-secret",
          "linger.ms", "5",
          "max.poll.records", "100");

  @Test
  void everyClientGetsBootstrapAndTheSecuritySettingsButOnlyTheKeysItKnows() {
    KafkaClientSettings settings = new KafkaClientSettings("10.0.0.1:9092,10.0.0.2:9092", SECURE);

    assertThat(settings.consumer())
        .containsEntry("bootstrap.servers", "10.0.0.1:9092,10.0.0.2:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("max.poll.records", "100")
        .doesNotContainKey("linger.ms");
    assertThat(settings.producer())
        .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
        .containsEntry("linger.ms", "5")
        .doesNotContainKey("max.poll.records");
    assertThat(settings.admin())
        .containsEntry("sasl.mechanism", "PLAIN")
        .doesNotContainKey("linger.ms")
        .doesNotContainKey("max.poll.records");
    assertThat(settings.consumerExtras()).doesNotContainKey("bootstrap.servers");
  }

  @Test
  void toStringRedactsEverySecretAndShowsTheRest() throws Exception {
    KafkaClientSettings settings = new KafkaClientSettings("127.0.0.1:9092", SECURE);

    assertThat(settings.toString())
        .contains("security.protocol=SASL_SSL", "sasl.mechanism=PLAIN", "/etc/kafka/trust.p12")
        .contains("sasl.jaas.config=***")
        .doesNotContain("jaas-secret", "trust-secret", "keystore-secret", "key-secret")
        .doesNotContain("oauth-secret");
    // Flink ships it inside connector configuration.
    new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(settings);
  }

  @ParameterizedTest
  @CsvSource({
    "bootstrap.servers, --bootstrap-servers",
    "group.id, --group-id",
    "transactional.id, --group-id",
    "isolation.level, read_committed",
    "enable.idempotence, exactly-once",
    "enable.auto.commit, checkpoints",
    "auto.offset.reset, --start-from",
    "key.deserializer, serde",
    "value.serializer, serde"
  })
  void keysThePlatformOwnsAreRefusedNamingWhatToUse(String key, String instead) {
    assertThatThrownBy(() -> new KafkaClientSettings("127.0.0.1:9092", Map.of(key, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--kafka-property " + key)
        .hasMessageContaining(instead);
  }

  @Test
  void anUnknownKeyIsRefusedWithTheClosestName() {
    assertThatThrownBy(
            () -> new KafkaClientSettings("127.0.0.1:9092", Map.of("sasl.mechanisms", "PLAIN")))
        .hasMessageContaining("--kafka-property 'sasl.mechanisms'")
        .hasMessageContaining("did you mean 'sasl.mechanism'");
    assertThatThrownBy(() -> new KafkaClientSettings("127.0.0.1:9092", Map.of("colour", "blue")))
        .hasMessageContaining("'colour' is not a Kafka consumer, producer or admin client setting")
        .hasMessageNotContaining("did you mean");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "localhost:", ":9092", "localhost:0", "h:65536", "h:x"})
  void badBootstrapServersAreNamed(String servers) {
    assertThatThrownBy(() -> KafkaClientSettings.of(servers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--bootstrap-servers");
  }

  @Test
  void aJobConfigurationMustNotDisagreeOnTheBootstrapServers() {
    KafkaClientSettings settings = KafkaClientSettings.of("a:1");
    assertThat(KafkaClientSettings.orDefault("a:1", settings)).isSameAs(settings);
    assertThat(KafkaClientSettings.orDefault("b:2", null)).isEqualTo(KafkaClientSettings.of("b:2"));
    assertThatThrownBy(() -> KafkaClientSettings.orDefault("b:2", settings))
        .hasMessageContaining("'a:1'")
        .hasMessageContaining("'b:2'");
  }
}

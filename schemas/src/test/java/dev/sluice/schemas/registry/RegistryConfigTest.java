package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Transaction;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

  @Test
  void readsConfluentPropertyNames() {
    RegistryConfig config =
        RegistryConfig.fromProperties(
            Map.of(
                "schema.registry.url", "http://a:8081, http://b:8081/",
                "basic.auth.user.info", "svc:secret",
                "auto.register.schemas", "false",
                "value.subject.name.strategy",
                    "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
                "schema.registry.max.retries", "2"));

    assertThat(config.urls()).containsExactly("http://a:8081", "http://b:8081/");
    assertThat(config.autoRegister()).isFalse();
    assertThat(config.valueSubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
    assertThat(config.keySubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
    assertThat(config.maxRetries()).isEqualTo(2);
    assertThat(config.toString()).contains("svc:***").doesNotContain("secret");
  }

  @Test
  void namesTheBadSetting() {
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of()))
        .hasMessageContaining("schema.registry.url is required");
    assertThatThrownBy(() -> RegistryConfig.of("localhost:8085"))
        .hasMessageContaining("'localhost:8085' is not an http(s)://");
    assertThatThrownBy(
            () ->
                RegistryConfig.fromProperties(
                    Map.of(
                        "schema.registry.url", "http://a", "schema.registry.max.retries", "many")))
        .hasMessageContaining("schema.registry.max.retries must be an integer, got 'many'");
    assertThatThrownBy(
            () ->
                RegistryConfig.fromProperties(
                    Map.of(
                        "schema.registry.url", "http://a", "basic.auth.user.info", "nopassword")))
        .hasMessageContaining("user:password");
    assertThatThrownBy(
            () ->
                RegistryConfig.fromProperties(
                    Map.of(
                        "schema.registry.url",
                        "http://a",
                        "value.subject.name.strategy",
                        "by-color")))
        .hasMessageContaining("unknown subject name strategy 'by-color'");
  }

  @Test
  void missingTrustStoreIsNamed() {
    RegistryConfig config =
        RegistryConfig.fromProperties(
            Map.of(
                "schema.registry.url",
                "https://a",
                "schema.registry.ssl.truststore.location",
                "/nonexistent/trust.p12"));
    assertThatThrownBy(() -> new RestSchemaRegistryClient(config))
        .hasMessageContaining("/nonexistent/trust.p12");
  }

  @Test
  void subjectNameStrategies() {
    assertThat(
            SubjectNameStrategy.TOPIC_NAME.subjectName("tx", false, Transaction.getClassSchema()))
        .isEqualTo("tx-value");
    assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName("tx", true, Transaction.getClassSchema()))
        .isEqualTo("tx-key");
    assertThat(
            SubjectNameStrategy.RECORD_NAME.subjectName("tx", false, Transaction.getClassSchema()))
        .isEqualTo("dev.sluice.avro.Transaction");
    assertThat(
            SubjectNameStrategy.TOPIC_RECORD_NAME.subjectName(
                "tx", false, Transaction.getClassSchema()))
        .isEqualTo("tx-dev.sluice.avro.Transaction");
    assertThat(SubjectNameStrategy.parse("record-name")).isEqualTo(SubjectNameStrategy.RECORD_NAME);
    assertThat(SubjectNameStrategy.parse("RecordNameStrategy"))
        .isEqualTo(SubjectNameStrategy.RECORD_NAME);
  }
}

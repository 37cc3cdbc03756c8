package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.EventCount;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireSerializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code sluice topics create|tail} against a real broker and registry. */
class TopicsCommandITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  @Test
  void createsThePlatformTopicsWithTheirLayoutAndIsIdempotent() throws Exception {
    String bootstrap = SERVICES.kafka().bootstrapServers();
    assertThat(new CliRun().run("topics", "create", "--bootstrap-servers", bootstrap)).isZero();
    assertThat(new CliRun().run("topics", "create", "--bootstrap-servers", bootstrap)).isZero();

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<String, TopicDescription> topics =
          admin
              .describeTopics(Topics.ALL.stream().map(Topics.Spec::name).toList())
              .allTopicNames()
              .get();
      for (Topics.Spec spec : Topics.ALL) {
        assertThat(topics.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
        Config config =
            admin
                .describeConfigs(
                    java.util.List.of(new ConfigResource(ConfigResource.Type.TOPIC, spec.name())))
                .all()
                .get()
                .values()
                .iterator()
                .next();
        assertThat(config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
            .as(spec.name())
            .isEqualTo("LogAppendTime");
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
            .as(spec.name())
            .isEqualTo(Long.toString(spec.retention().toMillis()));
      }
    }
  }

  @Test
  void tailPrintsRecordsDecodedWithTheirWriterSchema() throws Exception {
    String bootstrap = SERVICES.kafka().bootstrapServers();
    String registry = SERVICES.registry().url();
    SERVICES.kafka().createTopic("tail-me", 1);
    EventCount count =
        EventCount.newBuilder()
            .setSource("transactions")
            .setWindowStart(Instant.parse("2018-04-01T00:00:00Z"))
            .setWindowEnd(Instant.parse("2018-04-01T00:01:00Z"))
            .setCount(42)
            .build();
    byte[] value =
        new AvroWireSerializer<EventCount>(SERVICES.client(), RegistryConfig.of(registry), false)
            .serialize("tail-me", count);
    try (KafkaProducer<byte[], byte[]> producer = SERVICES.kafka().rawProducer()) {
      producer.send(new ProducerRecord<>("tail-me", value)).get();
      producer.send(new ProducerRecord<>("tail-me", "{}".getBytes(StandardCharsets.UTF_8))).get();
    }

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          new CliRun()
              .run(
                  "topics",
                  "tail",
                  "tail-me",
                  "--max",
                  "2",
                  "--bootstrap-servers",
                  bootstrap,
                  "--registry-url",
                  registry);
    } finally {
      System.setOut(original);
    }

    assertThat(code).isZero();
    String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .startsWith("0/0 ")
        .contains("\"windowStart\": \"2018-04-01T00:00:00Z\"")
        .contains("\"count\": 42");
    assertThat(lines[1]).startsWith("0/1 ").contains("undecodable").contains("BAD_MAGIC_BYTE");
  }
}

package dev.sluice.models;

import static dev.sluice.state.models.ModelFixtures.FRAUD;
import static dev.sluice.state.models.ModelFixtures.candidate;
import static dev.sluice.state.models.RegistryState.CHALLENGER;
import static dev.sluice.state.models.RegistryState.CHAMPION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelFixtures;
import dev.sluice.state.models.ModelRegistryException;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelValidator;
import dev.sluice.state.models.RegistryState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka-backed model registry against a real broker and a real schema registry. Every test
 * works on its own topic.
 */
class KafkaModelRegistryITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private String topic;

  @BeforeEach
  void topicPerTest(TestInfo test) {
    topic = "registry-" + test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
  }

  private ModelRegistryLog log() {
    return new ModelRegistryLog(
        SERVICES.kafka().bootstrapServers(), RegistryConfig.of(SERVICES.registry().url()), topic);
  }

  private KafkaModelRegistry open() throws Exception {
    return KafkaModelRegistry.open(log(), ModelValidator.ACCEPT_ALL);
  }

  private List<ConsumerRecord<byte[], byte[]>> records() {
    return SERVICES.kafka().readCommitted(topic);
  }

  @Test
  void versionsAliasesAndHistorySurviveANewRegistryInstance() throws Exception {
    List<ModelVersion> registered = new ArrayList<>();
    try (KafkaModelRegistry registry = open()) {
      for (int i = 1; i <= 3; i++) {
        registered.add(registry.register(candidate(FRAUD, "model " + i)));
      }
      registry.register(candidate("churn", "another model"));
      registry.promote(FRAUD, 1, CHAMPION, "first");
      registry.promote(FRAUD, 2, CHAMPION, "better");
      registry.promote(FRAUD, 3, CHAMPION, "even better");
      registry.rollback(FRAUD, CHAMPION, "3 misbehaves");
      registry.promote(FRAUD, 3, CHALLENGER, "shadow it");
      registry.demote(FRAUD, CHALLENGER, "enough");
      registry.rollback(FRAUD, CHALLENGER, "bring it back");
    }
    assertThat(registered).extracting(ModelVersion::getVersion).containsExactly(1, 2, 3);

    RegistryState state;
    try (KafkaModelRegistry reopened = open()) {
      state = reopened.read();
    }

    assertThat(state.models()).containsExactly("churn", FRAUD);
    assertThat(state.versions(FRAUD)).isEqualTo(registered);
    assertThat(state.versions(FRAUD).get(0).getSha256())
        .isEqualTo(RegistryState.sha256(candidate(FRAUD, "model 1").getOnnx()));
    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, 2, CHALLENGER, 3));
    assertThat(state.history(FRAUD))
        .extracting(AliasChange::getAction, AliasChange::getVersion, AliasChange::getReason)
        .containsExactly(
            tuple(AliasAction.PROMOTE, 1, "first"),
            tuple(AliasAction.PROMOTE, 2, "better"),
            tuple(AliasAction.PROMOTE, 3, "even better"),
            tuple(AliasAction.ROLLBACK, 2, "3 misbehaves"),
            tuple(AliasAction.PROMOTE, 3, "shadow it"),
            tuple(AliasAction.DEMOTE, null, "enough"),
            tuple(AliasAction.ROLLBACK, 3, "bring it back"));
    assertThat(records()).as("nothing was written but the applied records").hasSize(11);
  }

  @Test
  void valuesAreConfluentWireFormatUnderTheTopicsValueSubjectWithUniqueKeys() throws Exception {
    try (KafkaModelRegistry registry = open()) {
      registry.register(candidate(FRAUD, "model 1"));
      registry.promote(FRAUD, 1, CHAMPION, "");
    }
    List<ConsumerRecord<byte[], byte[]>> records = records();

    assertThat(SERVICES.client().subjects()).contains(topic + "-value");
    List<RegistryEvent> events =
        KafkaTestCluster.decode(
            records, AvroWireDeserializer.forSpecific(SERVICES.client(), RegistryEvent.class));
    assertThat(events.get(0).getEvent()).isInstanceOf(ModelVersion.class);
    assertThat(events.get(1).getEvent()).isInstanceOf(AliasChange.class);
    assertThat(new String(records.get(0).key())).matches("fraud/version/1/[0-9a-f-]{36}");
    assertThat(new String(records.get(1).key())).matches("fraud/alias/1/[0-9a-f-]{36}");
    // What a streaming job following the log would use.
    try (Deserializer<RegistryEvent> deserializer = log().newDeserializer()) {
      assertThat(deserializer.deserialize(topic, records.get(1).value())).isEqualTo(events.get(1));
    }
  }

  @Test
  void aFollowerOfTheLogSeesWhatTheRegistrySees() throws Exception {
    RegistryState expected;
    try (KafkaModelRegistry registry = open()) {
      registry.register(candidate(FRAUD, "model 1"));
      registry.register(candidate("churn", "churn 1"));
      registry.register(candidate(FRAUD, "model 2"));
      registry.promote(FRAUD, 2, CHAMPION, "");
      registry.promote(FRAUD, 1, CHALLENGER, "");
      expected = registry.read();
    }

    // As the scoring job does: partition 0 from the earliest offset, one model's events applied.
    RegistryState follower = RegistryState.forModel(FRAUD);
    ModelRegistryLog log = log();
    TopicPartition partition = new TopicPartition(log.topic(), 0);
    try (KafkaConsumer<String, RegistryEvent> consumer =
        new KafkaConsumer<>(
            log.consumerProperties(), new StringDeserializer(), log.newDeserializer())) {
      consumer.assign(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> follower.apply(r.value()));
      }
    }

    assertThat(follower.models()).containsExactly(FRAUD);
    assertThat(follower.versions(FRAUD)).isEqualTo(expected.versions(FRAUD));
    assertThat(follower.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, 2, CHALLENGER, 1));
  }

  @Test
  void aRefusedModelWritesNothingAndTheValidatorsMessagePropagates() throws Exception {
    try (KafkaModelRegistry accepting = open()) {
      accepting.register(candidate(FRAUD, "model 1"));
    }
    ModelValidator refusing =
        candidate -> {
          throw new InvalidModelException("input 'features' has shape [-1, 4], the signature 3");
        };
    try (KafkaModelRegistry registry = KafkaModelRegistry.open(log(), refusing)) {
      assertThatThrownBy(() -> registry.register(candidate(FRAUD, "model 2")))
          .isInstanceOf(InvalidModelException.class)
          .hasMessage("input 'features' has shape [-1, 4], the signature 3");
      assertThat(registry.read().versions(FRAUD)).hasSize(1);
    }
    assertThat(records()).hasSize(1);
  }

  @Test
  void concurrentWritersGetDistinctConsecutiveNumbersAndBothVersionsAreKept() throws Exception {
    int perWriter = 10;
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<ModelVersion> returned = new ArrayList<>();
    try (KafkaModelRegistry a = open();
        KafkaModelRegistry b = open()) {
      List<Future<List<ModelVersion>>> writers = new ArrayList<>();
      for (KafkaModelRegistry registry : List.of(a, b)) {
        String writer = registry == a ? "a" : "b";
        Callable<List<ModelVersion>> task =
            () -> {
              start.await();
              List<ModelVersion> mine = new ArrayList<>();
              for (int i = 0; i < perWriter; i++) {
                mine.add(registry.register(candidate(FRAUD, writer + i)));
              }
              return mine;
            };
        writers.add(pool.submit(task));
      }
      for (Future<List<ModelVersion>> writer : writers) {
        returned.addAll(writer.get());
      }
    } finally {
      pool.shutdownNow();
    }

    RegistryState state;
    try (KafkaModelRegistry reader = open()) {
      state = reader.read();
    }
    assertThat(state.versions(FRAUD))
        .extracting(ModelVersion::getVersion)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 2 * perWriter).boxed().toList());
    Set<String> digests = new HashSet<>();
    for (ModelVersion version : returned) {
      // What register returned is what every reader sees under that number.
      assertThat(state.version(FRAUD, version.getVersion()).orElseThrow()).isEqualTo(version);
      digests.add(version.getSha256());
    }
    assertThat(digests).as("every writer's every version is kept").hasSize(2 * perWriter);
    System.out.printf(
        "concurrent registration: %d records for %d versions (%d lost races retried)%n",
        records().size(), 2 * perWriter, records().size() - 2 * perWriter);
  }

  @Test
  void concurrentPromotionsBothApplyOneAfterTheOther() throws Exception {
    try (KafkaModelRegistry setup = open()) {
      for (int i = 1; i <= 3; i++) {
        setup.register(candidate(FRAUD, "model " + i));
      }
      setup.promote(FRAUD, 1, CHAMPION, "start");
    }
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<AliasChange> returned = new ArrayList<>();
    try (KafkaModelRegistry a = open();
        KafkaModelRegistry b = open()) {
      Future<AliasChange> toTwo =
          pool.submit(
              () -> {
                start.await();
                return a.promote(FRAUD, 2, CHAMPION, "a");
              });
      Future<AliasChange> toThree =
          pool.submit(
              () -> {
                start.await();
                return b.promote(FRAUD, 3, CHAMPION, "b");
              });
      returned.add(toTwo.get());
      returned.add(toThree.get());
    } finally {
      pool.shutdownNow();
    }

    RegistryState state;
    try (KafkaModelRegistry reader = open()) {
      state = reader.read();
    }
    List<AliasChange> history = state.history(FRAUD);
    assertThat(history).hasSize(3);
    assertThat(history.subList(1, 3)).containsExactlyInAnyOrderElementsOf(returned);
    // The later change was planned on the earlier one: the alias never skipped a step.
    assertThat(history.get(2).getPreviousVersion()).isEqualTo(history.get(1).getVersion());
    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, history.get(2).getVersion()));
  }

  @Test
  void aFiveMegabyteModelRoundTrips() throws Exception {
    ByteBuffer onnx = ModelFixtures.bytes(5 * 1024 * 1024, 7);
    ModelVersion registered;
    try (KafkaModelRegistry registry = open()) {
      registered = registry.register(candidate(FRAUD, onnx.duplicate()));
    }
    ModelVersion read;
    try (KafkaModelRegistry reopened = open()) {
      read = reopened.read().version(FRAUD, 1).orElseThrow();
    }
    assertThat(read.getOnnx()).isEqualTo(onnx);
    assertThat(read.getSha256())
        .isEqualTo(RegistryState.sha256(onnx))
        .isEqualTo(registered.getSha256());
  }

  @Test
  void aModelTooLargeForTheTopicIsRefusedBeforeAnythingIsWritten() throws Exception {
    try (KafkaModelRegistry registry = open()) {
      ByteBuffer huge = ByteBuffer.allocate(KafkaModelRegistry.MAX_MODEL_BYTES + 1);
      assertThatThrownBy(() -> registry.register(candidate(FRAUD, huge)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("model fraud is 66060289 bytes; the registry takes models up to");
    }
    assertThat(records()).isEmpty();
  }

  @Test
  void theTopicIsCreatedCompactedWithOnePartitionAndRoomForLargeModels() throws Exception {
    try (KafkaModelRegistry registry = open()) {
      assertThat(registry.read().models()).isEmpty();
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SERVICES.kafka().bootstrapServers()))) {
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
          .hasSize(1);
      Config config =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
              .all()
              .get()
              .get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
      assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("-1");
      assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
          .isEqualTo(Integer.toString(64 * 1024 * 1024));
      assertThat(config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
          .isEqualTo("LogAppendTime");
    }
  }

  @Test
  void anExistingTopicWithThreePartitionsIsRefused() throws Exception {
    SERVICES.kafka().createTopic(topic, 3);

    assertThatThrownBy(this::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("topic '" + topic + "' has 3 partitions")
        .hasMessageContaining("needs exactly one");
  }

  @Test
  void anExistingTopicThatDeletesByAgeIsRefused() throws Exception {
    SERVICES.kafka().createTopic(new Topics.Spec(topic, 1, Duration.ofDays(7), "test"));

    assertThatThrownBy(this::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("deletes records after 604800000 ms")
        .hasMessageContaining("would lose registered versions");
  }

  @Test
  void readersDoNotCreateAMissingTopic() {
    assertThatThrownBy(
            () ->
                KafkaModelRegistry.open(
                    log(),
                    ModelValidator.ACCEPT_ALL,
                    KafkaModelRegistry.IfMissing.FAIL,
                    "tester@test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no model registry topic '" + topic + "'");
  }

  @Test
  void requestsThatMakeNoSenseAreRefusedPreciselyAndWriteNothing() throws Exception {
    try (KafkaModelRegistry registry = open()) {
      registry.register(candidate(FRAUD, "model 1"));
      registry.register(candidate(FRAUD, "model 2"));
      registry.promote(FRAUD, 1, CHAMPION, "");

      assertProblem(
          () -> registry.promote("churn", 1, CHAMPION, ""),
          ModelRegistryException.Problem.UNKNOWN_MODEL,
          "unknown model 'churn' (models: fraud)");
      assertProblem(
          () -> registry.promote(FRAUD, 7, CHAMPION, ""),
          ModelRegistryException.Problem.UNKNOWN_VERSION,
          "unknown version 7 of fraud (versions: 1, 2)");
      assertProblem(
          () -> registry.promote(FRAUD, 1, CHAMPION, ""),
          ModelRegistryException.Problem.ALREADY_SET,
          "champion of fraud already points at version 1");
      assertProblem(
          () -> registry.demote(FRAUD, CHALLENGER, ""),
          ModelRegistryException.Problem.ALIAS_NOT_SET,
          "cannot demote challenger of fraud: it is not set (aliases: {champion=1})");
      assertProblem(
          () -> registry.rollback(FRAUD, CHAMPION, ""),
          ModelRegistryException.Problem.NOTHING_TO_ROLL_BACK,
          "champion of fraud points at version 1 and has no earlier target to roll back to");
      assertProblem(
          () -> registry.register(candidate("Fraud Model", "x")),
          ModelRegistryException.Problem.INVALID_NAME,
          "model name 'Fraud Model' is not valid");
    }
    assertThat(records()).hasSize(3);
  }

  private static void assertProblem(
      ThrowingCallable call, ModelRegistryException.Problem problem, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ModelRegistryException.class, e -> assertThat(e.problem()).isEqualTo(problem))
        .hasMessageContaining(message);
  }
}

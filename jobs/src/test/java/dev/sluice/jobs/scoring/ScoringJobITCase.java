package dev.sluice.jobs.scoring;

import static dev.sluice.jobs.scoring.ScoringFixtures.FEATURES;
import static dev.sluice.jobs.scoring.ScoringFixtures.expected;
import static dev.sluice.jobs.scoring.ScoringFixtures.fixture;
import static dev.sluice.jobs.scoring.ScoringFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.jobs.FeatureJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.jobs.ScoringJob;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.NodeProducer;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.RegistryState;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring job against a real broker, a real registry and ONNX Runtime: two versions exported
 * with different conventions (a Tribuo-style probability tensor and an skl2onnx-style ZipMap) of
 * the same logistic regression, whose probabilities numpy computed independently ({@code
 * onnx/expected.json} of the operators' fixtures). Promoting a version while rows flow switches
 * scoring live, without a lost or duplicated decision.
 */
class ScoringJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static final String MODEL = "fraud";

  @TempDir Path dir;

  @Test
  void scoresEveryRowOnceAndFollowsPromotionsLive() throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    for (Topics.Spec spec :
        List.of(
            Topics.FEATURE_ROWS, Topics.PREDICTIONS, Topics.DEAD_LETTERS, Topics.MODEL_REGISTRY)) {
      kafka.createTopic(spec);
    }
    RegistryConfig registryConfig = RegistryConfig.of(SERVICES.registry().url());
    JsonNode expected = expected();
    ModelRegistryLog log = ModelRegistryLog.of(kafka.bootstrapServers(), registryConfig);

    try (KafkaModelRegistry registry =
            KafkaModelRegistry.open(
                log, new OnnxModelValidator(), KafkaModelRegistry.IfMissing.FAIL, "test");
        KafkaProducer<String, FeatureRow> producer =
            ScoringFixtures.producer(kafka, SERVICES.client(), registryConfig)) {
      ModelVersion tensor = registry.register(candidate("tribuo_lr.onnx"));
      ModelVersion zipMap = registry.register(candidate("skl_zipmap_int.onnx"));
      assertThat(zipMap.getVersion()).isEqualTo(tensor.getVersion() + 1);
      assertThatThrownBy(
              () -> registry.register(candidate(Arrays.copyOf(fixture("tribuo_lr.onnx"), 50))))
          .isInstanceOf(InvalidModelException.class)
          .hasMessageContaining("not a loadable ONNX model");
      registry.promote(MODEL, tensor.getVersion(), RegistryState.CHAMPION, "first");

      JobClient job = start(kafka, registryConfig);
      int firstBatch = 150;
      send(producer, expected, 0, firstBatch);
      FeatureRow broken = row(expected, 0, "tx-broken");
      broken.getFeatures().remove("f3");
      producer.send(new ProducerRecord<>(Topics.FEATURE_ROWS.name(), "tx-broken", broken));
      producer.flush();
      awaitDecisions(kafka, job, firstBatch);

      // Live: the ZipMap version decides from now on, the tensor version scores in shadow.
      registry.promote(MODEL, zipMap.getVersion(), RegistryState.CHAMPION, "better");
      registry.promote(MODEL, tensor.getVersion(), RegistryState.CHALLENGER, "shadow the old one");
      int next = firstBatch;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (predictions(kafka).stream().noneMatch(Prediction::getShadow)) {
        assertThat(System.nanoTime()).as("the challenger never scored").isLessThan(deadline);
        send(producer, expected, next, next + 10);
        next += 10;
        Thread.sleep(1_000);
      }
      int tailStart = next;
      int tailEnd = Math.min(expected.get("rows").size(), tailStart + 40);
      send(producer, expected, tailStart, tailEnd);
      awaitDecisions(kafka, job, tailEnd);
      job.cancel().get();

      List<Prediction> all = predictions(kafka);
      List<Prediction> decisions = all.stream().filter(p -> !p.getShadow()).toList();
      assertThat(decisions)
          .as("exactly one decision per scorable row, none for the broken one")
          .extracting(Prediction::getEventId)
          .doesNotHaveDuplicates()
          .hasSize(tailEnd)
          .doesNotContain("tx-broken");
      for (Prediction p : all) {
        int i = index(p);
        double numpy = expected.get("positive").get(i).asDouble();
        assertThat(p.getScore())
            .as(p.getEventId())
            .isCloseTo(numpy, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(p.getPositive()).isEqualTo(p.getScore() >= 0.5);
        if (i < firstBatch) {
          assertThat(p.getModelVersion())
              .as("scored before the promotion")
              .isEqualTo(tensor.getVersion());
        }
        if (i >= tailStart) {
          int version = p.getShadow() ? tensor.getVersion() : zipMap.getVersion();
          assertThat(p.getModelVersion())
              .as(p.getEventId() + " after the promotion")
              .isEqualTo(version);
          assertThat(p.getRole())
              .isEqualTo(p.getShadow() ? ModelRole.CHALLENGER : ModelRole.CHAMPION);
        }
      }
      assertThat(all.stream().filter(Prediction::getShadow).filter(p -> index(p) >= tailStart))
          .as("every row after the promotion also has a shadow score")
          .hasSize(tailEnd - tailStart);

      // Each record says which schema it was written with; the wire-format header agrees.
      for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(Topics.PREDICTIONS.name())) {
        int headerId = ByteBuffer.wrap(record.value(), 1, 4).getInt();
        Prediction p =
            AvroWireDeserializer.forSpecific(SERVICES.client(), Prediction.class)
                .deserialize(record.value());
        assertThat(p.getSchemaId()).isEqualTo(headerId);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(p.getEventId());
      }

      // An independent Node.js consumer (kafkajs + @kafkajs/confluent-schema-registry) reads them
      // too.
      Path script = NodeProducer.install(Files.createDirectories(dir.resolve("node")));
      JsonNode node =
          new ObjectMapper()
              .readTree(
                  NodeProducer.run(
                      script.resolveSibling("consume.js"),
                      kafka.bootstrapServers(),
                      SERVICES.registry().url(),
                      Topics.PREDICTIONS.name(),
                      Integer.toString(all.size()),
                      "60000"));
      assertThat(node.get("read").asInt()).isEqualTo(all.size());
      Map<String, Double> decisionScores = new HashMap<>();
      decisions.forEach(p -> decisionScores.put(p.getEventId(), p.getScore()));
      for (JsonNode record : node.get("records")) {
        JsonNode value = record.get("value");
        assertThat(value.get("eventId").asText()).isEqualTo(record.get("key").asText());
        if (!value.get("shadow").asBoolean()) {
          assertThat(value.get("score").asDouble())
              .isEqualTo(decisionScores.get(value.get("eventId").asText()));
        }
      }

      List<DeadLetter> letters =
          KafkaTestCluster.decode(
              kafka.readCommitted(Topics.DEAD_LETTERS.name()),
              AvroWireDeserializer.forSpecific(SERVICES.client(), DeadLetter.class));
      assertThat(letters)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.getStage()).isEqualTo("scoring");
                assertThat(l.getErrorClass()).isEqualTo("missing-feature");
                assertThat(l.getReason()).contains("tx-broken", "f3");
              });
    }
  }

  private JobClient start(KafkaTestCluster kafka, RegistryConfig registry) throws Exception {
    CheckpointSettings checkpoints =
        new CheckpointSettings(dir.resolve("checkpoints").toUri(), Duration.ofMillis(500), 0);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(checkpoints));
    // One scoring task: once one of its predictions shows the new version, every later row gets it.
    env.setParallelism(1);
    ScoringJob.Config config =
        new ScoringJob.Config(
            new FeatureJob.KafkaInput(
                kafka.bootstrapServers(),
                registry,
                "scoring-it",
                KafkaConnectors.StartFrom.EARLIEST,
                FeatureJob.Timing.DEFAULTS,
                false),
            Topics.FEATURE_ROWS.name(),
            Topics.DEAD_LETTERS.name(),
            new ScoringWorkflow.Config(
                kafka.bootstrapServers(),
                registry,
                Topics.MODEL_REGISTRY.name(),
                Topics.PREDICTIONS.name(),
                Topics.DEAD_LETTERS.name(),
                "scoring-it",
                new ScoringSettings(
                    MODEL,
                    16,
                    Duration.ofMillis(5),
                    true,
                    0,
                    ScoringSettings.FeatureCopy.HASH,
                    1_000,
                    "customer",
                    -1)),
            checkpoints);
    return ScoringJob.start(env, config, OnnxScorer.FACTORY);
  }

  private static void awaitDecisions(KafkaTestCluster kafka, JobClient job, int atLeast) {
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the job stopped", () -> job.getJobStatus().get().isGloballyTerminalState())
        .until(() -> count(predictions(kafka), p -> !p.getShadow()) >= atLeast);
  }

  private static long count(List<Prediction> predictions, Predicate<Prediction> filter) {
    return predictions.stream().filter(filter).count();
  }

  private static List<Prediction> predictions(KafkaTestCluster kafka) {
    return KafkaTestCluster.decode(
        kafka.readCommitted(Topics.PREDICTIONS.name()),
        AvroWireDeserializer.forSpecific(SERVICES.client(), Prediction.class));
  }

  private static int index(Prediction p) {
    return Integer.parseInt(p.getEventId().substring("tx-".length()));
  }

  private static void send(
      KafkaProducer<String, FeatureRow> producer, JsonNode expected, int from, int to) {
    for (int i = from; i < to; i++) {
      FeatureRow row = row(expected, i, "tx-" + i);
      producer.send(new ProducerRecord<>(Topics.FEATURE_ROWS.name(), row.getEventId(), row));
    }
    producer.flush();
  }

  private static ModelVersion candidate(String fixture) throws Exception {
    return candidate(fixture(fixture));
  }

  private static ModelVersion candidate(byte[] onnx) throws Exception {
    return ScoringFixtures.candidate(MODEL, onnx, FEATURES);
  }
}

package dev.sluice.jobs.scoring;

import static dev.sluice.jobs.scoring.ScoringFixtures.FEATURES;
import static dev.sluice.jobs.scoring.ScoringFixtures.candidate;
import static dev.sluice.jobs.scoring.ScoringFixtures.expected;
import static dev.sluice.jobs.scoring.ScoringFixtures.fixture;
import static dev.sluice.jobs.scoring.ScoringFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.sluice.jobs.testing.JobRestarts;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.ScoringException;
import dev.sluice.operators.scoring.ScoringOperator;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad models against a running scoring job (real broker, registry log topic, schema registry, ONNX
 * Runtime, MiniCluster): corrupt and mismatched files are refused at registration with a message
 * naming the check, write nothing to the log, and the job keeps deciding with its champion, also
 * when a corrupt version reaches the log by another way and is promoted; a model that ONNX Runtime
 * fails on for some inputs only sends those rows to the dead letters, scores every other row, and
 * never restarts the job.
 */
class BadModelITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  @BeforeAll
  static void registryTopic() throws Exception {
    SERVICES.kafka().createTopic(Topics.MODEL_REGISTRY);
  }

  @Test
  void corruptAndMismatchedFilesAreRefusedAndTheChampionKeepsServing(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> flink) throws Exception {
    String model = "refused";
    Topics.Spec rowsTopic = topics(model);
    KafkaTestCluster kafka = SERVICES.kafka();
    RegistryConfig registryConfig = RegistryConfig.of(SERVICES.registry().url());
    JsonNode expected = expected();
    byte[] lr = fixture("tribuo_lr.onnx");
    ModelRegistryLog log = ModelRegistryLog.of(kafka.bootstrapServers(), registryConfig);

    try (KafkaModelRegistry registry =
            KafkaModelRegistry.open(
                log, new OnnxModelValidator(), KafkaModelRegistry.IfMissing.FAIL, "test");
        KafkaProducer<String, FeatureRow> producer =
            ScoringFixtures.producer(kafka, SERVICES.client(), registryConfig)) {
      int champion = registry.register(candidate(model, lr, FEATURES)).getVersion();
      registry.promote(model, champion, RegistryState.CHAMPION, "first");
      JobClient job = start(kafka, registryConfig, model, dir);
      send(producer, rowsTopic.name(), expected, 0, 100);
      awaitDecisions(kafka, model, job, 100);

      int logRecords = kafka.readCommitted(Topics.MODEL_REGISTRY.name()).size();
      byte[] random = new byte[4096];
      new Random(7).nextBytes(random);
      Map<String, ModelVersion> refused = new java.util.LinkedHashMap<>();
      refused.put(
          "not a loadable ONNX model (50 bytes)",
          candidate(model, Arrays.copyOf(lr, 50), FEATURES));
      refused.put("not a loadable ONNX model (4096 bytes)", candidate(model, random, FEATURES));
      refused.put(
          "signature: 4 features, but input 'input' float[-1,15] has 15 columns",
          candidate(model, fixture("tribuo_lr_15.onnx"), FEATURES));
      refused.put(
          "signature: 3 features, but input 'input' float[-1,4] has 4 columns",
          candidate(model, lr, FEATURES.subList(0, 3)));
      refused.put(
          "graph: input 'input' is int64[-1,4]; the scorer feeds float[batch, features]",
          candidate(model, fixture("int64_input.onnx"), FEATURES));
      for (Map.Entry<String, ModelVersion> r : refused.entrySet()) {
        assertThatThrownBy(() -> registry.register(r.getValue()))
            .as(r.getKey())
            .isInstanceOf(InvalidModelException.class)
            .hasMessageContaining(r.getKey());
      }
      assertThat(kafka.readCommitted(Topics.MODEL_REGISTRY.name()))
          .as("a refused model writes nothing to the registry's log")
          .hasSize(logRecords);
      assertThat(registry.read().versions(model)).hasSize(1);

      send(producer, rowsTopic.name(), expected, 100, 150);
      awaitDecisions(kafka, model, job, 150);

      // A corrupt version reaches the log anyway (a writer that does not validate, such as an
      // older client) and is promoted: the job cannot open it, and keeps deciding with v1.
      int corrupt;
      ModelVersion marker;
      try (KafkaModelRegistry careless =
          KafkaModelRegistry.open(
              log, candidate -> {}, KafkaModelRegistry.IfMissing.FAIL, "careless")) {
        corrupt = careless.register(candidate(model, Arrays.copyOf(lr, 50), FEATURES)).getVersion();
        careless.promote(model, corrupt, RegistryState.CHAMPION, "unchecked");
        // A valid challenger after it (the log is applied in order): once a shadow score shows,
        // the job has seen the corrupt champion too.
        marker = careless.register(candidate(model, fixture("skl_zipmap_int.onnx"), FEATURES));
        careless.promote(model, marker.getVersion(), RegistryState.CHALLENGER, "marker");
      }
      int next = 150;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (predictions(kafka, model).stream().noneMatch(Prediction::getShadow)) {
        assertThat(System.nanoTime()).as("the registry change never arrived").isLessThan(deadline);
        assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
        send(producer, rowsTopic.name(), expected, next, next + 5);
        next += 5;
        Thread.sleep(1_000);
      }
      int tailStart = next;
      send(producer, rowsTopic.name(), expected, tailStart, tailStart + 40);
      awaitDecisions(kafka, model, job, tailStart + 40);
      JobRestarts.Report restarts = JobRestarts.of(flink, job.getJobID());
      job.cancel().get();

      List<Prediction> all = predictions(kafka, model);
      List<Prediction> decisions = all.stream().filter(p -> !p.getShadow()).toList();
      assertThat(all.stream().filter(Prediction::getShadow))
          .as("shadow scores come from the valid challenger only")
          .isNotEmpty()
          .allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(marker.getVersion()));
      assertThat(decisions)
          .extracting(Prediction::getEventId)
          .doesNotHaveDuplicates()
          .hasSize(tailStart + 40);
      assertThat(decisions)
          .as("every decision, before and after the refusals and the corrupt promotion")
          .allSatisfy(
              p -> {
                assertThat(p.getModelVersion()).as(p.getEventId()).isEqualTo(champion);
                assertThat(p.getRole()).isEqualTo(ModelRole.CHAMPION);
                assertThat(p.getScore())
                    .isCloseTo(
                        expected.get("positive").get(index(p)).asDouble(),
                        org.assertj.core.data.Offset.offset(1e-6));
              });
      assertThat(deadLetters(kafka, model)).isEmpty();
      assertThat(restarts.numRestarts()).isZero();
      assertThat(restarts.redeployed()).isEmpty();
      System.out.printf(
          "bad models: %d refusals, corrupt v%d promoted and not served; %d decisions by v%d,"
              + " restarts %d%n",
          refused.size(), corrupt, decisions.size(), champion, restarts.numRestarts());
    }
  }

  @Test
  void aModelThatOnnxRuntimeFailsOnForSomeRowsDeadLettersOnlyThoseRows(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> flink) throws Exception {
    String model = "guarded";
    Topics.Spec rowsTopic = topics(model);
    KafkaTestCluster kafka = SERVICES.kafka();
    RegistryConfig registryConfig = RegistryConfig.of(SERVICES.registry().url());
    JsonNode expected = expected();
    float threshold = 50f;
    byte[] onnx = GuardedModels.failingAbove(threshold);
    ModelVersion candidate = candidate(model, onnx, FEATURES);

    // The model does fail inside ONNX Runtime above the threshold, and only there.
    try (OnnxScorer scorer = OnnxScorer.open(candidate)) {
      double[] score = new double[2];
      scorer.score(new float[] {1, 2, 3, 4, 49, 0, 0, 0}, 2, score);
      assertThat(score[0])
          .isCloseTo(GuardedModels.probability(new double[] {1, 2, 3, 4}), within());
      assertThatThrownBy(() -> scorer.score(new float[] {1, 2, 3, 4, 51, 0, 0, 0}, 2, score))
          .isInstanceOf(ScoringException.class)
          .hasMessageContaining("out of data bounds");
    }

    try (KafkaModelRegistry registry =
            KafkaModelRegistry.open(
                log(kafka, registryConfig),
                new OnnxModelValidator(),
                KafkaModelRegistry.IfMissing.FAIL,
                "test");
        KafkaProducer<String, FeatureRow> producer =
            ScoringFixtures.producer(kafka, SERVICES.client(), registryConfig)) {
      // Registration's smoke batch (no reference profile: a seeded N(0, 1) spread) never gets
      // near the threshold, so the model is accepted, as it would be in production: it fails only
      // on inputs far beyond anything it was checked with.
      int version = registry.register(candidate).getVersion();
      registry.promote(model, version, RegistryState.CHAMPION, "looks fine");
      JobClient job = start(kafka, registryConfig, model, dir);

      int rows = expected.get("rows").size();
      List<String> bombs = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        FeatureRow row = row(expected, i, "tx-" + i);
        producer.send(new ProducerRecord<>(rowsTopic.name(), row.getEventId(), row));
        if (i % 7 == 3) {
          // In the same micro-batches as ordinary rows: the batch fails, then row by row.
          FeatureRow bomb = row(expected, i, "bomb-" + i);
          bomb.getFeatures().put("f0", threshold + 1.0 + i);
          producer.send(new ProducerRecord<>(rowsTopic.name(), bomb.getEventId(), bomb));
          bombs.add(bomb.getEventId());
        }
      }
      producer.flush();
      awaitDecisions(kafka, model, job, rows);
      Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> deadLetters(kafka, model).size() >= bombs.size());
      Thread.sleep(1_500); // one more checkpoint: nothing else may follow
      JobRestarts.Report restarts = JobRestarts.of(flink, job.getJobID());
      job.cancel().get();

      List<Prediction> decisions = predictions(kafka, model);
      assertThat(decisions)
          .extracting(Prediction::getEventId)
          .doesNotHaveDuplicates()
          .hasSize(rows)
          .allMatch(id -> id.startsWith("tx-"));
      for (Prediction p : decisions) {
        assertThat(p.getModelVersion()).isEqualTo(version);
        assertThat(p.getScore())
            .as(p.getEventId())
            .isCloseTo(expected.get("positive").get(index(p)).asDouble(), within());
      }
      List<DeadLetter> letters = deadLetters(kafka, model);
      assertThat(letters)
          .extracting(l -> featureRow(l).getEventId())
          .containsExactlyInAnyOrderElementsOf(bombs);
      for (DeadLetter l : letters) {
        String id = featureRow(l).getEventId();
        assertThat(l.getStage()).isEqualTo(ScoringOperator.STAGE);
        assertThat(l.getErrorClass()).isEqualTo("scoring-failed");
        assertThat(l.getReason())
            .contains(model + " v" + version + " failed on " + id, "Gather", "out of data bounds");
        assertThat(featureRow(l).getFeatures().get("f0")).isGreaterThan(threshold);
      }
      assertThat(restarts.numRestarts()).isZero();
      assertThat(restarts.redeployed()).isEmpty();
      System.out.printf(
          "failing model: %d rows scored, %d dead-lettered as scoring-failed, restarts %d%n",
          decisions.size(), letters.size(), restarts.numRestarts());
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }

  private static Topics.Spec topics(String model) throws Exception {
    Topics.Spec rows = new Topics.Spec(model + "-feature-rows", 2, Duration.ofDays(7), "test");
    for (Topics.Spec spec :
        List.of(
            rows,
            new Topics.Spec(model + "-predictions", 2, Duration.ofDays(7), "test"),
            new Topics.Spec(model + "-dead-letters", 1, Duration.ofDays(7), "test"))) {
      SERVICES.kafka().createTopic(spec);
    }
    return rows;
  }

  private static ModelRegistryLog log(KafkaTestCluster kafka, RegistryConfig registry) {
    return ModelRegistryLog.of(kafka.bootstrapServers(), registry);
  }

  private static JobClient start(
      KafkaTestCluster kafka, RegistryConfig registry, String model, Path dir) throws Exception {
    // Restarts allowed: a failure would show as a restart below, not as a failed job.
    CheckpointSettings checkpoints =
        new CheckpointSettings(dir.resolve("checkpoints").toUri(), Duration.ofMillis(500), 3);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(checkpoints));
    env.setParallelism(1);
    ScoringJob.Config config =
        new ScoringJob.Config(
            new FeatureJob.KafkaInput(
                kafka.bootstrapServers(),
                registry,
                model + "-scoring",
                KafkaConnectors.StartFrom.EARLIEST,
                FeatureJob.Timing.DEFAULTS,
                false),
            model + "-feature-rows",
            model + "-dead-letters",
            new ScoringWorkflow.Config(
                kafka.bootstrapServers(),
                registry,
                Topics.MODEL_REGISTRY.name(),
                model + "-predictions",
                model + "-dead-letters",
                model + "-scoring",
                new ScoringSettings(
                    model,
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

  private static void awaitDecisions(
      KafkaTestCluster kafka, String model, JobClient job, int atLeast) {
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the job stopped", () -> job.getJobStatus().get().isGloballyTerminalState())
        .until(() -> count(predictions(kafka, model), p -> !p.getShadow()) >= atLeast);
  }

  private static long count(List<Prediction> predictions, Predicate<Prediction> filter) {
    return predictions.stream().filter(filter).count();
  }

  private static List<Prediction> predictions(KafkaTestCluster kafka, String model) {
    return KafkaTestCluster.decode(
        kafka.readCommitted(model + "-predictions"),
        AvroWireDeserializer.forSpecific(SERVICES.client(), Prediction.class));
  }

  private static List<DeadLetter> deadLetters(KafkaTestCluster kafka, String model) {
    return KafkaTestCluster.decode(
        kafka.readCommitted(model + "-dead-letters"),
        AvroWireDeserializer.forSpecific(SERVICES.client(), DeadLetter.class));
  }

  /** The row a scoring dead letter carries (Avro binary, as its header says). */
  private static FeatureRow featureRow(DeadLetter letter) {
    ByteBuffer header = letter.getHeaders().get(ScoringOperator.VALUE_FORMAT_HEADER);
    assertThat(header).as("header " + ScoringOperator.VALUE_FORMAT_HEADER).isNotNull();
    assertThat(StandardCharsets.UTF_8.decode(header.duplicate()).toString())
        .endsWith(FeatureRow.class.getName());
    ByteBuffer value = letter.getValue().duplicate();
    byte[] bytes = new byte[value.remaining()];
    value.get(bytes);
    try {
      return new SpecificDatumReader<>(FeatureRow.class)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (java.io.IOException e) {
      throw new AssertionError("dead letter value is not a FeatureRow", e);
    }
  }

  private static int index(Prediction p) {
    return Integer.parseInt(p.getEventId().substring("tx-".length()));
  }

  private static void send(
      KafkaProducer<String, FeatureRow> producer,
      String topic,
      JsonNode expected,
      int from,
      int to) {
    for (int i = from; i < to; i++) {
      FeatureRow row = row(expected, i, "tx-" + i);
      producer.send(new ProducerRecord<>(topic, row.getEventId(), row));
    }
    producer.flush();
  }
}

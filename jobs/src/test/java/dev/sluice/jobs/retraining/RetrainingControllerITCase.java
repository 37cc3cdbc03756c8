package dev.sluice.jobs.retraining;

import static dev.sluice.jobs.retraining.LoopFixtures.alert;
import static dev.sluice.jobs.retraining.LoopFixtures.metrics;
import static dev.sluice.jobs.retraining.LoopFixtures.request;
import static dev.sluice.state.models.ModelFixtures.FRAUD;
import static dev.sluice.state.models.ModelFixtures.candidate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.AlertState;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelValidator;
import dev.sluice.state.models.RegistryState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The controller against a real broker and registry: an alert with retrain=true starts a run, the
 * run's model becomes challenger in the model registry, live shadow metrics promote it, and a
 * restarted controller picks up the watch from the retraining topic and rolls the promotion back
 * when the new champion falls behind. The run itself is replaced by a function that registers a
 * model (training is tested in {@link RetrainingRunITCase}).
 */
class RetrainingControllerITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static final RetrainingPolicy POLICY =
      RetrainingPolicy.DEFAULTS.toBuilder()
          .minLabelledRows(1_000)
          .liveMinLabelled(1_000)
          .liveMinPositives(10)
          .build();

  private String prefix;
  private RetrainingController.Topics topics;
  private ModelRegistryLog registryLog;
  private final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void topicsAndModels(TestInfo test) throws Exception {
    prefix = "loop-" + test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    topics =
        new RetrainingController.Topics(
            prefix + "-alerts", prefix + "-metrics", prefix + "-retraining");
    KafkaTestCluster kafka = SERVICES.kafka();
    kafka.createTopic(topics.alerts(), 1);
    kafka.createTopic(topics.metrics(), 1);
    kafka.createTopic(topics.retraining(), 1);
    registryLog =
        new ModelRegistryLog(
            kafka.bootstrapServers(),
            RegistryConfig.of(SERVICES.registry().url()),
            prefix + "-models");
    try (KafkaModelRegistry registry = registry()) {
      registry.register(candidate(FRAUD, "v1"));
      registry.promote(FRAUD, 1, RegistryState.CHAMPION, "first");
    }
  }

  private KafkaModelRegistry registry() throws Exception {
    return KafkaModelRegistry.open(registryLog, ModelValidator.ACCEPT_ALL);
  }

  private RetrainingController controller(KafkaModelRegistry aliases, AtomicInteger runs) {
    return new RetrainingController(
        SERVICES.kafka().bootstrapServers(),
        RegistryConfig.of(SERVICES.registry().url()),
        topics,
        FRAUD,
        POLICY,
        aliases,
        spec -> {
          runs.incrementAndGet();
          try (KafkaModelRegistry r = registry()) {
            int version = r.register(candidate(FRAUD, "retrained by " + spec.runId())).getVersion();
            return new RunResult.Succeeded(
                spec.runId(),
                version,
                Map.of("auc_roc", 0.93),
                Map.of("auc_roc", 0.61),
                Map.of("train_rows", "12000"));
          } catch (Exception e) {
            return new RunResult.Failed(spec.runId(), e.toString(), Map.of());
          }
        },
        RetrainingController.StartFrom.EARLIEST,
        log::add);
  }

  @Test
  void alarmRetrainsShadowScoresPromotesAndARestartedControllerRollsBack() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (KafkaModelRegistry aliases = registry()) {
      RetrainingController first = controller(aliases, runs);
      first.start();
      List<SpecificRecord> history = new ArrayList<>();
      for (int d = 0; d < 20; d++) {
        history.add(metrics(1, false, d, 1_900, 40, 0.90));
      }
      send(topics.metrics(), history);
      send(topics.alerts(), List.of(alert(20, 1, true, AlertState.FIRING)));

      List<RetrainingEvent> events =
          awaitEvents(
              RetrainingEventType.STARTED,
              RetrainingEventType.SUCCEEDED,
              RetrainingEventType.CHALLENGER);
      RetrainingEvent challenger = events.get(2);
      int v2 = challenger.getVersion();
      assertThat(v2).isEqualTo(2);
      assertThat(events.get(0).getTriggerDetail()).contains("error-rate-rise");
      assertThat(events.get(1).getMetrics())
          .containsEntry("holdout.auc_roc", 0.93)
          .containsEntry("champion.holdout.auc_roc", 0.61);
      assertThat(aliases.read().resolve(FRAUD, RegistryState.CHALLENGER).orElseThrow().getVersion())
          .isEqualTo(v2);
      assertThat(aliases.read().resolve(FRAUD, RegistryState.CHAMPION).orElseThrow().getVersion())
          .isEqualTo(1);

      // The challenger (shadow) beats the champion (decisions) on the first day it scored whole.
      send(
          topics.metrics(),
          List.of(metrics(1, false, 22, 1_200, 20, 0.62), metrics(v2, true, 22, 1_200, 20, 0.91)));
      awaitEvents(
          RetrainingEventType.STARTED,
          RetrainingEventType.SUCCEEDED,
          RetrainingEventType.CHALLENGER,
          RetrainingEventType.PROMOTED);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  aliases.read().resolve(FRAUD, RegistryState.CHAMPION).orElseThrow().getVersion()
                      == v2);
      assertThat(aliases.read().resolve(FRAUD, RegistryState.CHALLENGER).orElseThrow().getVersion())
          .isEqualTo(1);
      first.close();
      assertThat(runs).hasValue(1);

      // A new controller restores the watch from the retraining topic and rolls back.
      RetrainingController second = controller(aliases, runs);
      second.start();
      send(
          topics.metrics(),
          List.of(metrics(v2, false, 24, 1_200, 20, 0.70), metrics(1, true, 24, 1_200, 20, 0.88)));
      List<RetrainingEvent> after =
          awaitEvents(
              RetrainingEventType.STARTED,
              RetrainingEventType.SUCCEEDED,
              RetrainingEventType.CHALLENGER,
              RetrainingEventType.PROMOTED,
              RetrainingEventType.ROLLED_BACK);
      assertThat(after.get(4).getReason()).contains("rollback").contains("v1 is champion again");
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  aliases.read().resolve(FRAUD, RegistryState.CHAMPION).orElseThrow().getVersion()
                      == 1);
      assertThat(aliases.read().resolve(FRAUD, RegistryState.CHALLENGER)).isEmpty();
      second.close();
      assertThat(second.failure()).isEmpty();
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void aRequestFromTheCommandLineStartsARunAndIsNotTakenUpTwice() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (KafkaModelRegistry aliases = registry()) {
      RetrainingController c = controller(aliases, runs);
      c.start();
      List<SpecificRecord> history = new ArrayList<>();
      for (int d = 0; d < 20; d++) {
        history.add(metrics(1, false, d, 1_900, 40, 0.90));
      }
      send(topics.metrics(), history);
      // The request comes on another topic: let the metrics set the controller's clock first.
      Thread.sleep(3_000);
      send(topics.retraining(), List.of(request("request-1")));
      List<RetrainingEvent> events =
          awaitEvents(
              RetrainingEventType.REQUESTED,
              RetrainingEventType.STARTED,
              RetrainingEventType.SUCCEEDED,
              RetrainingEventType.CHALLENGER);
      assertThat(events.get(1).getDetails()).containsEntry("request", "request-1");
      c.close();
      // Restarted: the handled request does not start another run.
      RetrainingController again = controller(aliases, runs);
      again.start();
      Thread.sleep(3_000);
      again.close();
      assertThat(runs).hasValue(1);
      assertThat(readEvents()).hasSize(4);
    }
  }

  private List<RetrainingEvent> awaitEvents(RetrainingEventType... expected) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(readEvents().stream().map(RetrainingEvent::getType).toList())
                    .as("events; controller log: %s", log)
                    .containsExactly(expected));
    return readEvents();
  }

  private List<RetrainingEvent> readEvents() {
    return KafkaTestCluster.decode(
        SERVICES.kafka().readCommitted(topics.retraining()),
        AvroWireDeserializer.forSpecific(SERVICES.client(), RetrainingEvent.class));
  }

  private void send(String topic, List<? extends SpecificRecord> records) throws Exception {
    AvroWireSerializer<org.apache.avro.generic.GenericContainer> serializer =
        new AvroWireSerializer<>(
            SERVICES.client(), RegistryConfig.of(SERVICES.registry().url()), false);
    try (KafkaProducer<byte[], byte[]> producer = SERVICES.kafka().rawProducer()) {
      for (SpecificRecord r : records) {
        producer.send(new ProducerRecord<>(topic, serializer.serialize(topic, r))).get();
      }
    }
  }
}

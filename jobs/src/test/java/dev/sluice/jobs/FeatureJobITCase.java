package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.jobs.testing.ViewRowAssertions;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.DtRange;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreReader;
import dev.sluice.state.online.FeatureVector;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.online.RedisSettings;
import dev.sluice.state.testing.FlinkTestCluster;
import dev.sluice.state.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming feature job against a real broker, registry and Redis, then the backfill over the
 * same history (from the streaming job's raw archive, the simulator's files and the topics): the
 * offline stores hold identical rows, one per transaction and view; the online store holds each
 * entity's latest row; the feature-rows topic holds one row per transaction; the archive holds the
 * inputs.
 */
class FeatureJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void streamingAndBackfillWriteIdenticalRowsAndRedisHoldsTheLatest(@TempDir Path dir)
      throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    for (Topics.Spec topic :
        List.of(
            Topics.VALID_TRANSACTIONS,
            Topics.VALID_LABELS,
            Topics.FEATURE_ROWS,
            Topics.DEAD_LETTERS)) {
      kafka.createTopic(topic);
    }
    RegistryConfig registry = RegistryConfig.of(SERVICES.registry().url());
    SimulatorConfig small =
        SimulatorConfig.builder().customers(40).terminals(200).radius(10).days(40).seed(3).build();
    // What ingest would have accepted, on its output topics; and the same history as files.
    try (KafkaEventSink sink =
        new KafkaEventSink(
            kafka.bootstrapServers(),
            registry,
            "valid-transactions",
            "valid-labels",
            Duration.ofSeconds(10))) {
      SimulationRunner.runAll(new Simulation(small), sink);
    }
    Path files = dir.resolve("files");
    try (AvroFilesSink sink = new AvroFilesSink(files, "test")) {
      SimulationRunner.runAll(new Simulation(small), sink);
    }
    List<Transaction> transactions = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    Simulation replay = new Simulation(small);
    while (replay.hasNext()) {
      SimulatedEvent e = replay.next();
      if (e instanceof SimulatedEvent.TransactionEvent tx) {
        transactions.add(tx.transaction());
      } else if (e instanceof SimulatedEvent.LabelEvent label) {
        labels.add(label.label());
      }
    }

    String streamingStore = dir.resolve("streaming").toUri().toString();
    FeatureJob.Config config =
        new FeatureJob.Config(
            kafka.bootstrapServers(),
            registry,
            "valid-transactions",
            "valid-labels",
            "feature-rows",
            "dead-letters",
            "it-features",
            KafkaConnectors.StartFrom.EARLIEST,
            FeatureJob.Timing.DEFAULTS,
            TerminalRisk.AS_KNOWN,
            redis.settings(),
            streamingStore,
            true,
            true,
            new CheckpointSettings(dir.resolve("checkpoints").toUri(), Duration.ofSeconds(1), 0));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(config.checkpoints()));
    env.setParallelism(2);
    JobClient job = FeatureJob.start(env, config);
    job.getJobExecutionResult().get(4, TimeUnit.MINUTES);

    String fromArchive = dir.resolve("backfill-archive").toUri().toString();
    String fromFiles = dir.resolve("backfill-files").toUri().toString();
    backfill(BackfillJob.From.ARCHIVE, streamingStore, fromArchive, config.checkpoints());
    backfill(BackfillJob.From.FILES, files.toString(), fromFiles, config.checkpoints());
    String fromKafka = dir.resolve("backfill-kafka").toUri().toString();
    backfill(BackfillJob.From.KAFKA, null, fromKafka, config.checkpoints());

    FeatureSet<Transaction> set = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
    for (ViewSchema schema : set.schemas()) {
      List<ViewRow> streamed = rows(streamingStore, schema);
      assertThat(streamed).as(schema.view()).hasSize(transactions.size());
      assertSame(rows(fromArchive, schema), streamed);
      assertSame(rows(fromFiles, schema), streamed);
      assertSame(rows(fromKafka, schema), streamed);
    }

    // The archive holds exactly the inputs.
    OfflineStoreReader archive = new OfflineStoreReader(new OfflineStoreLayout(streamingStore));
    assertThat(archive.readRaw(OfflineStoreLayout.TRANSACTIONS, Transaction.class, DtRange.ALL))
        .containsExactlyInAnyOrderElementsOf(transactions);
    assertThat(archive.readRaw(OfflineStoreLayout.LABELS, Label.class, DtRange.ALL))
        .containsExactlyInAnyOrderElementsOf(labels);

    // One feature row per transaction on the topic, as of that transaction.
    List<FeatureRow> featureRows =
        KafkaTestCluster.decode(
            kafka.readCommitted("feature-rows"),
            AvroWireDeserializer.forSpecific(SERVICES.client(), FeatureRow.class));
    assertThat(featureRows).hasSize(transactions.size());
    assertThat(featureRows.get(0).getFeatures()).hasSize(15);
    // A replay in order drops nothing as late and leaves no row incomplete.
    assertThat(kafka.readCommitted("dead-letters")).isEmpty();

    // Redis holds each entity's latest row; so does a backfill that materializes into Redis.
    assertRedisHoldsLatest(redis.settings(), streamingStore, set);
    RedisSettings backfillRedis = redis.settings().withKeyPrefix("backfill");
    backfill(
        BackfillJob.From.ARCHIVE,
        streamingStore,
        dir.resolve("backfill-redis").toUri().toString(),
        config.checkpoints(),
        backfillRedis);
    assertRedisHoldsLatest(backfillRedis, streamingStore, set);
  }

  /**
   * Redis goes away mid-run for longer than the sink's retry budget: the task fails, Flink restores
   * from the last checkpoint and, once Redis is back, the job finishes with every sink exactly as
   * if nothing had happened: one row per transaction and view in Parquet, one feature row per
   * transaction in Kafka, the latest values in Redis.
   */
  @Test
  void aRedisOutageFailsTheTaskAndTheRestoredJobLosesAndDuplicatesNothing(@TempDir Path dir)
      throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    for (String topic :
        List.of("failover-transactions", "failover-labels", "failover-feature-rows")) {
      kafka.createTopic(new Topics.Spec(topic, 4, Duration.ofDays(7), "failover test"));
    }
    kafka.createTopic(new Topics.Spec("failover-dead-letters", 1, Duration.ofDays(7), "test"));
    RegistryConfig registry = RegistryConfig.of(SERVICES.registry().url());
    SimulatorConfig history =
        SimulatorConfig.builder().customers(100).terminals(300).radius(10).days(60).seed(4).build();
    try (KafkaEventSink sink =
        new KafkaEventSink(
            kafka.bootstrapServers(),
            registry,
            "failover-transactions",
            "failover-labels",
            Duration.ofSeconds(10))) {
      SimulationRunner.runAll(new Simulation(history), sink);
    }
    Path files = dir.resolve("files");
    try (AvroFilesSink sink = new AvroFilesSink(files, "test")) {
      SimulationRunner.runAll(new Simulation(history), sink);
    }
    long transactions = countTransactions(history);

    // With persistence, as in production: an outage, not a Redis that comes back empty.
    try (RedisServer flaky =
        RedisServer.start(List.of("--appendonly", "yes", "--appendfsync", "always"))) {
      RedisSettings settings =
          flaky.settings().withRetries(1, Duration.ofMillis(100), Duration.ofMillis(100));
      String store = dir.resolve("streaming").toUri().toString();
      FeatureJob.Config config =
          new FeatureJob.Config(
              kafka.bootstrapServers(),
              registry,
              "failover-transactions",
              "failover-labels",
              "failover-feature-rows",
              "failover-dead-letters",
              "it-failover",
              KafkaConnectors.StartFrom.EARLIEST,
              FeatureJob.Timing.DEFAULTS,
              TerminalRisk.AS_KNOWN,
              settings,
              store,
              false,
              true,
              new CheckpointSettings(
                  dir.resolve("checkpoints").toUri(), Duration.ofMillis(500), 10));
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              FlinkEnvironments.configuration(config.checkpoints()));
      env.setParallelism(2);
      JobClient job = FeatureJob.start(env, config);

      // After the first checkpoint (its files are finished), take Redis away until Flink restarts.
      OfflineStoreReader reader = new OfflineStoreReader(new OfflineStoreLayout(store));
      Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !reader.viewFiles("customer_spending", DtRange.ALL).isEmpty());
      flaky.stop();
      Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> job.getJobStatus().get() == JobStatus.RESTARTING);
      flaky.startAgain();
      job.getJobExecutionResult().get(4, TimeUnit.MINUTES);

      String expected = dir.resolve("backfill").toUri().toString();
      backfill(BackfillJob.From.FILES, files.toString(), expected, config.checkpoints());
      FeatureSet<Transaction> set = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
      for (ViewSchema schema : set.schemas()) {
        List<ViewRow> streamed = rows(store, schema);
        assertThat(streamed).as(schema.view()).hasSize((int) transactions);
        assertSame(streamed, rows(expected, schema));
      }
      List<FeatureRow> featureRows =
          KafkaTestCluster.decode(
              kafka.readCommitted("failover-feature-rows"),
              AvroWireDeserializer.forSpecific(SERVICES.client(), FeatureRow.class));
      assertThat(featureRows.stream().map(FeatureRow::getEventId).distinct().count())
          .isEqualTo(transactions);
      assertThat(featureRows).hasSize((int) transactions);
      assertRedisHoldsLatest(settings, store, set);
    }
  }

  private static long countTransactions(SimulatorConfig config) {
    Simulation simulation = new Simulation(config);
    long n = 0;
    while (simulation.hasNext()) {
      if (simulation.next() instanceof SimulatedEvent.TransactionEvent) {
        n++;
      }
    }
    return n;
  }

  private static void assertRedisHoldsLatest(
      RedisSettings settings, String offlineStore, FeatureSet<Transaction> set) throws Exception {
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
      for (ViewSchema schema : set.onlineSchemas()) {
        Map<String, ViewRow> latest = new HashMap<>();
        for (ViewRow row : rows(offlineStore, schema)) {
          latest.merge(
              row.entityId,
              row,
              (a, b) ->
                  Comparator.<ViewRow>comparingLong(r -> r.eventTime)
                              .thenComparing(r -> r.eventId)
                              .compare(a, b)
                          >= 0
                      ? a
                      : b);
        }
        assertThat(latest).hasSizeGreaterThan(10);
        for (ViewRow row : latest.values()) {
          FeatureVector v = store.read(schema, row.entityId, Instant.ofEpochMilli(row.eventTime));
          assertThat(v.status()).as("%s", row).isEqualTo(FeatureVector.Status.PRESENT);
          assertThat(v.eventTime()).contains(Instant.ofEpochMilli(row.eventTime));
          assertThat(v.values(Double.NaN)).as("%s", row).containsExactly(row.values);
        }
      }
    }
  }

  private void backfill(
      BackfillJob.From from, String input, String output, CheckpointSettings checkpoints)
      throws Exception {
    backfill(from, input, output, checkpoints, null);
  }

  private void backfill(
      BackfillJob.From from,
      String input,
      String output,
      CheckpointSettings checkpoints,
      RedisSettings redisSettings)
      throws Exception {
    // BATCH execution takes no checkpoints; the settings are only required by the configuration.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(checkpoints));
    env.setParallelism(2);
    BackfillJob.run(
        env,
        new BackfillJob.Config(
            from,
            input,
            SERVICES.kafka().bootstrapServers(),
            RegistryConfig.of(SERVICES.registry().url()),
            "valid-transactions",
            "valid-labels",
            output,
            TerminalRisk.AS_KNOWN,
            redisSettings));
  }

  private static List<ViewRow> rows(String store, ViewSchema schema) throws Exception {
    return new OfflineStoreReader(new OfflineStoreLayout(store)).readViewRows(schema, DtRange.ALL);
  }

  private static void assertSame(List<ViewRow> actual, List<ViewRow> expected) {
    ViewRowAssertions.assertSameViewRows(actual, expected);
  }
}

package dev.sluice.cli.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.schemas.testing.RegistryProcess;
import dev.sluice.schemas.testing.TestRecords;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Flink standalone session cluster (a JobManager and a TaskManager, each its own JVM, lib/
 * from Maven) running the shaded job jar as {@code sluice cluster submit} sends it, against a real
 * broker and registry; then the upgrade path: stop with a savepoint, start a changed version from
 * it, and prove that the state came along.
 *
 * <p>Proof of restored state: ingest remembers accepted transaction ids (keyed state, uid {@code
 * transactions-validator}). Ids sent before the savepoint and again after it are dead-lettered as
 * {@code duplicate-id} by the new job only if that state was restored; a job started without it
 * would accept them again. Output is read with read_committed and counted exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  @TempDir static Path var;
  private static FlinkCluster cluster;
  private static double startSeconds;

  private static final int BEFORE = 50;
  private static final int REPEATED = 10;
  private static final int AFTER = 30;

  @BeforeAll
  static void startCluster() throws Exception {
    Path root = Path.of(System.getProperty("sluice.root"));
    Layout layout = Layout.of(root, var);
    FlinkCluster.Settings settings =
        new FlinkCluster.Settings(RegistryProcess.freePort(), RegistryProcess.freePort(), 1, 4);
    cluster = clusterWithSharedLib(layout, root, settings);
    startSeconds = cluster.up();
  }

  /**
   * lib/ is assembled once per checkout ({@code jobs/target/flink-lib}) from the Maven repository
   * the test runs from (offline when everything is there, from Maven Central otherwise).
   */
  private static FlinkCluster clusterWithSharedLib(
      Layout layout, Path root, FlinkCluster.Settings settings) throws Exception {
    Path lib = root.resolve("jobs/target/flink-lib");
    // .../repository/org/apache/flink/flink-runtime/2.2.0/flink-runtime-2.2.0.jar
    Path runtimeJar =
        Path.of(
            org.apache.flink.runtime.entrypoint.ClusterEntrypoint.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    String repo =
        "-Dmaven.repo.local="
            + runtimeJar.getParent().getParent().getParent().getParent().getParent().getParent();
    FlinkCluster offline =
        new FlinkCluster(layout, settings, lib, List.of("-o", repo), Console.silent());
    try {
      offline.prepare();
      return new FlinkCluster(layout, settings, lib, List.of(repo), new Console(System.out));
    } catch (IllegalStateException e) {
      FlinkCluster online =
          new FlinkCluster(layout, settings, lib, List.of(repo), new Console(System.out));
      online.prepare();
      return online;
    }
  }

  /**
   * A topic as the platform creates them: broker append time, so records carrying 2018 event times
   * as their timestamps are not deleted by the 7-day retention while the test runs (with create
   * time the first version's output vanished in one run, most likely to a retention check).
   */
  private static dev.sluice.jobs.Topics.Spec spec(String name, int partitions) {
    return new dev.sluice.jobs.Topics.Spec(
        name, partitions, java.time.Duration.ofDays(7), "FlinkClusterITCase");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.down();
      assertThat(cluster.jobManager()).isEmpty();
      assertThat(cluster.taskManagerPids()).isEmpty();
    }
  }

  @Test
  @Order(1)
  void theJobStoppedWithASavepointContinuesInItsNextVersionWithItsState() throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    for (String topic : List.of("transactions", "labels")) {
      kafka.createTopic(spec(topic, 2));
    }
    for (String topic : List.of("valid-transactions", "valid-labels", "dead-letters")) {
      kafka.createTopic(spec(topic, 1));
    }
    FlinkRestClient rest = cluster.rest();
    assertThat(rest.overview().taskManagers()).isEqualTo(1);
    assertThat(rest.overview().slotsTotal()).isEqualTo(4);
    Path jar = Path.of(System.getProperty("sluice.root"), "jobs/target/sluice-jobs.jar");
    assertThat(jar).as("the shaded jar (built by 'package', before integration tests)").exists();

    send(range(0, BEFORE));
    long t0 = System.nanoTime();
    String jarId = rest.uploadJar(jar);
    long t1 = System.nanoTime();
    String first = rest.run(jarId, FlinkRestClient.RunRequest.of(ingestArgs("1000000.00")));
    long t2 = System.nanoTime();
    awaitCommitted(rest, first, "valid-transactions", BEFORE);

    long t3 = System.nanoTime();
    String savepoint = rest.stopWithSavepoint(first, null, Duration.ofMinutes(2));
    long t4 = System.nanoTime();
    assertThat(rest.job(first).state()).isEqualTo("FINISHED");
    Path savepointDir = Path.of(java.net.URI.create(savepoint));
    assertThat(savepointDir).startsWith(cluster.savepointDir());
    assertThat(savepointDir.resolve("_metadata")).exists();

    // The "new version": a stricter --max-amount (configuration, not state); the same ids again
    // (must be refused as duplicates), new ids, and one amount the new version refuses.
    List<Transaction> again = range(0, REPEATED);
    List<Transaction> fresh = range(BEFORE, BEFORE + AFTER);
    Transaction expensive = TestRecords.transaction(BEFORE + AFTER);
    expensive.setAmount(new BigDecimal("5000.00"));
    List<Transaction> second = new ArrayList<>(again);
    second.addAll(fresh);
    second.add(expensive);
    send(second);

    long t5 = System.nanoTime();
    // The job's own --from-savepoint (execution.state-recovery.path set by the program in SUBMIT
    // mode); the platform test below restores through the REST request's savepointPath instead.
    List<String> nextArgs = new ArrayList<>(ingestArgs("1000.00"));
    nextArgs.addAll(List.of("--from-savepoint", savepoint));
    String next = rest.run(jarId, FlinkRestClient.RunRequest.of(nextArgs));
    long t6 = System.nanoTime();
    List<Transaction> valid = awaitCommitted(rest, next, "valid-transactions", BEFORE + AFTER);
    long t7 = System.nanoTime();
    List<DeadLetter> dead =
        awaitDecoded(rest, next, "dead-letters", REPEATED + 1, DeadLetter.class);

    // Exactly once across the stop: every id once, none of the repeated ones twice.
    assertThat(valid).extracting(Transaction::getTransactionId).doesNotHaveDuplicates();
    assertThat(valid)
        .extracting(Transaction::getTransactionId)
        .containsExactlyInAnyOrderElementsOf(
            ids(Stream.concat(range(0, BEFORE).stream(), fresh.stream()).toList()));
    Map<String, List<String>> byReason =
        dead.stream()
            .collect(
                Collectors.groupingBy(
                    DeadLetter::getErrorClass,
                    Collectors.mapping(FlinkClusterITCase::transactionIdOf, Collectors.toList())));
    assertThat(byReason.keySet()).containsExactlyInAnyOrder("duplicate-id", "amount-range");
    assertThat(byReason.get("duplicate-id"))
        .as("ids accepted before the savepoint are remembered by the restored job")
        .containsExactlyInAnyOrderElementsOf(ids(again));
    assertThat(byReason.get("amount-range")).containsExactly(expensive.getTransactionId());
    assertThat(rest.checkpoints(next).restored())
        .as("Flink counts the savepoint as restored")
        .isEqualTo(1);
    assertThat(rest.restarts(next)).isZero();
    assertThat(rest.exceptions(next)).isEmpty();

    rest.cancel(next);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rest.job(next).state().equals("CANCELED"));
    rest.deleteJar(jarId);

    System.out.printf(
        "FlinkClusterITCase figures: cluster up %.1f s; upload %.1f s (%d MB); run %.1f s;"
            + " first output committed %.1f s after run; stop-with-savepoint %.1f s;"
            + " savepoint %d KB (%d files); restore run %.1f s, first restored output %.1f s after"
            + " run%n",
        startSeconds,
        (t1 - t0) / 1e9,
        Files.size(jar) >> 20,
        (t2 - t1) / 1e9,
        (t3 - t2) / 1e9,
        (t4 - t3) / 1e9,
        size(savepointDir) >> 10,
        files(savepointDir),
        (t6 - t5) / 1e9,
        (t7 - t6) / 1e9);
  }

  /**
   * The whole platform (ingest, features, scoring, monitoring) as one job on the cluster, from the
   * same jar and the same arguments as in LOCAL mode; stopped with a savepoint and started again
   * from it: every stateful operator finds its state (no --allow-non-restored-state), and the
   * feature rows continue exactly once.
   */
  @Test
  @Order(2)
  void thePlatformJobRunsOnTheClusterAndRestoresFromItsOwnSavepoint() throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    for (String topic :
        List.of("p-transactions", "p-labels", "p-valid-transactions", "p-valid-labels")) {
      kafka.createTopic(spec(topic, 2));
    }
    for (String topic :
        List.of(
            "p-feature-rows",
            "p-dead-letters",
            "p-predictions",
            "p-metrics",
            "p-drift",
            "p-alerts")) {
      kafka.createTopic(spec(topic, 1));
    }
    kafka.createTopic(dev.sluice.jobs.Topics.MODEL_REGISTRY);
    FlinkRestClient rest = cluster.rest();
    Path jar = Path.of(System.getProperty("sluice.root"), "jobs/target/sluice-jobs.jar");
    String jarId = rest.uploadJar(jar);
    sendTo("p-transactions", range(1000, 1100));

    String first = rest.run(jarId, FlinkRestClient.RunRequest.of(platformArgs()));
    List<dev.sluice.avro.FeatureRow> before =
        awaitAtLeast(rest, first, "p-feature-rows", 50, dev.sluice.avro.FeatureRow.class);
    long t0 = System.nanoTime();
    String savepoint = rest.stopWithSavepoint(first, null, Duration.ofMinutes(2));
    long t1 = System.nanoTime();
    List<dev.sluice.avro.FeatureRow> atStop =
        KafkaTestCluster.decode(
            kafka.readCommitted("p-feature-rows"),
            AvroWireDeserializer.forSpecific(SERVICES.client(), dev.sluice.avro.FeatureRow.class));
    assertThat(atStop.size()).isGreaterThanOrEqualTo(before.size());

    sendTo("p-transactions", range(1100, 1200));
    String next =
        rest.run(
            jarId, FlinkRestClient.RunRequest.of(platformArgs()).fromSavepoint(savepoint, false));
    List<dev.sluice.avro.FeatureRow> after =
        awaitAtLeast(
            rest, next, "p-feature-rows", atStop.size() + 50, dev.sluice.avro.FeatureRow.class);
    assertThat(after)
        .as("feature rows across the stop: each transaction's row once")
        .extracting(r -> r.getEventId())
        .doesNotHaveDuplicates();
    assertThat(rest.checkpoints(next).restored()).isEqualTo(1);
    assertThat(rest.restarts(next)).isZero();
    assertThat(rest.exceptions(next)).isEmpty();
    rest.cancel(next);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rest.job(next).state().equals("CANCELED"));
    rest.deleteJar(jarId);
    Path savepointDir = Path.of(java.net.URI.create(savepoint));
    System.out.printf(
        "FlinkClusterITCase figures: platform job stop-with-savepoint %.1f s, savepoint %d KB (%d"
            + " files), %d feature rows before the stop, %d after%n",
        (t1 - t0) / 1e9,
        size(savepointDir) >> 10,
        files(savepointDir),
        atStop.size(),
        after.size());
  }

  private static List<String> platformArgs() {
    return List.of(
        "job",
        "platform",
        "--model",
        "fraud",
        "--mode",
        "SUBMIT",
        "--bootstrap-servers",
        SERVICES.kafka().bootstrapServers(),
        "--registry-url",
        SERVICES.registry().url(),
        "--group-id",
        "cluster-it-platform",
        "--transactions-topic",
        "p-transactions",
        "--labels-topic",
        "p-labels",
        "--valid-transactions-topic",
        "p-valid-transactions",
        "--valid-labels-topic",
        "p-valid-labels",
        "--feature-rows-topic",
        "p-feature-rows",
        "--dead-letter-topic",
        "p-dead-letters",
        "--predictions-topic",
        "p-predictions",
        "--metrics-topic",
        "p-metrics",
        "--drift-topic",
        "p-drift",
        "--alerts-topic",
        "p-alerts",
        "--no-online-store",
        "--offline-store",
        var.resolve("offline").toUri().toString(),
        "--checkpoint-dir",
        var.resolve("checkpoints").toUri().toString(),
        "--checkpoint-interval",
        "1s",
        "--max-restarts",
        "0",
        "--idle-timeout",
        "2s");
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> awaitAtLeast(
      FlinkRestClient rest, String jobId, String topic, int count, Class<T> type) {
    KafkaTestCluster kafka = SERVICES.kafka();
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .failFast(
            "the job stopped",
            () -> {
              FlinkRestClient.JobSummary job = rest.job(jobId);
              if (job.isTerminal()) {
                throw new AssertionError(
                    "job " + jobId + " is " + job.state() + ": " + rest.exceptions(jobId));
              }
              return false;
            })
        .until(() -> kafka.readCommitted(topic).size() >= count);
    return KafkaTestCluster.decode(
        kafka.readCommitted(topic), AvroWireDeserializer.forSpecific(SERVICES.client(), type));
  }

  @Test
  @Order(3)
  void aTaskManagerKilledWithSignal9CanBeStartedAgain() throws Exception {
    FlinkRestClient rest = cluster.rest();
    String oldId = rest.taskManagers().get(0).id();
    long before = cluster.taskManagerPids().get(1);
    cluster.killTaskManager(1);
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(cluster.taskManager(1)).isEmpty();
    assertThat(cluster.taskManagerPids()).isEmpty();

    long started = System.nanoTime();
    long after = cluster.startTaskManager(1);
    assertThat(after).isNotEqualTo(before);
    assertThat(cluster.taskManagerPids()).containsEntry(1, after);
    // The JobManager forgets the dead one at its heartbeat timeout and registers the new one.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              List<FlinkRestClient.TaskManagerInfo> tms = rest.taskManagers();
              return tms.size() == 1 && !tms.get(0).id().equals(oldId);
            });
    System.out.printf(
        "FlinkClusterITCase figures: TaskManager replaced after kill -9 in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
  }

  private static List<String> ingestArgs(String maxAmount) {
    return List.of(
        "job",
        "ingest",
        "--mode",
        "SUBMIT",
        "--bootstrap-servers",
        SERVICES.kafka().bootstrapServers(),
        "--registry-url",
        SERVICES.registry().url(),
        "--group-id",
        "cluster-it-ingest",
        "--checkpoint-dir",
        var.resolve("checkpoints").toUri().toString(),
        "--checkpoint-interval",
        "1s",
        "--max-restarts",
        "0",
        "--idle-timeout",
        "2s",
        "--max-amount",
        maxAmount);
  }

  private static List<Transaction> awaitCommitted(
      FlinkRestClient rest, String jobId, String topic, int count) {
    return awaitDecoded(rest, jobId, topic, count, Transaction.class);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> awaitDecoded(
      FlinkRestClient rest, String jobId, String topic, int count, Class<T> type) {
    KafkaTestCluster kafka = SERVICES.kafka();
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .failFast(
            "the job stopped",
            () -> {
              FlinkRestClient.JobSummary job = rest.job(jobId);
              if (job.isTerminal()) {
                throw new AssertionError(
                    "job " + jobId + " is " + job.state() + ": " + rest.exceptions(jobId));
              }
              return false;
            })
        .until(() -> kafka.readCommitted(topic).size() >= count);
    List<T> records =
        KafkaTestCluster.decode(
            kafka.readCommitted(topic), AvroWireDeserializer.forSpecific(SERVICES.client(), type));
    assertThat(records).as("exactly %d committed records in %s", count, topic).hasSize(count);
    return records;
  }

  private static void send(List<Transaction> transactions) throws Exception {
    sendTo("transactions", transactions);
  }

  private static void sendTo(String topic, List<Transaction> transactions) throws Exception {
    AvroWireSerializer<Transaction> serializer =
        new AvroWireSerializer<>(
            SERVICES.client(), RegistryConfig.of(SERVICES.registry().url()), false);
    try (KafkaProducer<byte[], byte[]> producer = SERVICES.kafka().rawProducer()) {
      for (Transaction tx : transactions) {
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    tx.getCustomerId().getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(topic, tx)))
            .get();
      }
    }
  }

  private static List<Transaction> range(int from, int to) {
    List<Transaction> result = new ArrayList<>();
    for (int n = from; n < to; n++) {
      result.add(TestRecords.transaction(n));
    }
    return result;
  }

  private static List<String> ids(List<Transaction> transactions) {
    return transactions.stream().map(Transaction::getTransactionId).toList();
  }

  /** The transaction id inside a dead letter's original bytes. */
  private static String transactionIdOf(DeadLetter letter) {
    try {
      byte[] value = new byte[letter.getValue().remaining()];
      letter.getValue().duplicate().get(value);
      return AvroWireDeserializer.forSpecific(SERVICES.client(), Transaction.class)
          .deserialize(value)
          .getTransactionId();
    } catch (Exception e) {
      throw new AssertionError("dead letter " + letter.getErrorClass() + " does not decode", e);
    }
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static long files(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}

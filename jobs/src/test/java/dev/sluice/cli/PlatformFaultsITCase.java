package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.Transaction;
import dev.sluice.cli.infra.Console;
import dev.sluice.cli.infra.FlinkCluster;
import dev.sluice.cli.infra.FlinkRestClient;
import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.Layout;
import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.infra.LocalService;
import dev.sluice.cli.infra.RedisService;
import dev.sluice.cli.infra.RegistryService;
import dev.sluice.cli.report.TopicReader;
import dev.sluice.jobs.BackfillJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.jobs.testing.ViewRowAssertions;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.DtRange;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreReader;
import dev.sluice.state.online.RedisSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The platform under real faults, everything a separate process as in production: a Kafka broker,
 * the schema registry, Redis, and a standalone Flink session cluster (a JobManager and two
 * TaskManagers, one slot each) running {@code job platform} (ingest, features, scoring, monitoring)
 * from the shaded jar. A simulated stream is sent in slices, one fault per slice:
 *
 * <ol>
 *   <li>warm-up, no fault;
 *   <li>{@code kill -9} of a TaskManager mid-stream, a replacement started;
 *   <li>Redis stopped for 30 s, then started again (with its data, as a restarted server);
 *   <li>the Kafka broker stopped and started again;
 *   <li>the registry stopped for 20 s, while records with a writer schema the job has not seen
 *       arrive: the job runs with {@code schema.registry.outage.policy=dead-letter}, so they are
 *       dead-lettered with their bytes while every other record flows; once the registry is back,
 *       the test replays them from the dead-letter topic, as an operator would;
 *   <li>a tail, no fault; then the job is stopped with {@code --drain} (final watermark: every
 *       pending row and prediction is emitted).
 * </ol>
 *
 * Then, per slice and overall: every transaction has exactly one champion prediction on the
 * prediction topic (read_committed) and exactly one row per feature view in the offline store,
 * identical to a BATCH backfill of the same events; Redis holds, for every entity, the same values
 * as that backfill wrote under another key prefix (the run without faults). The figures (events in,
 * predictions out, duplicates, losses, restarts, recovery times) are printed and written to {@code
 * target/faults-report.txt}.
 *
 * <p>Opt-in (about 6 minutes): {@code bin/sluice test --failures}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformFaultsITCase {
  private static final String MODEL = "faults";
  private static final String GROUP = "faults";
  private static final int CUSTOMERS = 300;
  private static final int TERMINALS = 600;
  private static final Duration REDIS_OUTAGE = Duration.ofSeconds(30);
  private static final Duration REGISTRY_OUTAGE = Duration.ofSeconds(20);
  private static final int NEW_SCHEMA_RECORDS = 40;

  private Path root;
  private long restartsBefore;
  private Layout layout;
  private KafkaService kafka;
  private RegistryService registry;
  private RedisService redis;
  private FlinkCluster cluster;
  private final StringBuilder report = new StringBuilder();

  @BeforeAll
  void startServices() throws Exception {
    Path project = project();
    root = Files.createTempDirectory(project.resolve("jobs/target"), "faults-");
    // Jars fetched once for the project (var/lib) serve the test's services too.
    Path sharedLib = project.resolve("var/lib");
    Files.createDirectories(sharedLib);
    Files.createSymbolicLink(root.resolve("lib"), sharedLib);
    layout = Layout.of(project, root);
    kafka = new KafkaService(freePort(), freePort());
    registry = new RegistryService(freePort());
    redis = new RedisService(freePort());
    for (LocalService service : List.of(kafka, registry, redis)) {
      infra(service).up();
    }
    cluster =
        new FlinkCluster(
            layout,
            new FlinkCluster.Settings(freePort(), freePort(), 2, 1),
            sharedLib.resolve("flink"),
            List.of(),
            Console.silent());
    cluster.prepare();
    cluster.up();
  }

  @AfterAll
  void stopServices() throws Exception {
    if (cluster != null) {
      cluster.down();
    }
    if (layout != null) {
      for (LocalService service : List.of(redis, registry, kafka)) {
        if (service != null) {
          infra(service).down();
        }
      }
    }
    Files.writeString(project().resolve("jobs/target/faults-report.txt"), report.toString());
    System.out.println(report);
  }

  @Test
  void thePlatformLosesAndDuplicatesNothingThroughKillsOutagesAndRestarts() throws Exception {
    createTopics();
    RegistryConfig registryConfig = RegistryConfig.of(registry.url());
    train();

    // The stream: 12 simulated days of 300 customers, in event-time order, cut into slices.
    SimulatorConfig simulation =
        SimulatorConfig.builder()
            .customers(CUSTOMERS)
            .terminals(TERMINALS)
            .days(12)
            .seed(8)
            .build();
    List<SimulatedEvent> events = new ArrayList<>();
    new Simulation(simulation).forEachRemaining(events::add);
    List<List<SimulatedEvent>> slices = slices(events, 1, 3, 2, 2, 2, 2);

    // Records that will arrive during the registry outage written with a writer schema the job has
    // never seen (Transaction plus an optional field): their transactions are taken out of the
    // tail slice and sent, in the new schema, during the outage.
    int newSchemaId =
        SchemaRegistryClients.create(registryConfig)
            .register(Topics.TRANSACTIONS.name() + "-value", evolvedTransactionSchema());
    List<Transaction> evolved = new ArrayList<>();
    List<SimulatedEvent> tail = new ArrayList<>();
    for (SimulatedEvent e : slices.get(5)) {
      if (evolved.size() < NEW_SCHEMA_RECORDS
          && e instanceof SimulatedEvent.TransactionEvent tx
          && tx.sequence() % 7 == 0) {
        evolved.add(tx.transaction());
      } else {
        tail.add(e);
      }
    }
    slices.set(5, tail);

    String jobId = submit();
    FlinkRestClient rest = cluster.rest();
    try (KafkaEventSink sink =
            new KafkaEventSink(
                kafka.bootstrapServers(),
                registryConfig,
                Topics.TRANSACTIONS.name(),
                Topics.LABELS.name(),
                Duration.ofSeconds(10));
        KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      Phase warmUp = new Phase("no fault (warm-up)", slices.get(0));
      warmUp.send(sink, Duration.ofSeconds(10), null);
      awaitCheckpointAfter(rest, jobId, Instant.now());

      Phase kill = new Phase("kill -9 TaskManager", slices.get(1));
      kill.send(
          sink,
          Duration.ofSeconds(30),
          new Fault(
              Duration.ofSeconds(10),
              () -> {
                long pid = cluster.taskManager(1).orElseThrow().pid();
                cluster.killTaskManager(1);
                kill.note("killed TaskManager 1 (pid %d) with SIGKILL", pid);
                cluster.startTaskManager(1);
              },
              null));
      kill.recovered(rest, jobId);

      Phase redisOutage = new Phase("Redis stopped 30 s", slices.get(2));
      redisOutage.send(
          sink,
          Duration.ofSeconds(45),
          new Fault(
              Duration.ofSeconds(5),
              () -> infra(redis).down(),
              () -> {
                Thread.sleep(REDIS_OUTAGE.toMillis());
                infra(redis).up();
              }));
      redisOutage.recovered(rest, jobId);

      Phase brokerRestart = new Phase("Kafka broker restarted", slices.get(3));
      brokerRestart.send(
          sink,
          Duration.ofSeconds(30),
          new Fault(
              Duration.ofSeconds(8),
              () -> infra(kafka).down(),
              () -> {
                Thread.sleep(3000);
                infra(kafka).up();
              }));
      brokerRestart.recovered(rest, jobId);

      Phase registryOutage = new Phase("registry stopped 20 s", slices.get(4));
      List<Instant> outageWindow = new ArrayList<>();
      registryOutage.send(
          sink,
          Duration.ofSeconds(35),
          new Fault(
              Duration.ofSeconds(5),
              () -> {
                infra(registry).down();
                Instant down = Instant.now();
                for (Transaction tx : evolved) {
                  raw.send(
                      new ProducerRecord<>(
                          Topics.TRANSACTIONS.name(),
                          null,
                          tx.getEventTime().toEpochMilli(),
                          tx.getCustomerId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                          evolvedWireBytes(newSchemaId, tx)));
                }
                raw.flush();
                outageWindow.add(down);
              },
              () -> {
                Thread.sleep(REGISTRY_OUTAGE.toMillis());
                outageWindow.add(Instant.now());
                infra(registry).up();
              }));
      registryOutage.recovered(rest, jobId);

      // The operator's replay: dead letters of the outage back to their topic, bytes unchanged,
      // in event-time order among the tail's records.
      List<DeadLetter> outageLetters =
          awaitDeadLetters(
              registryConfig,
              d -> "REGISTRY_UNAVAILABLE".equals(d.getErrorClass()),
              NEW_SCHEMA_RECORDS);
      Phase tailPhase = new Phase("no fault (tail, replay)", slices.get(5));
      tailPhase.replay = outageLetters;
      Map<ByteBuffer, Long> eventTimes = new HashMap<>();
      for (Transaction tx : evolved) {
        eventTimes.put(
            ByteBuffer.wrap(evolvedWireBytes(newSchemaId, tx)), tx.getEventTime().toEpochMilli());
      }
      tailPhase.replayEventTimes = eventTimes;
      tailPhase.send(sink, Duration.ofSeconds(20), null, raw);
      // Everything sent must be read before the drain: stopping ends the sources where they are.
      awaitConsumed(GROUP + "-ingest", List.of(Topics.TRANSACTIONS.name(), Topics.LABELS.name()));
      awaitConsumed(
          GROUP + "-features",
          List.of(Topics.VALID_TRANSACTIONS.name(), Topics.VALID_LABELS.name()));
      tailPhase.recovered(rest, jobId);

      // Stop with the final watermark: every pending row, prediction and file is emitted.
      long started = System.nanoTime();
      String savepoint = rest.stopWithSavepoint(jobId, null, Duration.ofMinutes(3), true);
      report.append(
          String.format(
              "stop --drain: savepoint %s in %.1f s%n",
              savepoint, seconds(System.nanoTime() - started)));
      long restarts = restartsBefore;

      // --- verdicts ---
      List<Phase> phases =
          List.of(warmUp, kill, redisOutage, brokerRestart, registryOutage, tailPhase);
      Set<String> transactionIds = new HashSet<>();
      for (Phase p : phases) {
        transactionIds.addAll(p.transactionIds());
      }
      for (Transaction tx : evolved) {
        transactionIds.add(tx.getTransactionId());
      }
      List<Prediction> predictions;
      List<DeadLetter> deadLetters;
      try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), registryConfig)) {
        predictions = reader.readAll(Topics.PREDICTIONS.name(), Prediction.class);
        deadLetters = reader.readAll(Topics.DEAD_LETTERS.name(), DeadLetter.class);
      }
      Map<String, Integer> decisions = new HashMap<>();
      for (Prediction p : predictions) {
        if (!p.getShadow()) {
          decisions.merge(p.getEventId(), 1, Integer::sum);
        }
      }
      long scoredDuringOutage =
          predictions.stream()
              .filter(
                  p ->
                      !p.getScoredAt().isBefore(outageWindow.get(0))
                          && p.getScoredAt().isBefore(outageWindow.get(1)))
              .count();

      report.append(
          String.format(
              "%-28s %9s %8s %11s %10s %7s %8s %s%n",
              "fault",
              "events in",
              "tx",
              "predictions",
              "duplicates",
              "losses",
              "restarts",
              "recovery"));
      long totalDuplicates = 0;
      long totalLosses = 0;
      for (Phase p : phases) {
        Set<String> ids = new HashSet<>(p.transactionIds());
        if (p == registryOutage) {
          evolved.forEach(tx -> ids.add(tx.getTransactionId()));
        }
        long predicted = ids.stream().filter(decisions::containsKey).count();
        long duplicates =
            ids.stream().mapToLong(id -> Math.max(0, decisions.getOrDefault(id, 0) - 1)).sum();
        long losses = ids.size() - predicted;
        totalDuplicates += duplicates;
        totalLosses += losses;
        report.append(
            String.format(
                "%-28s %,9d %,8d %,11d %,10d %,7d %8d %s%n",
                p.name,
                p.eventsIn + (p == registryOutage ? evolved.size() : 0),
                ids.size(),
                predicted,
                duplicates,
                losses,
                p.restarts,
                p.recovery));
        if (losses > 0) {
          report.append(
              String.format(
                  "    lost, e.g.: %s%n",
                  ids.stream()
                      .filter(id -> !decisions.containsKey(id))
                      .sorted()
                      .limit(5)
                      .toList()));
        }
        for (String note : p.notes) {
          report.append("    ").append(note).append('\n');
        }
      }
      report.append(
          String.format(
              "job restarts: %d; predictions scored while the registry was down: %d;"
                  + " dead-lettered for the registry outage and replayed: %d%n",
              restarts, scoredDuringOutage, outageLetters.size()));

      Map<String, Integer> letterKinds = new TreeMap<>();
      deadLetters.forEach(
          d -> letterKinds.merge(d.getStage() + "/" + d.getErrorClass(), 1, Integer::sum));
      report.append("dead letters: ").append(letterKinds).append('\n');
      deadLetters.stream()
          .filter(d -> !"REGISTRY_UNAVAILABLE".equals(d.getErrorClass()))
          .limit(5)
          .forEach(d -> report.append("    ").append(d.getReason()).append('\n'));
      Files.writeString(project().resolve("jobs/target/faults-report.txt"), report.toString());

      assertThat(totalDuplicates).as("duplicate decisions").isZero();
      assertThat(totalLosses).as("transactions without a decision").isZero();
      assertThat(decisions.keySet()).isEqualTo(transactionIds);
      assertThat(scoredDuringOutage)
          .as("records with cached schemas keep flowing while the registry is down")
          .isPositive();
      assertThat(outageLetters).hasSize(NEW_SCHEMA_RECORDS);
      assertThat(outageLetters)
          .allSatisfy(
              d -> {
                assertThat(d.getStage()).isEqualTo("decode");
                assertThat(d.getReason()).contains("schema registry unavailable");
              });
      assertThat(
              deadLetters.stream()
                  .filter(d -> !"REGISTRY_UNAVAILABLE".equals(d.getErrorClass()))
                  .map(d -> d.getStage() + "/" + d.getErrorClass() + ": " + d.getReason())
                  .toList())
          .as("no other dead letters")
          .isEmpty();

      // Offline store: per view exactly one row per transaction, the same rows as a backfill of
      // the same events (the run without faults), which also fills Redis under its own prefix.
      Path files = root.resolve("reference-events");
      try (AvroFilesSink files2 = new AvroFilesSink(files, "faults reference")) {
        for (Phase p : phases) {
          for (SimulatedEvent e : p.events) {
            files2.write(e);
          }
        }
        for (Transaction tx : evolved) {
          files2.write(new SimulatedEvent.TransactionEvent(tx, 0, 0));
        }
      }
      RedisSettings streamingRedis = RedisSettings.standalone("127.0.0.1", redis.port());
      RedisSettings referenceRedis = streamingRedis.withKeyPrefix("reference");
      String referenceStore = root.resolve("reference-store").toUri().toString();
      backfill(files, referenceStore, referenceRedis);
      FeatureSet<Transaction> set = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
      for (ViewSchema schema : set.schemas()) {
        List<ViewRow> streamed = rows(offlineStore(), schema);
        Map<String, Integer> perTransaction = new HashMap<>();
        streamed.forEach(r -> perTransaction.merge(r.eventId, 1, Integer::sum));
        assertThat(perTransaction.keySet()).as(schema.view()).isEqualTo(transactionIds);
        assertThat(perTransaction.values()).as(schema.view()).containsOnly(1);
        ViewRowAssertions.assertSameViewRows(streamed, rows(referenceStore, schema));
      }
      Map<String, Map<String, String>> online = redisContents("sluice");
      Map<String, Map<String, String>> reference = redisContents("reference");
      assertThat(online).hasSizeGreaterThan(CUSTOMERS);
      assertThat(online).isEqualTo(reference);
      report.append(
          String.format(
              "offline store: %d views x %d transactions, one row each, equal to the backfill;"
                  + " Redis: %d entity keys, equal to the backfill's%n",
              set.schemas().size(), transactionIds.size(), online.size()));
    }
  }

  // --- the workload ---

  /** A slice of the stream and what happened while it was sent. */
  private final class Phase {
    final String name;
    final List<SimulatedEvent> events;
    final List<String> notes = new ArrayList<>();
    List<DeadLetter> replay = List.of();
    Map<ByteBuffer, Long> replayEventTimes = Map.of();
    long eventsIn;
    Instant faultEnded;
    String recovery = "-";
    long restarts;

    Phase(String name, List<SimulatedEvent> events) {
      this.name = name;
      this.events = events;
    }

    void note(String format, Object... args) {
      notes.add(String.format(format, args));
    }

    Set<String> transactionIds() {
      Set<String> ids = new HashSet<>();
      for (SimulatedEvent e : events) {
        if (e instanceof SimulatedEvent.TransactionEvent tx) {
          ids.add(tx.transaction().getTransactionId());
        }
      }
      return ids;
    }

    void send(KafkaEventSink sink, Duration span, Fault fault) throws Exception {
      send(sink, span, fault, null);
    }

    /**
     * Sends the slice evenly over {@code span}; starts {@code fault} after its delay on another
     * thread (its end action, if any, runs there too).
     */
    void send(KafkaEventSink sink, Duration span, Fault fault, KafkaProducer<byte[], byte[]> raw)
        throws Exception {
      Thread faults = null;
      if (fault != null) {
        faults =
            new Thread(
                () -> {
                  try {
                    Thread.sleep(fault.after.toMillis());
                    Instant start = Instant.now();
                    fault.start.run();
                    note("fault at %s", start);
                    if (fault.end != null) {
                      fault.end.run();
                    }
                    faultEnded = Instant.now();
                    note("fault over at %s", faultEnded);
                  } catch (Exception e) {
                    throw new IllegalStateException("fault of '" + name + "' failed", e);
                  }
                },
                "fault-" + name);
        faults.start();
      }
      TreeMap<Long, List<DeadLetter>> replayAt = new TreeMap<>();
      for (DeadLetter d : replay) {
        // The record timestamp is the broker's append time: the event time comes from the test.
        long eventTime = replayEventTimes.get(d.getValue());
        replayAt.computeIfAbsent(eventTime, k -> new ArrayList<>()).add(d);
      }
      long nanosPerEvent = span.toNanos() / Math.max(1, events.size());
      long start = System.nanoTime();
      for (int i = 0; i < events.size(); i++) {
        SimulatedEvent e = events.get(i);
        while (!replayAt.isEmpty() && replayAt.firstKey() <= e.eventTimeMillis()) {
          for (DeadLetter d : replayAt.pollFirstEntry().getValue()) {
            raw.send(
                new ProducerRecord<>(
                    d.getTopic(), null, null, bytes(d.getKey()), bytes(d.getValue())));
            eventsIn++;
          }
        }
        sink.write(e);
        eventsIn++;
        long due = start + (i + 1) * nanosPerEvent;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      sink.flush();
      if (raw != null) {
        raw.flush();
      }
      if (faults != null) {
        faults.join();
      }
    }

    /**
     * Waits until the job runs again with a checkpoint completed after the fault ended: from then
     * on its exactly-once output flows again. Records the time it took.
     */
    void recovered(FlinkRestClient rest, String jobId) throws Exception {
      Instant since = faultEnded != null ? faultEnded : Instant.now();
      Instant checkpointed = awaitCheckpointAfter(rest, jobId, since);
      // The failures since the previous phase (numRestarts lags: the REST metrics are cached).
      List<FlinkRestClient.Failure> failures = rest.failures(jobId);
      restarts = failures.size() - restartsBefore;
      failures.stream()
          .skip(restartsBefore)
          .forEach(f -> note("restart after %s at %s", f.exception(), f.at()));
      restartsBefore = failures.size();
      recovery =
          String.format(
              "%.1f s to the next checkpoint",
              Duration.between(since, checkpointed).toMillis() / 1e3);
    }
  }

  /** A fault: {@code start} after {@code after}, then {@code end} (null: nothing to undo). */
  private record Fault(Duration after, Action start, Action end) {}

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }

  private static List<List<SimulatedEvent>> slices(List<SimulatedEvent> events, int... days) {
    long first = events.get(0).eventTimeMillis();
    long dayMillis = Duration.ofDays(1).toMillis();
    List<List<SimulatedEvent>> slices = new ArrayList<>();
    int from = 0;
    long boundary = first;
    for (int d : days) {
      boundary += d * dayMillis;
      List<SimulatedEvent> slice = new ArrayList<>();
      while (from < events.size() && events.get(from).eventTimeMillis() < boundary) {
        slice.add(events.get(from++));
      }
      slices.add(slice);
    }
    slices.get(slices.size() - 1).addAll(events.subList(from, events.size()));
    return slices;
  }

  // --- set-up ---

  private LocalInfra infra(LocalService service) {
    return new LocalInfra(layout, Console.silent(), List.of(service));
  }

  private void createTopics() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (Topics.Spec spec : Topics.ALL) {
        topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()));
      }
      admin.createTopics(topics).all().get();
    }
  }

  /** The first models, as the demo trains them, on a population of this test's size. */
  private void train() {
    List<String> args = new ArrayList<>(List.of("model", "train"));
    args.addAll(FirstModels.training(CUSTOMERS, TERMINALS));
    args.addAll(
        List.of(
            "--name",
            MODEL,
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url()));
    assertThat(SluiceCli.commandLine().execute(args.toArray(String[]::new))).isZero();
  }

  private String offlineStore() {
    return root.resolve("offline").toUri().toString();
  }

  private String submit() throws Exception {
    Path jar = project().resolve("jobs/target/sluice-jobs.jar");
    FlinkRestClient rest = cluster.rest();
    String jarId = rest.uploadJar(jar);
    List<String> args =
        List.of(
            "job",
            "platform",
            "--mode",
            "SUBMIT",
            "--model",
            MODEL,
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--registry-property",
            RegistryConfig.OUTAGE_POLICY + "=dead-letter",
            "--redis",
            "127.0.0.1:" + redis.port(),
            "--offline-store",
            offlineStore(),
            "--checkpoint-dir",
            root.resolve("checkpoints").toUri().toString(),
            "--checkpoint-interval",
            "2s",
            // The test replays a simulated day in 10 s, 8,640 times faster than live. After a
            // restart the two ingest subtasks resume seconds apart (the replacement TaskManager is
            // a cold JVM): both write every valid-* partition, so for a while one writer's records
            // trail the other's by that gap: measured up to 11 s, 1.1 simulated days. Live, where
            // an hour takes an hour, those seconds are far inside the default 5 s of
            // out-of-orderness and 1 h of lateness; here the watermark gets two days.
            "--out-of-orderness",
            "2d",
            "--group-id",
            GROUP);
    String jobId = rest.run(jarId, FlinkRestClient.RunRequest.of(args).withParallelism(2));
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!"RUNNING".equals(rest.job(jobId).state())) {
      assertThat(System.nanoTime()).as("job %s running", jobId).isLessThan(deadline);
      Thread.sleep(200);
    }
    awaitCheckpointAfter(rest, jobId, Instant.now());
    return jobId;
  }

  /** Waits for a checkpoint completed after {@code since}; returns when it was seen. */
  private static Instant awaitCheckpointAfter(FlinkRestClient rest, String jobId, Instant since)
      throws Exception {
    long completedAtStart = -1;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      FlinkRestClient.CheckpointStats stats = rest.checkpoints(jobId);
      if (stats.latestCompletedAt() != null && stats.latestCompletedAt().isAfter(since)) {
        return Instant.now();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no checkpoint of job "
                + jobId
                + " completed after "
                + since
                + " within 3 minutes; exceptions: "
                + rest.exceptions(jobId));
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until {@code group} has committed, on every partition of {@code topics}, the offset after
   * the last record a read_committed consumer sees there. (Not the end offset: a transactional
   * topic ends with commit markers, which Flink's committed offsets never pass.)
   */
  private void awaitConsumed(String group, List<String> topics) throws Exception {
    Map<org.apache.kafka.common.TopicPartition, Long> needed = new HashMap<>();
    Properties props = new Properties();
    props.put(
        org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers());
    props.put(
        org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
            props,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer
            .partitionsFor(topic)
            .forEach(
                p ->
                    partitions.add(
                        new org.apache.kafka.common.TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> ends = new HashMap<>();
      for (var tp : partitions) {
        ends.put(tp, consumer.position(tp));
        consumer.seek(tp, Math.max(0, consumer.position(tp) - 50));
        needed.put(tp, 0L);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
          && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(500))) {
          needed.merge(
              new org.apache.kafka.common.TopicPartition(r.topic(), r.partition()),
              r.offset() + 1,
              Math::max);
        }
      }
    }
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (true) {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long behind = 0;
        for (var e : needed.entrySet()) {
          var c = committed.get(e.getKey());
          behind += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        if (behind == 0) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(group + " still " + behind + " records behind on " + topics);
        }
        Thread.sleep(500);
      }
    }
  }

  private List<DeadLetter> awaitDeadLetters(
      RegistryConfig registryConfig, Predicate<DeadLetter> which, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      List<DeadLetter> letters;
      try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), registryConfig)) {
        letters =
            reader.readAll(Topics.DEAD_LETTERS.name(), DeadLetter.class).stream()
                .filter(which)
                .toList();
      }
      if (letters.size() >= count || System.nanoTime() > deadline) {
        return letters;
      }
      Thread.sleep(500);
    }
  }

  private void backfill(Path files, String store, RedisSettings redisSettings) throws Exception {
    BackfillJob.Config config =
        new BackfillJob.Config(
            BackfillJob.From.FILES,
            files.toString(),
            null,
            null,
            null,
            null,
            store,
            TerminalRisk.AS_KNOWN,
            redisSettings);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(
                new CheckpointSettings(
                    root.resolve("backfill-checkpoints").toUri(), Duration.ofSeconds(10), 0)));
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    BackfillJob.run(env, config);
  }

  private static List<ViewRow> rows(String store, ViewSchema schema) throws Exception {
    return new OfflineStoreReader(new OfflineStoreLayout(store)).readViewRows(schema, DtRange.ALL);
  }

  /**
   * Every hash under {@code prefix}, keyed without the prefix, without {@code _written_at} (the
   * wall-clock time of the write, which differs between any two runs).
   */
  private Map<String, Map<String, String>> redisContents(String prefix) {
    Map<String, Map<String, String>> contents = new TreeMap<>();
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page =
            jedis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
        for (String key : page.getResult()) {
          Map<String, String> hash = new TreeMap<>(jedis.hgetAll(key));
          hash.remove("_written_at");
          contents.put(key.substring(prefix.length()), hash);
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return contents;
  }

  private KafkaProducer<byte[], byte[]> rawProducer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** {@code Transaction} plus an optional field: a compatible evolution the job has not seen. */
  private static Schema evolvedTransactionSchema() {
    String json = Transaction.getClassSchema().toString();
    String field =
        ",{\"name\":\"channel\",\"type\":[\"null\",\"string\"],\"default\":null,"
            + "\"doc\":\"where the card was used (added by a producer)\"}]";
    int end = json.lastIndexOf("]");
    return new Schema.Parser().parse(json.substring(0, end) + field + json.substring(end + 1));
  }

  /**
   * {@code tx} in the evolved schema: its Avro body, then the new field's union index 0 (null),
   * which is how a record with the new field appended and left null encodes.
   */
  private static byte[] evolvedWireBytes(int schemaId, Transaction tx) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new SpecificDatumWriter<>(Transaction.class).write(tx, encoder);
    encoder.flush();
    out.write(0);
    return out.toByteArray();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** The checkout (failsafe passes it as sluice.root). */
  private static Path project() {
    return Path.of(System.getProperty("sluice.root", Project.home().toString()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

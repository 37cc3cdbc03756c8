package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Label;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.Transaction;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.jobs.testing.HostileRecords;
import dev.sluice.jobs.testing.HostileRecords.Hostile;
import dev.sluice.jobs.testing.HostileRecords.Input;
import dev.sluice.jobs.testing.HostileRecords.Kind;
import dev.sluice.jobs.testing.HostileRecords.Planned;
import dev.sluice.jobs.testing.JobRestarts;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.OnnxModelInspector;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.schemas.flink.DeadLetters;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.simulator.LabelDelay;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.RegistryState;
import dev.sluice.state.testing.FlinkTestCluster;
import dev.sluice.state.testing.RedisServer;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile input campaign against the demo's job (ingest, features into Redis and Parquet, scoring
 * with the registry's champion; one job graph, as {@code DemoPipeline} wires it) on a real broker,
 * registry, Redis and MiniCluster with exactly-once sinks: {@value #PER_KIND} records of each of
 * the {@link HostileRecords} kinds of both inputs (over 1,200 in all, of 20 kinds), interleaved at
 * random with the simulator's valid transactions and labels, sent while the job runs.
 *
 * <p>Read back with read_committed: every hostile record is in the dead-letter topic exactly once,
 * matched to it by topic, partition and offset, byte for byte, with its expected stage and error
 * class; there is no other dead letter; every valid transaction has exactly one champion decision;
 * and no task of the job ever restarted (restarts are allowed, so a record that crashed a task
 * would show as a restart instead of a hang).
 *
 * <p>The input is paced in event time (one simulated hour per {@value #MILLIS_PER_SIMULATED_HOUR}
 * ms; ingest validates keyed by transaction id, so one customer's transactions pass through both
 * validator tasks and reach their valid-transactions partition only as much in order as the two
 * tasks are in step, and the feature job allows an hour of lateness). The labels go on for hours of
 * event time after the last transaction: the transactions' partitions fall idle meanwhile, and the
 * last transactions must still be scored (every feature view follows every input's event time).
 */
class HostileInputITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static final String MODEL = "fraud";
  private static final int PER_KIND = 34;
  private static final long MILLIS_PER_SIMULATED_HOUR = 1_000;
  private static final long SEED = 20261127L;

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

  /** One record sent: what it was, and where it landed. */
  private record Sent(Hostile hostile, Future<RecordMetadata> where) {}

  @Test
  void everyHostileRecordIsDeadLetteredOnceAndEveryValidTransactionIsScoredOnce(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> flink) throws Exception {
    long started = System.nanoTime();
    KafkaTestCluster kafka = SERVICES.kafka();
    for (Topics.Spec spec :
        List.of(
            Topics.TRANSACTIONS,
            Topics.LABELS,
            Topics.VALID_TRANSACTIONS,
            Topics.VALID_LABELS,
            Topics.FEATURE_ROWS,
            Topics.PREDICTIONS,
            Topics.DEAD_LETTERS,
            Topics.MODEL_REGISTRY)) {
      kafka.createTopic(spec);
    }
    RegistryConfig registry = RegistryConfig.of(SERVICES.registry().url());
    FeatureSet<Transaction> featureSet = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
    int champion = registerChampion(kafka, registry, featureSet);

    SimulatorConfig simulation =
        SimulatorConfig.builder()
            .customers(1400)
            .terminals(2800)
            .days(1)
            .seed(7)
            // Labels come 6 h after their transaction, so the labels' partitions carry event time
            // past the last transaction of every partition: the last feature rows are released by
            // the watermark without anything sent after the simulation.
            .labelDelay(LabelDelay.fixed(Duration.ofHours(6)))
            .build();
    List<SimulatedEvent> valid = new ArrayList<>();
    new Simulation(simulation).forEachRemaining(valid::add);
    Set<String> validTransactions = new HashSet<>();
    int validLabels = 0;
    for (SimulatedEvent e : valid) {
      if (e instanceof SimulatedEvent.TransactionEvent tx) {
        validTransactions.add(tx.transaction().getTransactionId());
      } else {
        validLabels++;
      }
    }

    HostileRecords generator =
        new HostileRecords(
            SEED, SERVICES.client(), registry, Topics.TRANSACTIONS.name(), Topics.LABELS.name());
    List<Planned> plan = generator.plan(PER_KIND);
    // Where each planned record goes: after which valid event.
    int[] slots = new int[plan.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = generator.nextInt(valid.size());
    }
    Arrays.sort(slots);

    JobClient job = start(kafka, registry, dir);
    long sendStarted = System.nanoTime();
    List<Sent> hostile = new ArrayList<>();
    AvroWireSerializer<Transaction> txSerializer =
        new AvroWireSerializer<>(SERVICES.client(), registry, false);
    AvroWireSerializer<Label> labelSerializer =
        new AvroWireSerializer<>(SERVICES.client(), registry, false);
    try (KafkaProducer<byte[], byte[]> producer = kafka.rawProducer()) {
      Transaction lastTx = null;
      Label lastLabel = null;
      long t0 = valid.get(0).eventTimeMillis();
      int next = 0;
      List<Planned> waiting = new ArrayList<>();
      for (int i = 0; i < valid.size(); i++) {
        SimulatedEvent e = valid.get(i);
        pace(sendStarted, e.eventTimeMillis() - t0);
        byte[] key = e.customerId().getBytes(StandardCharsets.UTF_8);
        if (e instanceof SimulatedEvent.TransactionEvent tx) {
          lastTx = tx.transaction();
          producer.send(
              new ProducerRecord<>(
                  Topics.TRANSACTIONS.name(),
                  key,
                  txSerializer.serialize(Topics.TRANSACTIONS.name(), lastTx)));
        } else {
          lastLabel = ((SimulatedEvent.LabelEvent) e).label();
          producer.send(
              new ProducerRecord<>(
                  Topics.LABELS.name(),
                  key,
                  labelSerializer.serialize(Topics.LABELS.name(), lastLabel)));
        }
        while (next < slots.length && slots[next] == i) {
          waiting.add(plan.get(next++));
        }
        HostileRecords.Context context = new HostileRecords.Context(lastTx, lastLabel);
        for (var it = waiting.iterator(); it.hasNext(); ) {
          Planned p = it.next();
          if (!generator.canMake(p.input(), p.kind(), context)) {
            continue; // a validation-stage label before the first valid label: a little later
          }
          it.remove();
          Hostile h = generator.make(p.input(), p.kind(), context);
          String topic =
              h.input() == Input.TRANSACTIONS ? Topics.TRANSACTIONS.name() : Topics.LABELS.name();
          hostile.add(new Sent(h, producer.send(new ProducerRecord<>(topic, h.key(), h.value()))));
        }
      }
      assertThat(waiting).as("planned records never sent").isEmpty();
      producer.flush();
    }
    double sendSeconds = (System.nanoTime() - sendStarted) / 1e9;
    Map<String, Sent> byPosition = new HashMap<>();
    for (Sent s : hostile) {
      RecordMetadata m = s.where().get();
      byPosition.put(position(m.topic(), m.partition(), m.offset()), s);
    }
    assertThat(byPosition).hasSize(hostile.size());
    assertThat(hostile.size()).isGreaterThanOrEqualTo(1_000);
    assertThat(hostile.stream().map(s -> s.hostile().kind()).distinct().count())
        .isGreaterThanOrEqualTo(12);

    AvroWireDeserializer<DeadLetter> letters =
        AvroWireDeserializer.forSpecific(SERVICES.client(), DeadLetter.class);
    AvroWireDeserializer<Prediction> predictions =
        AvroWireDeserializer.forSpecific(SERVICES.client(), Prediction.class);
    // Wait for the expected counts; if they never come, the assertions below say what is missing.
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    int committedPredictions = 0;
    int committedLetters = 0;
    while (System.nanoTime() < deadline
        && !job.getJobStatus().get().isGloballyTerminalState()
        && (committedPredictions < validTransactions.size() || committedLetters < hostile.size())
        && committedLetters <= hostile.size()) {
      Thread.sleep(2_000);
      committedPredictions = kafka.readCommitted(Topics.PREDICTIONS.name()).size();
      committedLetters = kafka.readCommitted(Topics.DEAD_LETTERS.name()).size();
    }
    double campaignSeconds = (System.nanoTime() - sendStarted) / 1e9;
    // Two more checkpoints: anything extra (a late row, a duplicate) would be committed by then.
    Thread.sleep(2_500);
    List<DeadLetter> dead =
        KafkaTestCluster.decode(kafka.readCommitted(Topics.DEAD_LETTERS.name()), letters);
    List<Prediction> scored =
        KafkaTestCluster.decode(kafka.readCommitted(Topics.PREDICTIONS.name()), predictions);
    JobRestarts.Report restarts = JobRestarts.of(flink, job.getJobID());
    JobStatus status = job.getJobStatus().get();
    job.cancel().get();

    // Every dead letter is one of the hostile records, at its position, byte for byte.
    Map<Kind, Integer> sentPerKind = new EnumMap<>(Kind.class);
    Map<Kind, Integer> deadPerKind = new EnumMap<>(Kind.class);
    hostile.forEach(s -> sentPerKind.merge(s.hostile().kind(), 1, Integer::sum));
    Set<String> seen = new HashSet<>();
    List<String> unexplained = new ArrayList<>();
    for (DeadLetter letter : dead) {
      String at = position(letter.getTopic(), letter.getPartition(), letter.getOffset());
      Sent s = byPosition.get(at);
      if (s == null) {
        unexplained.add(
            at
                + " "
                + letter.getStage()
                + "/"
                + letter.getErrorClass()
                + ": "
                + letter.getReason());
        continue;
      }
      Hostile h = s.hostile();
      String what = h.input() + " " + h.kind() + " at " + at;
      assertThat(seen.add(at)).as("%s dead-lettered once", what).isTrue();
      assertThat(letter.getStage()).as(what).isEqualTo(h.stage());
      assertThat(letter.getErrorClass())
          .as(what + ": " + letter.getReason())
          .isEqualTo(h.errorClass());
      assertThat(letter.getReason()).as(what).isNotBlank();
      assertThat(bytes(letter.getValue())).as(what + " value").isEqualTo(h.value());
      assertThat(bytes(letter.getKey())).as(what + " key").isEqualTo(h.key());
      deadPerKind.merge(h.kind(), 1, Integer::sum);
    }
    assertThat(unexplained)
        .as("%d dead letters that no hostile record explains", unexplained.size())
        .isEmpty();
    List<String> lost = new ArrayList<>();
    byPosition.forEach(
        (at, s) -> {
          if (!seen.contains(at)) {
            lost.add(s.hostile().input() + " " + s.hostile().kind() + " at " + at);
          }
        });
    assertThat(lost).as("%d hostile records not dead-lettered", lost.size()).isEmpty();

    List<String> decisions =
        scored.stream()
            .filter(p -> !p.getShadow() && p.getRole() == ModelRole.CHAMPION)
            .map(Prediction::getEventId)
            .toList();
    assertThat(scored)
        .as("no challenger: every prediction is a decision")
        .hasSize(decisions.size());
    assertThat(decisions).doesNotHaveDuplicates();
    Set<String> missing = new TreeSet<>(validTransactions);
    decisions.forEach(missing::remove);
    assertThat(missing)
        .as("%d valid transactions without a decision, e.g. %s", missing.size(), first(missing))
        .isEmpty();
    assertThat(new HashSet<>(decisions)).isEqualTo(validTransactions);
    assertThat(scored).allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(champion));

    assertThat(status).isEqualTo(JobStatus.RUNNING);
    assertThat(restarts.numRestarts()).as("numRestarts").isZero();
    assertThat(restarts.redeployed()).as("subtasks redeployed by a (regional) failover").isEmpty();

    StringBuilder report = new StringBuilder("hostile campaign:\n");
    report.append(
        String.format(
            "  valid: %d transactions, %d labels; hostile: %d of %d kinds%n",
            validTransactions.size(), validLabels, hostile.size(), sentPerKind.size()));
    Map<String, int[]> perInputKind = new TreeMap<>();
    for (Sent s : hostile) {
      perInputKind
          .computeIfAbsent(s.hostile().input() + " " + s.hostile().kind(), k -> new int[2])[0]++;
    }
    for (String at : seen) {
      Hostile h = byPosition.get(at).hostile();
      perInputKind.get(h.input() + " " + h.kind())[1]++;
    }
    perInputKind.forEach(
        (k, v) ->
            report.append(String.format("  %-40s sent %3d dead-lettered %3d%n", k, v[0], v[1])));
    report.append(
        String.format(
            "  predictions %d (decisions %d, duplicates %d), other dead letters %d, restarts %d%n",
            scored.size(),
            decisions.size(),
            decisions.size() - new HashSet<>(decisions).size(),
            unexplained.size(),
            restarts.numRestarts()));
    report.append(
        String.format(
            "  sending %.1f s, until all outputs committed %.1f s, whole test %.1f s%n",
            sendSeconds, campaignSeconds, (System.nanoTime() - started) / 1e9));
    System.out.print(report);
    assertThat(deadPerKind).isEqualTo(sentPerKind);
  }

  /**
   * A record larger than a dead letter can be: input topics may allow bigger records than the
   * dead-letter topic's producer sends (1 MiB by default). The dead letter keeps the first {@link
   * DeadLetters#MAX_KEPT_BYTES} bytes and says so in a header with the original length and SHA-256,
   * instead of failing the dead-letter sink, and the job, on every replay.
   */
  @Test
  void aRecordTooLargeToDeadLetterWholeIsDeadLetteredTruncatedWithoutARestart(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> flink) throws Exception {
    KafkaTestCluster kafka = SERVICES.kafka();
    Map<String, String> large = Map.of("max.message.bytes", Integer.toString(4 << 20));
    kafka.createTopic(
        new Topics.Spec("big-transactions", 1, Duration.ofDays(7), "test", false, large));
    for (String topic : List.of("big-labels", "big-valid-transactions", "big-valid-labels")) {
      kafka.createTopic(topic, 1);
    }
    kafka.createTopic("big-dead-letters", 1);
    RegistryConfig registry = RegistryConfig.of(SERVICES.registry().url());
    Transaction tx =
        Transaction.newBuilder()
            .setTransactionId("tx-big-1")
            .setEventTime(Instant.parse("2018-04-01T10:00:00Z"))
            .setCustomerId("c-1")
            .setTerminalId("t-1")
            .setAmount(new java.math.BigDecimal("12.34"))
            .build();
    byte[] huge = new byte[2 << 20];
    java.util.Arrays.fill(huge, (byte) '{');
    byte[] key = "c-1".getBytes(StandardCharsets.UTF_8);
    AvroWireSerializer<Transaction> serializer =
        new AvroWireSerializer<>(SERVICES.client(), registry, false);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "max.request.size",
                Integer.toString(4 << 20)),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("big-transactions", key, huge)).get();
      producer
          .send(
              new ProducerRecord<>(
                  "big-transactions", key, serializer.serialize("big-transactions", tx)))
          .get();
    }
    IngestJob.Config config =
        new IngestJob.Config(
            kafka.bootstrapServers(),
            registry,
            "big-transactions",
            "big-labels",
            "big-valid-transactions",
            "big-valid-labels",
            "big-dead-letters",
            "big-ingest",
            KafkaConnectors.StartFrom.EARLIEST,
            IngestJob.Timing.DEFAULTS,
            IngestRules.Settings.DEFAULTS,
            new CheckpointSettings(dir.resolve("checkpoints").toUri(), Duration.ofSeconds(1), 3));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(config.checkpoints()));
    env.setParallelism(1);
    JobClient job = IngestJob.start(env, config);
    try {
      List<Transaction> accepted =
          kafka.awaitCommitted(
              "big-valid-transactions",
              AvroWireDeserializer.forSpecific(SERVICES.client(), Transaction.class),
              1,
              job);
      assertThat(accepted).extracting(Transaction::getTransactionId).containsExactly("tx-big-1");
      List<DeadLetter> dead =
          kafka.awaitCommitted(
              "big-dead-letters",
              AvroWireDeserializer.forSpecific(SERVICES.client(), DeadLetter.class),
              1,
              job);
      assertThat(dead)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.getErrorClass()).isEqualTo("BAD_MAGIC_BYTE");
                assertThat(bytes(l.getValue()))
                    .isEqualTo(java.util.Arrays.copyOf(huge, DeadLetters.MAX_KEPT_BYTES));
                assertThat(bytes(l.getKey())).isEqualTo(key);
                assertThat(
                        StandardCharsets.UTF_8
                            .decode(l.getHeaders().get(DeadLetters.VALUE_TRUNCATED_HEADER))
                            .toString())
                    .isEqualTo(
                        huge.length
                            + " bytes, sha256 "
                            + java.util.HexFormat.of()
                                .formatHex(
                                    java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(huge)));
              });
      JobRestarts.Report restarts = JobRestarts.of(flink, job.getJobID());
      assertThat(restarts.numRestarts()).isZero();
      assertThat(restarts.redeployed()).isEmpty();
    } catch (RuntimeException e) {
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        try {
          job.getJobExecutionResult().get();
        } catch (java.util.concurrent.ExecutionException failed) {
          throw new AssertionError("the ingest job failed: " + failed.getCause(), failed);
        }
      }
      throw e;
    } finally {
      if (!job.getJobStatus().get().isGloballyTerminalState()) {
        job.cancel().get();
      }
    }
  }

  private static void pace(long startNanos, long eventMillisSinceStart)
      throws InterruptedException {
    long dueNanos =
        startNanos + eventMillisSinceStart * MILLIS_PER_SIMULATED_HOUR * 1_000_000L / 3_600_000L;
    long wait = dueNanos - System.nanoTime();
    if (wait > 1_000_000L) {
      Thread.sleep(wait / 1_000_000L);
    }
  }

  /** The demo's job on the test's services: ingest, features and scoring, one job graph. */
  private static JobClient start(KafkaTestCluster kafka, RegistryConfig registry, Path dir)
      throws Exception {
    // Restarts are allowed, so that a crash would show as a restart, not as a failed job.
    CheckpointSettings checkpoints =
        new CheckpointSettings(dir.resolve("checkpoints").toUri(), Duration.ofSeconds(1), 3);
    IngestJob.Config ingest =
        new IngestJob.Config(
            kafka.bootstrapServers(),
            registry,
            Topics.TRANSACTIONS.name(),
            Topics.LABELS.name(),
            Topics.VALID_TRANSACTIONS.name(),
            Topics.VALID_LABELS.name(),
            Topics.DEAD_LETTERS.name(),
            "hostile-ingest",
            KafkaConnectors.StartFrom.EARLIEST,
            IngestJob.Timing.DEFAULTS,
            IngestRules.Settings.DEFAULTS,
            checkpoints);
    FeatureJob.Config features =
        new FeatureJob.Config(
            kafka.bootstrapServers(),
            registry,
            Topics.VALID_TRANSACTIONS.name(),
            Topics.VALID_LABELS.name(),
            Topics.FEATURE_ROWS.name(),
            Topics.DEAD_LETTERS.name(),
            "hostile-features",
            KafkaConnectors.StartFrom.EARLIEST,
            // Idle partitions release the watermark after 10 s, so the last rows are emitted
            // without waiting for the default 30 s.
            FeatureJob.Timing.DEFAULTS,
            TerminalRisk.AS_KNOWN,
            redis.settings(),
            dir.resolve("offline").toUri().toString(),
            true,
            false,
            checkpoints);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(checkpoints));
    env.setParallelism(2);
    IngestJob.attach(env, ingest);
    FeatureJob.Attached attached = FeatureJob.attach(env, features);
    ScoringWorkflow.attach(
        attached.featureRows(),
        new ScoringWorkflow.Config(
            kafka.bootstrapServers(),
            registry,
            Topics.MODEL_REGISTRY.name(),
            Topics.PREDICTIONS.name(),
            Topics.DEAD_LETTERS.name(),
            "hostile-scoring",
            ScoringSettings.defaults(MODEL)),
        OnnxScorer.FACTORY);
    return env.executeAsync("hostile campaign");
  }

  /**
   * Registers and promotes a logistic regression over the fraud feature set (a fixture with
   * arbitrary weights: what it decides does not matter here, only that it decides once per row).
   */
  private static int registerChampion(
      KafkaTestCluster kafka, RegistryConfig registry, FeatureSet<Transaction> featureSet)
      throws Exception {
    byte[] onnx;
    try (InputStream in = HostileInputITCase.class.getResourceAsStream("/onnx/tribuo_lr_15.onnx")) {
      assertThat(in).isNotNull();
      onnx = in.readAllBytes();
    }
    ModelSignature signature =
        OnnxModelInspector.proposeSignature(onnx, featureSet.featureNames(), "1");
    signature.setFeatureSetVersion(featureSet.version());
    ModelVersion candidate =
        ModelVersion.newBuilder()
            .setName(MODEL)
            .setVersion(0)
            .setOnnx(ByteBuffer.wrap(onnx))
            .setSha256("")
            .setSignature(signature)
            .setPreprocessing(Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
            .setThreshold(0.5)
            .setRegisteredAt(Instant.now())
            .setRegisteredBy("test")
            .build();
    try (KafkaModelRegistry models =
        KafkaModelRegistry.open(
            ModelRegistryLog.of(kafka.bootstrapServers(), registry),
            new OnnxModelValidator(),
            KafkaModelRegistry.IfMissing.FAIL,
            "test")) {
      int version = models.register(candidate).getVersion();
      models.promote(MODEL, version, RegistryState.CHAMPION, "hostile campaign");
      return version;
    }
  }

  private static List<String> first(Set<String> values) {
    return values.stream().limit(10).toList();
  }

  private static String position(String topic, int partition, long offset) {
    return topic + "/" + partition + "@" + offset;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}

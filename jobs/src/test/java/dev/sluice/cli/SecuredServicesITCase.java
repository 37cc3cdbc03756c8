package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.EventCount;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.FeatureJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.schemas.kafka.RegistryAvroSerializer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.testing.RegistryProcess;
import dev.sluice.schemas.testing.TestRecords;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.testing.FlinkTestCluster;
import dev.sluice.state.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka with a SASL_PLAINTEXT (PLAIN) listener and nothing else (Kafka's own test kit, in this
 * JVM), a real registry and a MiniCluster: the command-line tool and a Flink job reach the cluster
 * through {@code --kafka-properties-file} / {@link KafkaClientSettings}; wrong credentials fail the
 * preflight naming the setting; no secret reaches a log line, stdout or stderr.
 */
class SecuredServicesITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final String USER = JaasUtils.KAFKA_PLAIN_ADMIN;
  private static final String PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
  private static final String WRONG_PASSWORD = "wrong-pw-" + UUID.randomUUID();
  private static final String REGISTRY_PASSWORD = "registry-pw-" + UUID.randomUUID();

  private static KafkaClusterTestKit kafka;
  private static RegistryProcess registry;

  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    kafka =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build())
            .setConfigProp("auto.create.topics.enable", "false")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
    registry = RegistryProcess.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + USER
        + "\" password=\""
        + password
        + "\";";
  }

  private static Map<String, String> sasl(String password) {
    return Map.of(
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", jaas(password));
  }

  /** The properties file a user would keep next to the deployment, readable only by them. */
  private static Path propertiesFile(String password) throws Exception {
    Path file = Files.createTempFile(work, "kafka-", ".properties");
    Properties props = new Properties();
    props.putAll(sasl(password));
    try (var out = Files.newBufferedWriter(file)) {
      props.store(out, "test");
    }
    return file;
  }

  private static KafkaClientSettings settings() {
    return new KafkaClientSettings(kafka.bootstrapServers(), sasl(PASSWORD));
  }

  /** Registry config with a basic-auth password (the test registry does not check it). */
  private static RegistryConfig registryConfig() {
    return RegistryConfig.fromProperties(
        Map.of(
            RegistryConfig.URL,
            registry.url(),
            RegistryConfig.BASIC_AUTH_USER_INFO,
            "svc:" + REGISTRY_PASSWORD));
  }

  @Test
  void theCommandLineToolCreatesAndListsTopicsThroughSasl() throws Exception {
    Path file = propertiesFile(PASSWORD);
    CliRun create = new CliRun();
    int created =
        create.run(
            "topics",
            "create",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--kafka-properties-file",
            file.toString());
    assertThat(created).as(create.err()).isZero();

    CliRun list = new CliRun();
    String stdout =
        captureStdout(
            () ->
                assertThat(
                        list.run(
                            "topics",
                            "list",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--kafka-properties-file",
                            file.toString()))
                    .isZero());
    assertThat(stdout).contains("transactions", "valid-transactions", "model-registry");
    assertThat(create.out() + create.err() + list.out() + list.err() + stdout)
        .doesNotContain(PASSWORD);
  }

  @Test
  void withoutSecuritySettingsOrWithAWrongPasswordThePreflightFailsNamingTheSetting()
      throws Exception {
    CliRun wrong = new CliRun();
    int exit =
        wrong.run(
            "job",
            "event-count",
            "--mode",
            "SUBMIT",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--kafka-property",
            "security.protocol=SASL_PLAINTEXT",
            "--kafka-property",
            "sasl.mechanism=PLAIN",
            "--kafka-property",
            "sasl.jaas.config=" + jaas(WRONG_PASSWORD));
    assertThat(exit).isEqualTo(1);
    assertThat(wrong.err())
        .contains("--bootstrap-servers " + kafka.bootstrapServers())
        .contains("refused SASL authentication")
        .contains("sasl.jaas.config")
        .doesNotContain(WRONG_PASSWORD)
        .doesNotContain(PASSWORD);
    assertThat(wrong.err().lines().filter(l -> l.contains("preflight"))).hasSize(1);

    CliRun plaintext = new CliRun();
    long start = System.nanoTime();
    exit =
        plaintext.run(
            "job",
            "event-count",
            "--mode",
            "SUBMIT",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(exit).isEqualTo(1);
    assertThat(plaintext.err())
        .contains("--bootstrap-servers " + kafka.bootstrapServers())
        .contains("security.protocol");
    assertThat(seconds).as("bounded by the preflight's timeout").isLessThan(15);
  }

  @Test
  void thePreflightPassesQuicklyAndNamesAMissingTopic() throws Exception {
    ensureTopic("present");
    Preflight ok =
        new Preflight()
            .kafka(settings(), Map.of("--input-topic", "present"))
            .registry(registryConfig())
            .offlineStore(work.resolve("offline").toUri().toString(), "--offline-store");
    // Warm the classes once: the check itself is what a user waits for.
    ok.run();
    long start = System.nanoTime();
    ok.run();
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("preflight against SASL Kafka + registry: " + millis + " ms");
    assertThat(millis).isLessThan(2000);

    Preflight missing =
        new Preflight().kafka(settings(), Map.of("--output-topic", "no-such-topic"));
    org.assertj.core.api.Assertions.assertThatThrownBy(missing::run)
        .hasMessageContaining("'no-such-topic' (--output-topic)")
        .hasMessageContaining("bin/sluice topics create");
  }

  /**
   * The event-count job on the MiniCluster, reading and writing through SASL, with a Kafka and a
   * registry password in its configuration; everything logged at INFO (Kafka clients print their
   * whole configuration) and printed is searched for both.
   */
  @Test
  void aJobRunsThroughSaslAndNoSecretReachesTheLogsOrTheConsole(@TempDir Path checkpoints)
      throws Exception {
    for (String topic : List.of("sasl-transactions", "sasl-counts", "sasl-dead-letters")) {
      ensureTopic(topic);
    }
    try (KafkaProducer<String, Transaction> producer =
        new KafkaProducer<>(
            toMap(
                settings().producer(),
                Map.of(
                    RegistryConfig.URL,
                    registry.url(),
                    "key.serializer",
                    StringSerializer.class.getName(),
                    "value.serializer",
                    RegistryAvroSerializer.class.getName())))) {
      Instant t0 = Instant.parse("2018-04-01T00:00:00Z");
      for (int i = 0; i < 120; i++) {
        Transaction tx = TestRecords.transaction(i);
        tx.setEventTime(t0.plusSeconds(i));
        producer.send(new ProducerRecord<>("sasl-transactions", 0, tx.getCustomerId(), tx));
      }
      Transaction late = TestRecords.transaction(9999);
      late.setEventTime(t0.plus(Duration.ofMinutes(30)));
      producer.send(new ProducerRecord<>("sasl-transactions", 0, late.getCustomerId(), late)).get();
    }

    LogCapture logs = LogCapture.start();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(new Tee(out, console), true));
    System.setErr(new PrintStream(new Tee(err, console), true));
    List<EventCount> counts;
    try {
      EventCountJob.Config config =
          new EventCountJob.Config(
              kafka.bootstrapServers(),
              registryConfig(),
              "sasl-transactions",
              "sasl-counts",
              "sasl-dead-letters",
              "sasl-event-count",
              KafkaConnectors.StartFrom.EARLIEST,
              Duration.ofMinutes(1),
              Duration.ofSeconds(1),
              Duration.ofSeconds(5),
              new CheckpointSettings(checkpoints.toUri(), Duration.ofSeconds(1), 0),
              settings());
      System.out.println("config: " + config);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              FlinkEnvironments.configuration(config.checkpoints()));
      env.setParallelism(1);
      JobClient job = EventCountJob.start(env, config);
      try {
        counts = awaitCounts(job, 2);
      } finally {
        job.cancel().get();
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      logs.stop();
    }

    assertThat(counts.stream().mapToLong(EventCount::getCount).sum()).isEqualTo(120);
    String logged = logs.text();
    // The capture saw the clients' configuration dumps, so a leak would have been caught.
    assertThat(logged).contains("sasl.mechanism = PLAIN").contains("sasl.jaas.config = [hidden]");
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("config: ").contains("***");
    for (String secret : List.of(PASSWORD, REGISTRY_PASSWORD)) {
      assertThat(logged).as("log output").doesNotContain(secret);
      assertThat(console.toString(StandardCharsets.UTF_8))
          .as("stdout/stderr")
          .doesNotContain(secret);
    }
  }

  /** What a run printed and logged (INFO and above), while it ran. */
  private record Captured(String logs, String console) {}

  private interface Body {
    void run() throws Exception;
  }

  private static Captured capture(Body body) throws Exception {
    LogCapture logs = LogCapture.start();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(new Tee(out, console), true));
    System.setErr(new PrintStream(new Tee(err, console), true));
    try {
      body.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
      logs.stop();
    }
    return new Captured(logs.text(), console.toString(StandardCharsets.UTF_8));
  }

  /**
   * The feature job, bounded, reading through SASL, writing Redis with requirepass and looking
   * schemas up with basic auth: rows in Kafka and Redis, and no password in any output.
   */
  @Test
  void theFeatureJobWritesARedisWithAPasswordAndLeaksNoSecret(@TempDir Path dir) throws Exception {
    String redisPassword = "redis-pw-" + UUID.randomUUID();
    for (String topic : List.of("f-transactions", "f-labels", "f-rows", "f-dead-letters")) {
      ensureTopic(topic);
    }
    SimulatorConfig small =
        SimulatorConfig.builder().customers(20).terminals(50).radius(10).days(5).seed(7).build();
    int transactions;
    try (KafkaEventSink sink =
        new KafkaEventSink(
            settings(), registryConfig(), "f-transactions", "f-labels", Duration.ofSeconds(10))) {
      transactions = (int) SimulationRunner.runAll(new Simulation(small), sink).transactions();
    }
    try (RedisServer redis = RedisServer.start(List.of("--requirepass", redisPassword))) {
      Captured run =
          capture(
              () -> {
                FeatureJob.Config config =
                    new FeatureJob.Config(
                        kafka.bootstrapServers(),
                        registryConfig(),
                        "f-transactions",
                        "f-labels",
                        "f-rows",
                        "f-dead-letters",
                        "sasl-features",
                        KafkaConnectors.StartFrom.EARLIEST,
                        FeatureJob.Timing.DEFAULTS,
                        TerminalRisk.AS_KNOWN,
                        redis.settings().withPassword(redisPassword),
                        null,
                        false,
                        true,
                        new CheckpointSettings(
                            dir.resolve("checkpoints").toUri(), Duration.ofSeconds(1), 0),
                        settings());
                System.out.println("config: " + config);
                StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkEnvironments.configuration(config.checkpoints()));
                env.setParallelism(1);
                FeatureJob.start(env, config)
                    .getJobExecutionResult()
                    .get(3, java.util.concurrent.TimeUnit.MINUTES);
              });

      try (var jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
        jedis.auth(redisPassword);
        assertThat(jedis.dbSize()).isPositive();
      }
      assertThat(readCount("f-rows")).isEqualTo(transactions);
      assertThat(run.logs()).contains("sasl.jaas.config = [hidden]");
      assertThat(run.console()).contains("password=***");
      for (String secret : List.of(PASSWORD, REGISTRY_PASSWORD, redisPassword)) {
        assertThat(run.logs()).as("log output").doesNotContain(secret);
        assertThat(run.console()).as("stdout/stderr").doesNotContain(secret);
      }
    }
  }

  /** Committed records in {@code topic}, read through SASL until three polls bring nothing. */
  private static int readCount(String topic) {
    int count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            toMap(
                settings().consumer(),
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "count-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      int empty = 0;
      while (empty < 3) {
        int n = consumer.poll(Duration.ofMillis(1000)).count();
        count += n;
        empty = n == 0 ? empty + 1 : 0;
      }
    }
    return count;
  }

  private static List<EventCount> awaitCounts(JobClient job, int windows) throws Exception {
    List<EventCount> counts = new ArrayList<>();
    try (SchemaRegistryClient client =
            SchemaRegistryClients.create(RegistryConfig.of(registry.url()));
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                toMap(
                    settings().consumer(),
                    Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      AvroWireDeserializer<EventCount> decoder =
          AvroWireDeserializer.forSpecific(client, EventCount.class);
      consumer.subscribe(List.of("sasl-counts"));
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .failFast("the job stopped", () -> job.getJobStatus().get().isGloballyTerminalState())
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                  counts.add(decoder.deserialize(r.value()));
                }
                return counts.size() >= windows;
              });
    }
    return counts;
  }

  private static void ensureTopic(String name) throws Exception {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(settings().admin())) {
      if (!admin.listTopics().names().get().contains(name)) {
        admin
            .createTopics(
                List.of(
                    // Broker time: the simulator's 2018 records must not fall to retention.
                    new org.apache.kafka.clients.admin.NewTopic(name, 1, (short) 1)
                        .configs(Map.of("message.timestamp.type", "LogAppendTime"))))
            .all()
            .get();
      }
      Awaitility.await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(30))
          .until(() -> admin.describeTopics(List.of(name)).allTopicNames().get().containsKey(name));
    }
  }

  private static Map<String, Object> toMap(Properties props, Map<String, String> more) {
    Map<String, Object> map = new java.util.HashMap<>();
    props.forEach((k, v) -> map.put((String) k, v));
    map.putAll(more);
    return map;
  }

  private static String captureStdout(Runnable action) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = System.out;
    System.setOut(new PrintStream(new Tee(out, buffer), true));
    try {
      action.run();
    } finally {
      System.setOut(out);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  /** Writes to two streams. */
  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }

  /**
   * Every log event at INFO and above, from every logger, into memory (and not the console), for as
   * long as it runs.
   */
  private static final class LogCapture {
    private static final List<String> LOGGERS = List.of("", "org.apache.kafka", "org.apache.flink");
    private static final String CONSOLE = "console";
    private final StringWriter text = new StringWriter();
    private final WriterAppender appender;
    private final Map<String, Level> levels = new java.util.HashMap<>();

    private LogCapture() {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      Configuration config = context.getConfiguration();
      appender =
          WriterAppender.newBuilder()
              .setName("secret-capture")
              .setTarget(text)
              .setLayout(PatternLayout.newBuilder().withPattern("%p %c - %m%n%ex").build())
              .build();
      appender.start();
      config.addAppender(appender);
      // Keep the INFO flood off the test's console while capturing it.
      config.getRootLogger().removeAppender(CONSOLE);
      for (String name : LOGGERS) {
        LoggerConfig logger = config.getLoggerConfig(name);
        levels.put(name, logger.getLevel());
        logger.setLevel(Level.INFO);
        logger.addAppender(appender, Level.INFO, null);
      }
      context.updateLoggers();
    }

    static LogCapture start() {
      return new LogCapture();
    }

    void stop() {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      Configuration config = context.getConfiguration();
      for (String name : LOGGERS) {
        LoggerConfig logger = config.getLoggerConfig(name);
        logger.removeAppender(appender.getName());
        logger.setLevel(levels.get(name));
      }
      if (config.getAppender(CONSOLE) != null) {
        config.getRootLogger().addAppender(config.getAppender(CONSOLE), null, null);
      }
      context.updateLoggers();
      appender.stop();
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }
  }
}

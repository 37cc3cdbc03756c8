package dev.sluice.cli;

import dev.sluice.avro.DeadLetter;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.IngestJob;
import dev.sluice.jobs.IngestRules;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.jobs.Topics;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench ingest}: an end-to-end throughput harness for the ingest job against the
 * running local services. It simulates a few days of the handbook's traffic into fresh topics, then
 * runs the ingest job from the beginning of those topics in this JVM and times how long until every
 * event is committed downstream (valid topics plus dead letters), with exactly-once sinks and
 * RocksDB state as in production.
 */
@Command(
    name = "bench",
    description = "Benchmarks that print numbers (end-to-end, against the local services).",
    mixinStandardHelpOptions = true,
    subcommands = {
      BenchCommand.Ingest.class,
      BenchFeatures.class,
      BenchOnlineStore.class,
      BenchMonitoring.class,
      BenchLoop.class,
      BenchPipeline.class
    })
final class BenchCommand {

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "Preload simulated transactions and labels into fresh topics, run the ingest job over them",
        "and report events/s from job start to the last committed output. Needs 'bin/sluice infra up'."
      })
  static final class Ingest implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Option(
        names = "--days",
        defaultValue = "7",
        description = "Simulated days of the handbook's population (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(
        names = "--parallelism",
        defaultValue = "2",
        description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
        names = "--checkpoint-interval",
        converter = DurationConverter.class,
        defaultValue = "2s",
        description =
            "Checkpoint interval; output is committed at checkpoints (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
        names = "--timeout",
        converter = DurationConverter.class,
        defaultValue = "10m",
        description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
      String prefix = "bench-" + System.currentTimeMillis();
      List<String> topics =
          List.of(
              prefix + "-transactions",
              prefix + "-labels",
              prefix + "-valid-transactions",
              prefix + "-valid-labels",
              prefix + "-dead-letters");
      Map<String, Object> adminProps =
          Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
      try (Admin admin = Admin.create(adminProps)) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
          Topics.Spec spec =
              new Topics.Spec(
                  topic, topic.endsWith("dead-letters") ? 1 : 4, Duration.ofDays(1), "benchmark");
          newTopics.add(new NewTopic(topic, spec.partitions(), (short) 1).configs(spec.configs()));
        }
        admin.createTopics(newTopics).all().get();
      }
      try {
        return run(prefix, topics);
      } finally {
        try (Admin admin = Admin.create(adminProps)) {
          admin.deleteTopics(topics).all().get();
        }
      }
    }

    private int run(String prefix, List<String> topics) throws Exception {
      SimulatorConfig simulation = SimulatorConfig.builder().days(days).build();
      System.out.printf(
          "preloading %d simulated day(s) (%d customers, %d terminals) ...%n",
          days, simulation.customers(), simulation.terminals());
      SimulationSummary preload;
      try (KafkaEventSink sink =
          new KafkaEventSink(
              connection.bootstrapServers(),
              connection.registry(),
              topics.get(0),
              topics.get(1),
              Duration.ofSeconds(10))) {
        preload = SimulationRunner.runAll(new Simulation(simulation), sink);
      }
      long events = preload.transactions() + preload.labels();
      System.out.printf(
          "preloaded %,d events in %.1f s (%,.0f events/s through the registry serializer into Kafka)%n",
          events,
          preload.elapsed().toMillis() / 1e3,
          events / (preload.elapsed().toMillis() / 1e3));

      Path checkpoints = Files.createTempDirectory("sluice-bench-checkpoints");
      IngestJob.Config config =
          new IngestJob.Config(
              connection.bootstrapServers(),
              connection.registry(),
              topics.get(0),
              topics.get(1),
              topics.get(2),
              topics.get(3),
              topics.get(4),
              prefix,
              KafkaConnectors.StartFrom.EARLIEST,
              IngestJob.Timing.DEFAULTS,
              IngestRules.Settings.DEFAULTS,
              new CheckpointSettings(checkpoints.toUri(), checkpointInterval, 0));
      StreamExecutionEnvironment env =
          FlinkEnvironments.create(FlinkEnvironments.Mode.LOCAL, config.checkpoints(), 0);
      env.setParallelism(parallelism);
      long start = System.nanoTime();
      JobClient job = IngestJob.start(env, config);
      try {
        Counts counts = awaitCommitted(topics.subList(2, 5), events, start);
        double total = (counts.lastNanos - start) / 1e9;
        double steady = (counts.lastNanos - counts.firstNanos) / 1e9;
        System.out.printf(
            "ingest: %,d of %,d events committed downstream (%,d dead letters%s)%n",
            counts.total,
            events,
            counts.deadLetters,
            counts.deadLetters == 0 ? "" : ": " + counts.deadLetterClasses);
        System.out.printf(
            "ingest: %.1f s from job submission to the last commit -> %,.0f events/s end to end%n",
            total, counts.total / total);
        System.out.printf(
            "ingest: %.1f s from the first to the last commit -> %,.0f events/s steady state (parallelism %d, checkpoints every %s)%n",
            steady, (counts.total - counts.firstBatch) / steady, parallelism, checkpointInterval);
        return counts.total == events ? 0 : 1;
      } finally {
        job.cancel().get();
      }
    }

    private record Counts(
        long total,
        long deadLetters,
        Map<String, Long> deadLetterClasses,
        long firstBatch,
        long firstNanos,
        long lastNanos) {}

    private Counts awaitCommitted(List<String> outputs, long expected, long start) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
      long total = 0;
      long dead = 0;
      Map<String, Long> classes = new java.util.TreeMap<>();
      long firstBatch = 0;
      long firstNanos = 0;
      long lastNanos = start;
      long deadline = start + timeout.toNanos();
      try (SchemaRegistryClient registry = SchemaRegistryClients.create(connection.registry());
          KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(
                  props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        AvroWireDeserializer<DeadLetter> letters =
            AvroWireDeserializer.forSpecific(registry, DeadLetter.class);
        consumer.subscribe(outputs);
        while (total < expected && System.nanoTime() < deadline) {
          var records = consumer.poll(Duration.ofMillis(200));
          if (records.isEmpty()) {
            continue;
          }
          long now = System.nanoTime();
          if (firstNanos == 0) {
            firstNanos = now;
            firstBatch = records.count();
          }
          for (var record : records) {
            if (record.topic().endsWith("dead-letters")) {
              dead++;
              try {
                classes.merge(letters.deserialize(record.value()).getErrorClass(), 1L, Long::sum);
              } catch (WireFormatException e) {
                classes.merge("(undecodable dead letter)", 1L, Long::sum);
              }
            }
          }
          total += records.count();
          lastNanos = now;
        }
      }
      return new Counts(total, dead, classes, firstBatch, firstNanos, lastNanos);
    }
  }
}

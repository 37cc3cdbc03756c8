package dev.sluice.cli;

import dev.sluice.avro.Transaction;
import dev.sluice.jobs.BackfillJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.features.FeatureWorkflow;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreSinks;
import dev.sluice.state.online.OnlineStoreSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench features}: the feature operators' throughput. Simulates days of the
 * handbook's traffic into Avro files, runs the streaming feature workflow over them (STREAMING
 * execution, RocksDB state, checkpoints, the Redis online store and the Parquet offline store as in
 * production; only the Kafka source and the feature-rows topic are left out, which the ingest
 * benchmark measures), then the backfill (BATCH) over the same files, and prints events/s for both
 * and the offline store's bytes per row.
 */
@Command(
    name = "features",
    mixinStandardHelpOptions = true,
    description = {
      "Run the feature workflow over simulated history, streaming (RocksDB, checkpoints, Redis,",
      "Parquet) and as a backfill (BATCH), and report events/s and Parquet bytes per row. Needs Redis",
      "(bin/sluice infra up redis) unless --no-redis."
    })
final class BenchFeatures implements Callable<Integer> {
  @Mixin RedisOptions redis;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Simulated days of the handbook's population (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--no-redis", description = "Leave the online store out of the streaming run.")
  boolean noRedis;

  @Override
  public Integer call() throws Exception {
    if (days < 1) {
      throw new IllegalArgumentException("--days must be >= 1, got " + days);
    }
    Path work = Files.createTempDirectory(Project.home().resolve("var"), "bench-features-");
    try {
      Path files = work.resolve("history");
      SimulatorConfig config = SimulatorConfig.builder().days(days).build();
      SimulationSummary summary;
      try (AvroFilesSink sink = new AvroFilesSink(files, config.toString())) {
        summary = SimulationRunner.runAll(new Simulation(config), sink);
      }
      long transactions = summary.transactions();
      long events = transactions + summary.labels();
      System.out.printf(
          "history: %,d transactions + %,d labels over %d days%n",
          transactions, summary.labels(), days);

      String streamingStore = work.resolve("streaming").toUri().toString();
      double streaming = time(() -> runStreaming(files, streamingStore, work));
      System.out.printf(
          "streaming feature workflow (RocksDB, checkpoints every 10 s, %s, Parquet): %.1f s, %,.0f events/s%n",
          noRedis ? "no Redis" : "Redis " + redis.nodes(), streaming, events / streaming);

      String backfillStore = work.resolve("backfill").toUri().toString();
      double backfill =
          time(
              () -> {
                StreamExecutionEnvironment env = environment(work);
                BackfillJob.run(env, filesConfig(files, backfillStore));
              });
      System.out.printf(
          "backfill (BATCH, Parquet incl. raw archive): %.1f s, %,.0f events/s%n",
          backfill, events / backfill);

      FeatureSet<Transaction> set = FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);
      OfflineStoreLayout layout = new OfflineStoreLayout(streamingStore);
      for (ViewSchema schema : set.schemas()) {
        long bytes = size(Path.of(layout.viewDir(schema.view()).toUri()));
        System.out.printf(
            "offline store, view %-18s %2d features: %,d bytes, %.1f bytes/row%n",
            schema.view(), schema.columns().size(), bytes, (double) bytes / transactions);
      }
      return 0;
    } finally {
      deleteRecursively(work);
    }
  }

  private void runStreaming(Path files, String store, Path work) throws Exception {
    StreamExecutionEnvironment env = environment(work);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    // The backfill's own reading of the files, here in STREAMING execution.
    BackfillJob.History history = BackfillJob.history(env, filesConfig(files, store));
    FeatureSet<Transaction> set = FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);
    OfflineStoreLayout layout = new OfflineStoreLayout(store);
    FeatureWorkflow.define(
        history.transactions(),
        history.labels(),
        set,
        Duration.ofHours(1),
        new FeatureWorkflow.Sinks(
            new DiscardingSink<>(),
            noRedis ? null : new OnlineStoreSink(redis.settings(), set.onlineSchemas()),
            schema -> OfflineStoreSinks.viewRows(layout, schema),
            null,
            null,
            null));
    env.execute("sluice bench features");
  }

  private static BackfillJob.Config filesConfig(Path files, String offlineStore) {
    return new BackfillJob.Config(
        BackfillJob.From.FILES,
        files.toString(),
        null,
        null,
        null,
        null,
        offlineStore,
        FraudFeatures.TerminalRisk.AS_KNOWN,
        null);
  }

  private StreamExecutionEnvironment environment(Path work) {
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            FlinkEnvironments.Mode.LOCAL,
            new CheckpointSettings(work.resolve("checkpoints").toUri(), Duration.ofSeconds(10), 0),
            0);
    env.setParallelism(parallelism);
    return env;
  }

  private interface Run {
    void run() throws Exception;
  }

  private static double time(Run run) throws Exception {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

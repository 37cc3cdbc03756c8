package dev.sluice.cli;

import dev.sluice.avro.Prediction;
import dev.sluice.cli.infra.FlinkRestClient;
import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.infra.RedisService;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.jobs.PlatformJob;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.Pacer;
import dev.sluice.simulator.ProgressReporter;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.online.RedisSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@code sluice bench pipeline}: the whole platform job (decode, validate, features into Redis and
 * Parquet, scoring, predictions, monitoring) end to end against the local services, next to a bare
 * Flink passthrough of the same topics in the same run. Four runs, each in a fresh MiniCluster of
 * this JVM with exactly-once sinks and RocksDB:
 *
 * <ol>
 *   <li>{@code passthrough}: topics pre-loaded; a job that reads both inputs and writes each record
 *       as it is to another topic, exactly once;
 *   <li>{@code preloaded}: the same topics through the platform job;
 *   <li>{@code max-rate}: the platform job while the simulator sends as fast as it can;
 *   <li>{@code paced}: the simulator at a fixed rate (half the max-rate's by default): latency from
 *       each transaction's append to its topic to its prediction's append (visible to
 *       read_uncommitted consumers) and to its commit (visible to read_committed consumers), and
 *       online-store reads while the job writes.
 * </ol>
 *
 * <p>CPU is measured per thread and attributed to the stages by the task names the threads carry;
 * what no Java thread accounts for (GC, JIT, RocksDB's native threads) is shown apart. The
 * simulator's and the harness's own threads are left out of the pipeline's CPU.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "The full platform job end to end against the local services, with a bare Flink passthrough",
      "of the same topics as baseline: throughput (pre-loaded and with the producer running),",
      "latency from event to prediction at a fixed rate, CPU per event and per stage, memory,",
      "checkpoints. Prints a table and writes it to --out. Starts the local services if needed."
    })
final class BenchPipeline implements Callable<Integer> {
  private static final double MB = 1024.0 * 1024.0;

  @Spec CommandSpec spec;

  @Option(
      names = "--days",
      defaultValue = "20",
      description =
          "Simulated days pre-loaded for the passthrough and pre-loaded runs (default: ${DEFAULT-VALUE}; about 19,000 events a day).")
  int days;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      defaultValue = "90s",
      description =
          "Length of the max-rate and the paced run each (default: ${DEFAULT-VALUE}); 30m shows whether memory stays bounded.")
  Duration duration;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "Offered rate of the paced run in events/s (default: half the max-rate run's sustained rate).")
  double rate;

  @Option(
      names = "--runs",
      split = ",",
      defaultValue = "passthrough,preloaded,max-rate,paced",
      description = "Which runs, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> runs;

  @Option(
      names = "--checkpoint-interval",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "Checkpoint interval of every run (default: ${DEFAULT-VALUE}).")
  Duration checkpointInterval;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Job parallelism (default: ${DEFAULT-VALUE}, the machine's cores).")
  int parallelism;

  @Option(
      names = "--model",
      defaultValue = "bench-pipeline",
      description =
          "Registered model to score with; trained and registered first if it has no champion (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--jfr",
      description =
          "Record a JFR profile (settings 'profile') of each platform run next to --out, for 'jfr print' or JDK Mission Control.")
  boolean jfr;

  @Option(
      names = "--out",
      description = "Where the table goes too (default: var/bench/pipeline-<time>.txt).")
  Path out;

  @Option(
      names = "--warm-up",
      converter = DurationConverter.class,
      defaultValue = "90s",
      description =
          "Run the platform job this long first, unmeasured, on topics of its own, so that the JIT has compiled the hot code before anything is timed (default: ${DEFAULT-VALUE}; 0s to skip).")
  Duration warmUp;

  /** How long a pre-loaded run may take: {@link #duration}, or {@link #warmUp} while warming up. */
  private Duration runLength;

  /**
   * The platform job over pre-loaded topics of its own for {@link #warmUp}, reported but left out
   * of the table: in a cold JVM the JIT compilers took more CPU than the job (100 s of compilation
   * in a 90 s run on 2 cores).
   */
  private void warmUp(String stamp, Path work) throws Exception {
    DemoPipeline.Names names = new DemoPipeline.Names("bench-pipe-" + stamp + "-warm");
    names.createTopics();
    try {
      Preload preload = preload(names);
      runLength = warmUp;
      platformPreloaded("warm-up", names, preload, work);
    } finally {
      runLength = duration;
      deleteTopics(names);
    }
  }

  private static final List<String> RUNS = List.of("passthrough", "preloaded", "max-rate", "paced");

  private final StringBuilder report = new StringBuilder();

  @Override
  public Integer call() throws Exception {
    for (String run : runs) {
      if (!RUNS.contains(run)) {
        throw new ParameterException(
            spec.commandLine(), "--runs: unknown run '" + run + "', expected some of " + RUNS);
      }
    }
    if (days < 1 || days > 60) {
      throw new ParameterException(spec.commandLine(), "--days must be within 1..60, got " + days);
    }
    if (duration.compareTo(Duration.ofSeconds(20)) < 0) {
      throw new ParameterException(spec.commandLine(), "--duration must be at least 20s");
    }
    if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
      throw new ParameterException(spec.commandLine(), "--rate must be >= 0, got " + rate);
    }
    if (parallelism < 1) {
      throw new ParameterException(spec.commandLine(), "--parallelism must be >= 1");
    }
    String stamp =
        DateTimeFormatter.ofPattern("MMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    if (out == null) {
      out = Project.home().resolve("var/bench").resolve("pipeline-" + stamp + ".txt");
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    new LocalInfra(Project.layout(null), Project.console(), LocalInfra.allServices()).up();
    TopicsCommand.createAll(KafkaService.BOOTSTRAP, Project.console());
    FirstModels.ensure(ConnectionOptions.local(), model, "bench pipeline");
    Path work = Files.createTempDirectory("sluice-bench-pipeline");
    line(
        "sluice bench pipeline %s: %d cores, heap max %.0f MB, parallelism %d, checkpoints every %s,"
            + " exactly-once sinks, RocksDB",
        stamp,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / MB,
        parallelism,
        DurationConverter.format(checkpointInterval));
    List<Result> results = new ArrayList<>();
    runLength = duration;
    if (!warmUp.isZero()) {
      warmUp(stamp, work);
    }
    DemoPipeline.Names preloadedNames = new DemoPipeline.Names("bench-pipe-" + stamp + "-pre");
    try {
      if (runs.contains("passthrough") || runs.contains("preloaded")) {
        preloadedNames.createTopics();
        Preload preload = preload(preloadedNames);
        if (runs.contains("passthrough")) {
          // Three times: a run of a few seconds is noisy; the median goes in the table.
          List<Result> three = new ArrayList<>();
          for (int i = 1; i <= 3; i++) {
            three.add(passthrough(preloadedNames, preload, work, i));
          }
          three.sort(java.util.Comparator.comparingDouble(Result::rate));
          results.add(three.get(1));
        }
        if (runs.contains("preloaded")) {
          results.add(platformPreloaded("preloaded", preloadedNames, preload, work));
        }
      }
      double maxRate = 0;
      if (runs.contains("max-rate")) {
        Result r = platformLive("max-rate", 0, "bench-pipe-" + stamp + "-max", work);
        results.add(r);
        maxRate = r.eventsPerSecond;
      }
      if (runs.contains("paced")) {
        double offered = rate > 0 ? rate : maxRate > 0 ? maxRate / 2 : 5000;
        results.add(platformLive("paced", offered, "bench-pipe-" + stamp + "-paced", work));
      }
    } finally {
      deleteTopics(preloadedNames);
      deleteRedisKeys("sluice-bench-pipe");
    }
    summarize(results);
    Files.writeString(out, report.toString());
    System.out.println("written to " + out);
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // The runs

  private record Preload(long transactions, long labels) {
    long events() {
      return transactions + labels;
    }
  }

  private Preload preload(DemoPipeline.Names names) throws Exception {
    SimulatorConfig simulation = SimulatorConfig.builder().days(days).build();
    SimulationSummary summary;
    try (KafkaEventSink sink = sink(names)) {
      summary = SimulationRunner.runAll(new Simulation(simulation), sink);
    }
    Preload p = new Preload(summary.transactions(), summary.labels());
    line(
        "pre-loaded %d simulated days: %,d transactions + %,d labels = %,d events in %.1f s",
        days, p.transactions, p.labels, p.events(), summary.elapsed().toMillis() / 1e3);
    return p;
  }

  /** The baseline: read both inputs as bytes and write each record to another topic. */
  private Result passthrough(DemoPipeline.Names names, Preload preload, Path work, int attempt)
      throws Exception {
    String output = names.prefix() + "-passthrough-" + attempt;
    createTopic(output, 4);
    try {
      StreamExecutionEnvironment env = environment(work, "passthrough-" + attempt);
      KafkaSource<Tuple2<byte[], byte[]>> source =
          KafkaSource.<Tuple2<byte[], byte[]>>builder()
              .setBootstrapServers(KafkaService.BOOTSTRAP)
              .setTopics(names.topic(Topics.TRANSACTIONS), names.topic(Topics.LABELS))
              .setGroupId(output)
              .setStartingOffsets(OffsetsInitializer.earliest())
              .setProperty("isolation.level", "read_committed")
              .setDeserializer(new RawRecords())
              .build();
      KafkaSink<Tuple2<byte[], byte[]>> sink =
          KafkaSink.<Tuple2<byte[], byte[]>>builder()
              .setBootstrapServers(KafkaService.BOOTSTRAP)
              .setRecordSerializer(
                  (KafkaRecordSerializationSchema<Tuple2<byte[], byte[]>>)
                      (r, context, timestamp) -> new ProducerRecord<>(output, r.f0, r.f1))
              .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
              .setTransactionalIdPrefix(output)
              .setProperty("transaction.timeout.ms", KafkaConnectors.TRANSACTION_TIMEOUT_MS)
              .build();
      env.fromSource(source, WatermarkStrategy.noWatermarks(), "passthrough-source")
          .uid("passthrough-source")
          .sinkTo(sink)
          .uid("passthrough-sink")
          .name("passthrough-sink");
      return timed(
          "passthrough",
          env,
          "sluice bench passthrough",
          null,
          new Watch(output, preload.events(), 1.0, false),
          preload.events(),
          null);
    } finally {
      deleteTopic(output);
    }
  }

  private Result platformPreloaded(
      String what, DemoPipeline.Names names, Preload preload, Path work) throws Exception {
    StreamExecutionEnvironment env = environment(work, what);
    return timed(
        what,
        env,
        null,
        config(names, work, what),
        new Watch(
            names.topic(Topics.PREDICTIONS),
            preload.transactions(),
            (double) preload.events() / preload.transactions(),
            true),
        preload.events(),
        null);
  }

  /**
   * The platform job while the simulator sends: as fast as it can ({@code offered} 0) or paced at
   * {@code offered} events/s, for {@link #duration}.
   */
  private Result platformLive(String what, double offered, String prefix, Path work)
      throws Exception {
    DemoPipeline.Names names = new DemoPipeline.Names(prefix);
    names.createTopics();
    try {
      StreamExecutionEnvironment env = environment(work, what);
      Live live = new Live(names, offered);
      // Events per transaction in the handbook's steady state (each transaction gets a label).
      Watch watch =
          new Watch(names.topic(Topics.PREDICTIONS), Long.MAX_VALUE, 2.0, true).timing(live.sentAt);
      return timed(what, env, null, config(names, work, what), watch, 0, live);
    } finally {
      deleteTopics(names);
    }
  }

  private PlatformJob.Config config(DemoPipeline.Names names, Path work, String what) {
    return DemoPipeline.config(
        names,
        model,
        work.resolve("offline-" + what).toUri().toString(),
        // Judge drift and alarms from the first day, so monitoring does all its work.
        SimulatorConfig.builder().build().start(),
        checkpointInterval,
        RedisSettings.standalone("127.0.0.1", RedisService.PORT)
            .withKeyPrefix("sluice-bench-pipe-" + what));
  }

  private StreamExecutionEnvironment environment(Path work, String what) throws IOException {
    restPort = freePort();
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            FlinkEnvironments.Mode.LOCAL,
            new CheckpointSettings(
                work.resolve("checkpoints-" + what).toUri(), checkpointInterval, 0),
            restPort);
    env.setParallelism(parallelism);
    return env;
  }

  private int restPort;

  /**
   * Runs one job until {@code watch} has seen its expected outputs (or stalls), or, with {@code
   * live}, for {@link #duration} while the simulator sends.
   */
  private Result timed(
      String what,
      StreamExecutionEnvironment env,
      String jobName,
      PlatformJob.Config platform,
      Watch watch,
      long expectedEvents,
      Live live)
      throws Exception {
    System.out.printf("%n== %s ==%n", what);
    Sampler sampler = new Sampler();
    jdk.jfr.Recording recording = null;
    if (jfr && platform != null && !what.equals("warm-up")) {
      recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      recording.start();
    }
    ThreadCpu cpu = ThreadCpu.start();
    long start = System.nanoTime();
    JobClient job =
        platform == null
            ? env.executeAsync(jobName)
            : PlatformJob.start(env, platform, OnnxScorer.FACTORY, "sluice bench " + what);
    Thread watcher = watch.start();
    Thread committed = watch.committedWatcher();
    Thread reader = null;
    FlinkRestClient rest = FlinkRestClient.local(restPort);
    String jobId = job.getJobID().toHexString();
    Result result = new Result(what);
    try {
      if (live == null) {
        awaitDone(watch, start, sampler);
        result.seconds = (watch.lastNanos.get() - start) / 1e9;
        result.steadyEventsPerSecond = watch.steadyRate(0.1, 0.9) * watch.eventsPerOutput;
        result.events = Math.round(watch.seen.get() * watch.eventsPerOutput);
        result.eventsPerSecond = result.events / result.seconds;
      } else {
        // The job first: its sources start at the earliest offsets, so nothing sent is missed.
        awaitRunning(rest, jobId);
        live.start();
        reader = live.readOnlineStore(what);
        long warmUp = System.nanoTime() + duration.toNanos() / 5;
        long end = System.nanoTime() + duration.toNanos();
        long outputsAtWarmUp = -1;
        long sentAtWarmUp = 0;
        long minute = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
          Thread.sleep(200);
          sampler.sample();
          if (outputsAtWarmUp < 0 && System.nanoTime() >= warmUp) {
            outputsAtWarmUp = watch.seen.get();
            sentAtWarmUp = live.sent.get();
            watch.latencyFrom(System.currentTimeMillis());
            cpu.rebase();
            sampler.rebase();
          }
          if (System.nanoTime() >= minute && duration.toMinutes() >= 5) {
            minute += 60_000_000_000L;
            System.out.println("  " + sampler.minuteLine(rest, jobId, live, watch));
          }
        }
        double measured = (System.nanoTime() - warmUp) / 1e9;
        long outputs = watch.seen.get() - outputsAtWarmUp;
        double eventsPerTransaction =
            live.transactions.get() == 0 ? 2.0 : (double) live.sent.get() / live.transactions.get();
        result.seconds = measured;
        result.events = Math.round(outputs * eventsPerTransaction);
        result.eventsPerSecond = result.events / measured;
        result.offeredPerSecond = (live.sent.get() - sentAtWarmUp) / measured;
        result.backlogTransactions = live.transactions.get() - watch.seen.get();
        result.written = watch.written.summary();
        result.committed = watch.committedLatency.summary();
        result.reads = live.reads.summary();
        result.offered = live.offered;
        live.stop();
      }
      sampler.sample();
      result.cpu = cpu.stop();
      result.heap = sampler;
      result.checkpoints = rest.checkpointSummary(jobId);
    } finally {
      watch.stop();
      if (live != null) {
        live.stop();
      }
      try {
        job.cancel().get();
      } catch (Exception e) {
        // finished or failed already: nothing left to stop
      }
      watcher.join(10_000);
      if (committed != null) {
        committed.join(10_000);
      }
      if (reader != null) {
        reader.join(10_000);
      }
      if (recording != null) {
        Path file =
            out.resolveSibling(
                out.getFileName().toString().replace(".txt", "") + "-" + what + ".jfr");
        recording.dump(file);
        recording.close();
        System.out.println("JFR profile: " + file);
      }
    }
    result.print(this);
    return result;
  }

  private void awaitDone(Watch watch, long start, Sampler sampler) throws InterruptedException {
    long stallLimit = Math.max(30_000_000_000L, 3 * checkpointInterval.toNanos());
    long deadline = start + runLength.toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(200);
      sampler.sample();
      long seen = watch.committedSeen.get();
      if (seen >= watch.expected) {
        return;
      }
      long last = Math.max(watch.lastCommittedNanos.get(), start);
      if (seen > 0 && System.nanoTime() - last > stallLimit) {
        System.out.printf(
            "  no new output for %.0f s: %,d of %,d outputs committed%n",
            (System.nanoTime() - last) / 1e9, seen, watch.expected);
        return;
      }
    }
    System.out.printf(
        "  stopped after %s: %,d of %,d outputs written%n",
        DurationConverter.format(runLength), watch.seen.get(), watch.expected);
  }

  private static void awaitRunning(FlinkRestClient rest, String jobId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if ("RUNNING".equals(rest.job(jobId).state())) {
          Thread.sleep(2000); // tasks deploy after the job turns RUNNING
          return;
        }
      } catch (IOException e) {
        // REST endpoint not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the job did not start within 2 minutes");
  }

  // ---------------------------------------------------------------------------------------------
  // The simulator while the job runs, and online-store reads

  private final class Live {
    final DemoPipeline.Names names;
    final double offered;
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    final AtomicBoolean stopping = new AtomicBoolean();
    final AtomicReferenceArray<String> customers = new AtomicReferenceArray<>(4096);
    final Latencies reads = new Latencies();
    Thread thread;

    Live(DemoPipeline.Names names, double offered) {
      this.names = names;
      this.offered = offered;
    }

    void start() {
      SimulatorConfig simulation = SimulatorConfig.builder().days(365).build();
      thread =
          new Thread(
              () -> {
                try (KafkaEventSink sink = sink(names)) {
                  sink.onAcknowledged(
                      (event, appendedAt) -> {
                        sent.incrementAndGet();
                        if (event instanceof SimulatedEvent.TransactionEvent tx) {
                          long n = transactions.incrementAndGet();
                          sentAt.put(tx.transaction().getTransactionId(), appendedAt);
                          customers.set((int) (n & 4095), tx.transaction().getCustomerId());
                        }
                      });
                  SimulationRunner.run(
                      new Simulation(simulation),
                      sink,
                      offered > 0 ? Pacer.atRate(offered) : Pacer.unlimited(),
                      ProgressReporter.silent(),
                      stopping::get);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (Exception e) {
                  System.err.println("bench: the simulator stopped: " + e.getMessage());
                }
              },
              "bench-producer");
      thread.setDaemon(true);
      thread.start();
    }

    /** Single-entity reads of the customer view at ~200/s, as a scorer would make them. */
    Thread readOnlineStore(String what) {
      ViewSchema schema =
          FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN).onlineSchemas().get(0);
      Thread t =
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(7);
                try (RedisOnlineFeatureStore store =
                    RedisOnlineFeatureStore.open(
                        RedisSettings.standalone("127.0.0.1", RedisService.PORT)
                            .withKeyPrefix("sluice-bench-pipe-" + what))) {
                  while (!stopping.get()) {
                    String customer = customers.get(random.nextInt(4096));
                    if (customer != null) {
                      long t0 = System.nanoTime();
                      store.read(schema, customer, Instant.now());
                      reads.add((System.nanoTime() - t0) / 1000);
                    }
                    Thread.sleep(5);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  System.err.println("bench: online-store reads stopped: " + e.getMessage());
                }
              },
              "bench-online-reads");
      t.setDaemon(true);
      t.start();
      return t;
    }

    void stop() throws InterruptedException {
      stopping.set(true);
      if (thread != null) {
        thread.join(30_000);
      }
    }
  }

  private KafkaEventSink sink(DemoPipeline.Names names) {
    return new KafkaEventSink(
        KafkaService.BOOTSTRAP,
        ConnectionOptions.local().registry(),
        names.topic(Topics.TRANSACTIONS),
        names.topic(Topics.LABELS),
        Duration.ofSeconds(10));
  }

  // ---------------------------------------------------------------------------------------------
  // Watching the output

  /**
   * Reads an output topic twice: read_uncommitted (records as the job writes them, for progress and
   * the written latency) and read_committed (what other apps see).
   */
  private static final class Watch {
    final String topic;
    final long expected;
    final double eventsPerOutput;
    final AtomicLong seen = new AtomicLong();
    final AtomicLong committedSeen = new AtomicLong();
    final AtomicLong lastNanos = new AtomicLong();
    final AtomicLong lastCommittedNanos = new AtomicLong();
    final AtomicBoolean stopping = new AtomicBoolean();
    final List<long[]> progress = java.util.Collections.synchronizedList(new ArrayList<>());
    final Latencies written = new Latencies();
    final Latencies committedLatency = new Latencies();
    final boolean decisionsOnly;
    Map<String, Long> sentAt;
    volatile long latencyFromMillis = Long.MAX_VALUE;

    /**
     * @param decisionsOnly the topic holds predictions: count the champion's decisions only
     */
    Watch(String topic, long expected, double eventsPerOutput, boolean decisionsOnly) {
      this.topic = topic;
      this.expected = expected;
      this.eventsPerOutput = eventsPerOutput;
      this.decisionsOnly = decisionsOnly;
    }

    Watch timing(Map<String, Long> sentAt) {
      this.sentAt = sentAt;
      return this;
    }

    void latencyFrom(long wallMillis) {
      latencyFromMillis = wallMillis;
    }

    Thread start() {
      return thread("read_uncommitted", false);
    }

    Thread committedWatcher() {
      return thread("read_committed", true);
    }

    private Thread thread(String isolation, boolean committed) {
      Thread t =
          new Thread(
              () -> {
                Properties props = new Properties();
                props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaService.BOOTSTRAP);
                props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-watch-" + UUID.randomUUID());
                props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
                props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
                props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-watch-" + isolation);
                try (SchemaRegistryClient registry =
                        SchemaRegistryClients.create(ConnectionOptions.local().registry());
                    KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                            props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                  AvroWireDeserializer<Prediction> predictions =
                      AvroWireDeserializer.forSpecific(registry, Prediction.class);
                  consumer.subscribe(List.of(topic));
                  while (!stopping.get()) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                      continue;
                    }
                    long now = System.nanoTime();
                    long wall = System.currentTimeMillis();
                    int count = 0;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                      // Decisions only: a challenger's shadow scores double the records.
                      if (decisionsOnly && isShadow(predictions, r.value())) {
                        continue;
                      }
                      count++;
                      if (sentAt == null || r.key() == null) {
                        continue;
                      }
                      String id = new String(r.key(), StandardCharsets.UTF_8);
                      Long at = committed ? sentAt.remove(id) : sentAt.get(id);
                      if (at != null && at >= latencyFromMillis) {
                        if (committed) {
                          committedLatency.add((wall - at) * 1000);
                        } else {
                          written.add((r.timestamp() - at) * 1000);
                        }
                      }
                    }
                    if (committed) {
                      committedSeen.addAndGet(count);
                      lastCommittedNanos.set(now);
                    } else {
                      long total = seen.addAndGet(count);
                      lastNanos.set(now);
                      progress.add(new long[] {now, total});
                    }
                  }
                }
              },
              "bench-watch-" + isolation);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static boolean isShadow(AvroWireDeserializer<Prediction> predictions, byte[] value) {
      try {
        return predictions.deserialize(value).getShadow();
      } catch (WireFormatException e) {
        throw new IllegalStateException("an undecodable prediction: " + e.getMessage(), e);
      }
    }

    /** Outputs per second between the moments {@code from} and {@code to} of them were seen. */
    double steadyRate(double from, double to) {
      long total = seen.get();
      long[] a = null;
      long[] b = null;
      synchronized (progress) {
        for (long[] p : progress) {
          if (a == null && p[1] >= from * total) {
            a = p;
          }
          if (b == null && p[1] >= to * total) {
            b = p;
          }
        }
      }
      if (a == null || b == null || b[0] == a[0]) {
        return Double.NaN;
      }
      return (b[1] - a[1]) / ((b[0] - a[0]) / 1e9);
    }

    void stop() {
      stopping.set(true);
    }
  }

  /** Recorded values in microseconds; percentiles by sorting at the end. */
  static final class Latencies {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void add(long micros) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = micros;
    }

    synchronized Summary summary() {
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      return new Summary(
          size,
          at(sorted, 0.5),
          at(sorted, 0.99),
          at(sorted, 0.999),
          size == 0 ? 0 : sorted[size - 1]);
    }

    private static long at(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    record Summary(int count, long p50, long p99, long p999, long max) {
      String millis() {
        return count == 0
            ? "-"
            : String.format(
                Locale.ROOT,
                "%.1f / %.1f / %.1f ms (max %.1f, n=%,d)",
                p50 / 1e3,
                p99 / 1e3,
                p999 / 1e3,
                max / 1e3,
                count);
      }

      String micros() {
        return count == 0
            ? "-"
            : String.format(
                Locale.ROOT, "%d / %d / %d us (max %d, n=%,d)", p50, p99, p999, max, count);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CPU per thread, memory

  /** CPU time per live thread between two moments, grouped by task (subtask index dropped). */
  static final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
    private final Map<Long, Long> base = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private long processBase;
    private long gcBase;
    private long jitBase;

    static ThreadCpu start() {
      ThreadCpu t = new ThreadCpu();
      t.rebase();
      return t;
    }

    synchronized void rebase() {
      base.clear();
      for (long id : THREADS.getAllThreadIds()) {
        long cpu = THREADS.getThreadCpuTime(id);
        if (cpu >= 0) {
          base.put(id, cpu);
        }
      }
      processBase = BenchMonitoring.processCpuNanos();
      gcBase = gcMillis();
      jitBase = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    private static long gcMillis() {
      long total = 0;
      for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        total += Math.max(0, gc.getCollectionTime());
      }
      return total;
    }

    synchronized Cpu stop() {
      long process = BenchMonitoring.processCpuNanos() - processBase;
      for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info == null) {
          continue;
        }
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          last.put(info.getThreadId(), cpu);
          names.put(info.getThreadId(), info.getThreadName());
        }
      }
      Map<String, Long> byGroup = new LinkedHashMap<>();
      long threads = 0;
      for (var e : last.entrySet()) {
        long delta = e.getValue() - base.getOrDefault(e.getKey(), 0L);
        if (delta <= 0) {
          continue;
        }
        String name = SUBTASK.matcher(names.get(e.getKey())).replaceAll("");
        byGroup.merge(group(name), delta, Long::sum);
        threads += delta;
      }
      return new Cpu(
          process,
          threads,
          byGroup,
          gcMillis() - gcBase,
          ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBase);
    }

    /** Flink task threads keep their chain's name; Kafka clients' threads their client id. */
    private static String group(String name) {
      if (name.startsWith("kafka-producer-network-thread")) {
        return name.contains("sluice-simulator")
            ? "harness: simulator"
            : "kafka producers (sinks' I/O)";
      }
      if (name.startsWith("bench-") || name.contains("bench-watch")) {
        return name.startsWith("bench-producer")
            ? "harness: simulator"
            : "harness: watchers, reads";
      }
      if (name.startsWith("Source Data Fetcher for ")) {
        return "kafka source fetchers";
      }
      if (name.startsWith("kafka-") || name.contains("consumer")) {
        return "kafka clients (other)";
      }
      return name.replaceAll("\\d+", "#");
    }
  }

  /**
   * @param gcMillis time the collectors report (pauses and concurrent work, not CPU)
   * @param jitMillis time the JIT compilers spent (what warm-up costs)
   */
  record Cpu(
      long processNanos,
      long threadNanos,
      Map<String, Long> byGroup,
      long gcMillis,
      long jitMillis) {
    long harnessNanos() {
      return byGroup.entrySet().stream()
          .filter(e -> e.getKey().startsWith("harness"))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }

    long pipelineNanos() {
      return processNanos - harnessNanos();
    }

    /** Stage of a task thread, by the operator names it carries. */
    static String stage(String group) {
      String g = group.toLowerCase(Locale.ROOT);
      if (g.startsWith("harness") || g.startsWith("kafka")) {
        return group;
      }
      // A chain is named after its operators; its first one (after a source) says the stage.
      String[] ops = g.split(" -> ", 2);
      String head = ops[0].startsWith("source: ") && ops.length > 1 ? ops[1] : ops[0];
      if (head.contains("passthrough")) {
        return "passthrough";
      }
      if (head.startsWith("scoring")) {
        return "scoring";
      }
      if (head.matches("^(features|feature-rows|online-store|offline-store|archive).*")) {
        return "features";
      }
      if (head.matches(".*(label-join|evaluation|drift|alarm|monitor|error-stream|metrics).*")) {
        return "monitoring";
      }
      if (head.matches(".*(transactions-|labels-|validator|decode-router|dead-letter|valid-).*")) {
        return "ingest";
      }
      return "flink runtime, other threads";
    }

    Map<String, Long> byStage() {
      Map<String, Long> stages = new LinkedHashMap<>();
      for (var e : byGroup.entrySet()) {
        stages.merge(stage(e.getKey()), e.getValue(), Long::sum);
      }
      stages.put(
          String.format(
              Locale.ROOT,
              "not in Java threads (GC %.1f s, JIT %.1f s, RocksDB native)",
              gcMillis / 1e3,
              jitMillis / 1e3),
          processNanos - threadNanos);
      return stages;
    }
  }

  /** Heap and resident memory, sampled while a run goes. */
  static final class Sampler {
    double maxHeapUsedMb;
    double firstOldAfterGcMb = -1;
    double lastOldAfterGcMb;
    double maxRssMb;
    double firstRssMb = -1;
    double lastRssMb;

    void sample() {
      double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB;
      maxHeapUsedMb = Math.max(maxHeapUsedMb, heap);
      double old = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          old += pool.getCollectionUsage().getUsed() / MB;
        }
      }
      lastOldAfterGcMb = old;
      if (firstOldAfterGcMb < 0) {
        firstOldAfterGcMb = old;
      }
      lastRssMb = rssMb();
      if (firstRssMb < 0) {
        firstRssMb = lastRssMb;
      }
      maxRssMb = Math.max(maxRssMb, lastRssMb);
    }

    void rebase() {
      firstOldAfterGcMb = -1;
      firstRssMb = -1;
      sample();
    }

    String minuteLine(FlinkRestClient rest, String jobId, Live live, Watch watch) {
      String state = "";
      try {
        FlinkRestClient.CheckpointSummary c = rest.checkpointSummary(jobId);
        state = String.format(Locale.ROOT, ", checkpoint state %.1f MB", c.latestStateBytes() / MB);
      } catch (IOException | InterruptedException e) {
        // leave it out
      }
      return String.format(
          Locale.ROOT,
          "%s heap after GC %.0f MB, RSS %.0f MB%s, backlog %,d transactions",
          Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          lastOldAfterGcMb,
          lastRssMb,
          state,
          live.transactions.get() - watch.seen.get());
    }

    private static double rssMb() {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (l.startsWith("VmRSS:")) {
            return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not Linux
      }
      return 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Results

  static final class Result {
    final String what;
    double seconds;
    long events;
    double eventsPerSecond;
    double steadyEventsPerSecond = Double.NaN;
    double offered;
    double offeredPerSecond;
    long backlogTransactions;
    Latencies.Summary written;
    Latencies.Summary committed;
    Latencies.Summary reads;
    Cpu cpu;
    Sampler heap;
    FlinkRestClient.CheckpointSummary checkpoints;

    Result(String what) {
      this.what = what;
    }

    /**
     * The run's throughput: pre-loaded runs in their steady state (10% to 90% of the output,
     * leaving out job start and the wait for the last commit), live runs over the measured window.
     */
    double rate() {
      return offeredPerSecond > 0 || Double.isNaN(steadyEventsPerSecond)
          ? eventsPerSecond
          : steadyEventsPerSecond;
    }

    void print(BenchPipeline bench) {
      if (offeredPerSecond > 0) {
        bench.line(
            "%s: %,.0f events/s processed over the last %.0f s (offered %s: %,.0f events/s; backlog at the end %,d transactions)",
            what,
            eventsPerSecond,
            seconds,
            offered > 0 ? String.format(Locale.ROOT, "%,.0f/s", offered) : "as fast as it can",
            offeredPerSecond,
            backlogTransactions);
      } else {
        bench.line(
            "%s: %,d events in %.1f s from submission to the last committed output: %,.0f events/s;"
                + " steady state (10%%..90%% of the output) %,.0f events/s",
            what, events, seconds, eventsPerSecond, steadyEventsPerSecond);
      }
      if (written != null) {
        bench.line(
            "  latency event -> prediction written (read_uncommitted) p50/p99/p99.9: %s",
            written.millis());
        bench.line(
            "  latency event -> prediction committed (read_committed) p50/p99/p99.9: %s",
            committed.millis());
        bench.line(
            "  online-store single-entity reads while the job writes, p50/p99/p99.9: %s",
            reads.micros());
      }
      double pipelineSeconds = cpu.pipelineNanos() / 1e9;
      bench.line(
          "  CPU: pipeline %.1f s (%.2f cores, %.1f us per event), harness %.1f s",
          pipelineSeconds,
          pipelineSeconds / seconds,
          events == 0 ? 0 : cpu.pipelineNanos() / 1e3 / events,
          cpu.harnessNanos() / 1e9);
      for (var e : cpu.byStage().entrySet()) {
        if (!e.getKey().startsWith("harness")) {
          bench.line(
              "    %-48s %6.1f s  %5.1f%%",
              e.getKey(), e.getValue() / 1e9, 100.0 * e.getValue() / cpu.pipelineNanos());
        }
      }
      List<Map.Entry<String, Long>> tasks = new ArrayList<>(cpu.byGroup().entrySet());
      tasks.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      bench.line("    by thread group:");
      for (var e : tasks.subList(0, Math.min(14, tasks.size()))) {
        bench.line(
            "      %5.1f%% %s",
            100.0 * e.getValue() / cpu.processNanos(),
            e.getKey().length() > 150 ? e.getKey().substring(0, 150) + "..." : e.getKey());
      }
      bench.line(
          "  memory: heap used max %.0f MB, after GC %.0f -> %.0f MB; RSS %.0f -> %.0f MB (max %.0f)",
          heap.maxHeapUsedMb,
          heap.firstOldAfterGcMb,
          heap.lastOldAfterGcMb,
          heap.firstRssMb,
          heap.lastRssMb,
          heap.maxRssMb);
      if (checkpoints != null) {
        bench.line(
            "  checkpoints: %d completed, %d failed; duration p50 %d ms, max %d ms; state %.1f MB (max %.1f MB), last one wrote %.1f MB",
            checkpoints.completed(),
            checkpoints.failed(),
            checkpoints.durationP50Ms(),
            checkpoints.durationMaxMs(),
            checkpoints.latestStateBytes() / MB,
            checkpoints.maxStateBytes() / MB,
            checkpoints.latestCheckpointedBytes() / MB);
      }
    }
  }

  private void summarize(List<Result> results) {
    line("");
    line(
        "%-12s %12s %9s %22s %22s %10s %10s %10s",
        "run",
        "events/s",
        "vs pass",
        "written p50/p99/p99.9",
        "committed p50/p99/p99.9",
        "us/event",
        "scoring",
        "monitoring");
    double passthrough =
        results.stream()
            .filter(r -> r.what.equals("passthrough"))
            .mapToDouble(Result::rate)
            .findFirst()
            .orElse(Double.NaN);
    for (Result r : results) {
      Map<String, Long> stages = r.cpu.byStage();
      double pipeline = r.cpu.pipelineNanos();
      line(
          "%-12s %12s %9s %22s %22s %10.1f %9.1f%% %9.1f%%",
          r.what,
          String.format(Locale.ROOT, "%,.0f", r.rate()),
          Double.isNaN(passthrough)
              ? "-"
              : String.format(Locale.ROOT, "%.1f%%", 100 * r.rate() / passthrough),
          percentiles(r.written),
          percentiles(r.committed),
          r.events == 0 ? 0 : pipeline / 1e3 / r.events,
          100 * stages.getOrDefault("scoring", 0L) / pipeline,
          100 * stages.getOrDefault("monitoring", 0L) / pipeline);
    }
  }

  private static String percentiles(Latencies.Summary l) {
    return l == null || l.count() == 0
        ? "-"
        : String.format(
            Locale.ROOT, "%.0f/%.0f/%.0f ms", l.p50() / 1e3, l.p99() / 1e3, l.p999() / 1e3);
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }

  // ---------------------------------------------------------------------------------------------
  // Topics and keys

  private static void createTopic(String name, int partitions) throws Exception {
    Topics.Spec spec = new Topics.Spec(name, partitions, Duration.ofDays(1), "benchmark");
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(spec.configs())))
          .all()
          .get();
    }
  }

  private static void deleteTopics(DemoPipeline.Names names) {
    try {
      names.deleteTopics();
    } catch (Exception e) {
      // never created, or already gone
    }
  }

  private static void deleteTopic(String name) {
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(name)).all().get();
    } catch (Exception e) {
      // already gone
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaService.BOOTSTRAP));
  }

  /** Removes the runs' online-store keys (they carry no expiry). */
  private static void deleteRedisKeys(String prefix) {
    try (Jedis jedis = new Jedis("127.0.0.1", RedisService.PORT)) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams match = new ScanParams().match(prefix + "*").count(1000);
      do {
        ScanResult<String> page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          jedis.unlink(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    } catch (RuntimeException e) {
      System.err.println(
          "bench: could not remove the online-store keys " + prefix + "*: " + e.getMessage());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Kafka records as they are: key and value bytes. */
  static final class RawRecords
      implements KafkaRecordDeserializationSchema<Tuple2<byte[], byte[]>> {
    @Override
    public void deserialize(
        ConsumerRecord<byte[], byte[]> record, Collector<Tuple2<byte[], byte[]>> out) {
      out.collect(Tuple2.of(record.key(), record.value()));
    }

    @Override
    public TypeInformation<Tuple2<byte[], byte[]>> getProducedType() {
      return Types.TUPLE(Types.PRIMITIVE_ARRAY(Types.BYTE), Types.PRIMITIVE_ARRAY(Types.BYTE));
    }
  }
}

package dev.sluice.jobs.retraining;

import dev.sluice.avro.Alert;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.jobs.retraining.LoopController.Step;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.models.ModelRegistry;
import dev.sluice.state.models.RegistryState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The retraining controller as a service: follows the alert, online-metrics and retraining topics,
 * feeds them to a {@link LoopController}, carries out its steps (runs on a worker thread, alias
 * moves in the model registry) and records every step on the retraining topic, from which a
 * restarted controller picks up where this one stopped. One controller per model.
 *
 * <p>Alerts and metrics are read from the consumer group's committed offsets (committed after each
 * batch is handled); without any, from {@link StartFrom}.
 */
public final class RetrainingController implements AutoCloseable {
  /** Where to start reading alerts and metrics when the group has no committed offsets. */
  public enum StartFrom {
    /** From the beginning of the topics when the group has no committed offsets. */
    EARLIEST,
    /** From their end when the group has no committed offsets. */
    LATEST,
    /**
     * From their end whatever was committed, forgetting the loop's state of earlier runs but the
     * run numbering: for a stream that starts over (the demo replays its simulated history from the
     * same first day every time).
     */
    NOW
  }

  /** The topics the controller reads and writes. */
  public record Topics(String alerts, String metrics, String retraining) {}

  private final String bootstrapServers;
  private final KafkaClientSettings kafka;
  private final Topics topics;
  private final LoopController loop;
  private final ModelRegistry registry;
  private final Function<RunSpec, RunResult> runner;
  private final Consumer<String> log;
  private final StartFrom startFrom;
  private final SchemaRegistryClient schemas;
  private final AvroWireSerializer<RetrainingEvent> eventSerializer;
  private final AvroWireDeserializer<Alert> alerts;
  private final AvroWireDeserializer<ModelMetrics> metrics;
  private final AvroWireDeserializer<RetrainingEvent> events;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService worker;
  private final Queue<RunResult> finished = new ConcurrentLinkedQueue<>();
  private volatile boolean stopping;
  private Thread thread;
  private volatile Throwable failure;

  public RetrainingController(
      String bootstrapServers,
      RegistryConfig registryConfig,
      Topics topics,
      String model,
      RetrainingPolicy policy,
      ModelRegistry registry,
      Function<RunSpec, RunResult> runner,
      StartFrom startFrom,
      Consumer<String> log) {
    this(
        KafkaClientSettings.of(Objects.requireNonNull(bootstrapServers, "bootstrapServers")),
        registryConfig,
        topics,
        model,
        policy,
        registry,
        runner,
        startFrom,
        log);
  }

  /** As above, connecting with {@code kafka}'s client properties (security). */
  public RetrainingController(
      KafkaClientSettings kafka,
      RegistryConfig registryConfig,
      Topics topics,
      String model,
      RetrainingPolicy policy,
      ModelRegistry registry,
      Function<RunSpec, RunResult> runner,
      StartFrom startFrom,
      Consumer<String> log) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.bootstrapServers = kafka.bootstrapServers();
    this.topics = Objects.requireNonNull(topics, "topics");
    this.loop = new LoopController(model, policy, Clock.systemUTC());
    this.registry = Objects.requireNonNull(registry, "registry");
    this.runner = Objects.requireNonNull(runner, "runner");
    this.startFrom = Objects.requireNonNull(startFrom, "startFrom");
    this.log = Objects.requireNonNull(log, "log");
    this.schemas = SchemaRegistryClients.create(registryConfig);
    this.eventSerializer = new AvroWireSerializer<>(schemas, registryConfig, false);
    this.alerts = AvroWireDeserializer.forSpecific(schemas, Alert.class);
    this.metrics = AvroWireDeserializer.forSpecific(schemas, ModelMetrics.class);
    this.events = AvroWireDeserializer.forSpecific(schemas, RetrainingEvent.class);
    Properties props = kafka.producer();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-retraining-" + model);
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-retraining-run-" + model);
              t.setDaemon(true);
              return t;
            });
  }

  public String model() {
    return loop.model();
  }

  /** Starts following the topics on a daemon thread. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    thread = new Thread(this::runQuietly, "sluice-retraining-" + loop.model());
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs in the calling thread until {@link #close()}. */
  public void run() throws Exception {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> retraining = partitions(consumer, topics.retraining());
      restore(consumer, retraining);
      List<TopicPartition> inputs = new ArrayList<>(partitions(consumer, topics.alerts()));
      inputs.addAll(partitions(consumer, topics.metrics()));
      List<TopicPartition> all = new ArrayList<>(inputs);
      all.addAll(retraining);
      Map<TopicPartition, Long> positions = new HashMap<>();
      for (TopicPartition p : retraining) {
        positions.put(p, consumer.position(p));
      }
      consumer.assign(all);
      positions.forEach(consumer::seek);
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(new java.util.HashSet<>(inputs));
      List<TopicPartition> fresh = new ArrayList<>();
      for (TopicPartition p : inputs) {
        OffsetAndMetadata at = committed.get(p);
        if (at == null || startFrom == StartFrom.NOW) {
          fresh.add(p);
        } else {
          consumer.seek(p, at.offset());
        }
      }
      // An empty collection would mean every assigned partition.
      if (fresh.isEmpty()) {
        // Every input resumes at its committed offset.
      } else if (startFrom == StartFrom.EARLIEST) {
        consumer.seekToBeginning(fresh);
      } else {
        consumer.seekToEnd(fresh);
      }
      if (!fresh.isEmpty()) {
        log.accept(
            "retraining controller: reading "
                + fresh
                + (startFrom == StartFrom.EARLIEST ? " from the beginning" : " from the end"));
      }
      log.accept(
          "retraining controller for '"
              + loop.model()
              + "' is following "
              + topics
              + " ("
              + loop.describe()
              + "; "
              + loop.policy().describe()
              + ")");
      long lastRegistryRead = 0;
      Map<TopicPartition, OffsetAndMetadata> lastCommitted = Map.of();
      while (!stopping) {
        if (System.nanoTime() - lastRegistryRead > TimeUnit.SECONDS.toNanos(5)) {
          refreshChampion();
          lastRegistryRead = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          handle(r);
        }
        RunResult result;
        while ((result = finished.poll()) != null) {
          execute(loop.onRunFinished(result));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition p : inputs) {
          offsets.put(p, new OffsetAndMetadata(consumer.position(p)));
        }
        // An idle poll moves nothing: no round trip to the broker every half second.
        if (!offsets.equals(lastCommitted)) {
          consumer.commitSync(offsets);
          lastCommitted = offsets;
        }
      }
    }
  }

  private void runQuietly() {
    try {
      run();
    } catch (Throwable e) {
      failure = e;
      log.accept("retraining controller for '" + loop.model() + "' stopped: " + e);
    }
  }

  /** Why the controller's thread stopped, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  private void restore(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
      throws Exception {
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    int restored = 0;
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        RetrainingEvent e = decode(events, r);
        if (e != null) {
          loop.restore(e);
          restored++;
        }
      }
    }
    refreshChampion();
    if (restored > 0) {
      log.accept(
          "retraining controller: restored "
              + restored
              + " events of the retraining topic: "
              + loop.describe());
    }
    execute(loop.afterRestore());
    if (startFrom == StartFrom.NOW) {
      loop.forget();
    }
  }

  private void refreshChampion() {
    try {
      Integer champion =
          registry
              .read()
              .resolve(loop.model(), RegistryState.CHAMPION)
              .map(ModelVersion::getVersion)
              .orElse(null);
      loop.champion(champion);
    } catch (Exception e) {
      log.accept("retraining controller: cannot read the model registry: " + e.getMessage());
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) throws Exception {
    if (r.topic().equals(topics.alerts())) {
      Alert a = decode(alerts, r);
      if (a != null
          && loop.model().equals(a.getModelName())
          && a.getState() == dev.sluice.avro.AlertState.FIRING) {
        log.accept(
            String.format(
                java.util.Locale.ROOT,
                "[%s] ALARM %s on %s (v%s): %s = %.4f, threshold %.4f%s",
                RetrainingEvents.eventTime(a.getWindowEnd()),
                a.getRule(),
                a.getSubject(),
                a.getModelVersion(),
                a.getStatistic(),
                a.getValue(),
                a.getThreshold(),
                a.getRetrain() ? " (asks for retraining)" : ""));
      }
      if (a != null) {
        execute(loop.onAlert(a));
      }
    } else if (r.topic().equals(topics.metrics())) {
      ModelMetrics m = decode(metrics, r);
      if (m != null) {
        execute(loop.onMetrics(m));
      }
    } else if (r.topic().equals(topics.retraining())) {
      RetrainingEvent e = decode(events, r);
      if (e != null) {
        execute(loop.onRequest(e));
      }
    }
  }

  private <T> T decode(AvroWireDeserializer<T> d, ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return null;
    }
    try {
      return d.deserialize(r.value());
    } catch (WireFormatException e) {
      log.accept(
          "retraining controller: skipped an undecodable record at "
              + r.topic()
              + "-"
              + r.partition()
              + "@"
              + r.offset()
              + ": "
              + e.getMessage());
      return null;
    }
  }

  private void execute(List<Step> steps) throws Exception {
    for (Step step : steps) {
      RetrainingEvent e = step.event();
      // A registry move is made before its event is written, so the event records what was done;
      // a run is started after, so its progress never precedes its start on the topic.
      if (step.action() != LoopController.Action.START_RUN) {
        try {
          act(step);
        } catch (Exception ex) {
          e.setReason(e.getReason() + " (registry action failed: " + ex.getMessage() + ")");
        }
      }
      producer
          .send(
              new ProducerRecord<>(
                  topics.retraining(),
                  e.getModelName().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  eventSerializer.serialize(topics.retraining(), e)))
          .get(30, TimeUnit.SECONDS);
      log.accept(RetrainingEvents.describe(e));
      if (step.action() == LoopController.Action.START_RUN) {
        act(step);
      }
    }
  }

  private void act(Step step) throws Exception {
    RetrainingEvent e = step.event();
    String model = e.getModelName();
    String why = e.getType() + " by the retraining controller: " + e.getReason();
    switch (step.action()) {
      case START_RUN -> {
        RunSpec spec = step.run();
        worker.submit(
            () -> {
              RunResult result;
              try {
                result = runner.apply(spec);
              } catch (RuntimeException | Error ex) {
                result = new RunResult.Failed(spec.runId(), ex.toString(), Map.of());
              }
              finished.add(result);
            });
      }
      case SET_CHALLENGER -> registry.promote(model, e.getVersion(), RegistryState.CHALLENGER, why);
      case PROMOTE -> {
        registry.promote(model, e.getVersion(), RegistryState.CHAMPION, why);
        registry.promote(model, e.getChampionVersion(), RegistryState.CHALLENGER, why);
      }
      case REJECT_CHALLENGER -> {
        Optional<ModelVersion> challenger =
            registry.read().resolve(model, RegistryState.CHALLENGER);
        if (challenger.isPresent() && challenger.get().getVersion() == e.getVersion()) {
          registry.demote(model, RegistryState.CHALLENGER, why);
        }
      }
      case ROLLBACK -> {
        registry.promote(model, e.getChampionVersion(), RegistryState.CHAMPION, why);
        registry.demote(model, RegistryState.CHALLENGER, why);
      }
      case NONE -> {}
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties props = kafka.consumer();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice-retraining-" + loop.model());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitions(
      KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException(
          "topic '" + topic + "' does not exist (create it: bin/sluice topics create)");
    }
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
  }

  @Override
  public void close() {
    stopping = true;
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    worker.shutdownNow();
    producer.close(Duration.ofSeconds(5));
    try {
      schemas.close();
    } catch (Exception e) {
      // Closing a cache: nothing to lose.
    }
  }
}

package dev.sluice.cli;

import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.cli.report.TopicReader;
import dev.sluice.jobs.Topics;
import dev.sluice.jobs.retraining.LoopController;
import dev.sluice.jobs.retraining.RetrainingController;
import dev.sluice.jobs.retraining.RetrainingEvents;
import dev.sluice.jobs.retraining.RetrainingPolicy;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sluice retrain}: the closed loop's controller, on-demand requests and status. */
@Command(
    name = "retrain",
    mixinStandardHelpOptions = true,
    description = {
      "The closed loop: a controller that retrains a model when an alarm rule says so (or on a",
      "schedule, a volume of new labels, a request), shadow-scores the new version as challenger,",
      "promotes it if it beats the champion offline and live, and rolls back a promotion that",
      "falls behind. Every step is an event on the 'retraining' topic."
    },
    subcommands = {
      RetrainCommand.Controller.class,
      RetrainCommand.Request.class,
      RetrainCommand.Status.class
    })
final class RetrainCommand {
  private RetrainCommand() {}

  @Command(
      name = "controller",
      mixinStandardHelpOptions = true,
      description = {
        "Run the retraining controller for one model until Ctrl-C: follows 'alerts',",
        "'model-metrics' and 'retraining'; runs read the offline store with a Flink BATCH job."
      })
  static final class Controller implements Callable<Integer> {
    @Option(
        names = "--model",
        defaultValue = "fraud",
        description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
        names = "--offline-store",
        paramLabel = "DIR",
        description = "Offline store the runs read (default: var/data/offline).")
    String offlineStore;

    @Option(
        names = "--parallelism",
        defaultValue = "2",
        description = "Parallelism of each run's BATCH job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
        names = "--start-from",
        defaultValue = "latest",
        description =
            "earliest or latest: where to start reading alerts and metrics the first time (later: the committed offsets; default: ${DEFAULT-VALUE}).")
    String startFrom;

    @Mixin RetrainingOptions retraining;
    @Mixin ConnectionOptions connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelRegistryLog.requireName("--model", model);
      if (parallelism < 1) {
        throw new ParameterException(
            spec.commandLine(), "--parallelism must be >= 1, got " + parallelism);
      }
      RetrainingController.StartFrom from = startFrom(spec, startFrom);
      RetrainingPolicy policy = policy(spec, retraining);
      OfflineStoreLayout layout =
          new OfflineStoreLayout(
              offlineStore == null ? JobCommand.defaultOfflineStore() : offlineStore);
      CountDownLatch stop = new CountDownLatch(1);
      try (Loop loop =
          Loop.start(
              connection,
              Loop.platformTopics(),
              model,
              policy,
              layout,
              parallelism,
              from,
              System.out::println)) {
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "sluice-retrain-stop"));
        while (!stop.await(1, TimeUnit.SECONDS)) {
          if (loop.controller().failure().isPresent()) {
            throw new IllegalStateException(
                "the controller stopped", loop.controller().failure().get());
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "request",
      mixinStandardHelpOptions = true,
      description =
          "Ask the model's controller for a run now (it still waits for a run in progress and for"
              + " a challenger under evaluation; the cool-down does not apply).")
  static final class Request implements Callable<Integer> {
    @Option(
        names = "--model",
        defaultValue = "fraud",
        description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--reason", defaultValue = "", description = "Why, recorded with the run.")
    String reason;

    @Mixin ConnectionOptions connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelRegistryLog.requireName("--model", model);
      RetrainingEvent request =
          RetrainingEvent.newBuilder()
              .setEventId("request-" + UUID.randomUUID())
              .setModelName(model)
              .setRunId(null)
              .setType(RetrainingEventType.REQUESTED)
              .setTrigger(RetrainingTrigger.MANUAL)
              .setTriggerDetail(ModelRegistryLog.currentActor())
              .setAsOf(Instant.EPOCH)
              .setAt(Clock.systemUTC().instant())
              .setReason(reason)
              .setMetrics(new HashMap<>())
              .setDetails(new HashMap<>())
              .build();
      try (SchemaRegistryClient schemas = SchemaRegistryClients.create(connection.registry());
          KafkaProducer<byte[], byte[]> producer = producer(connection)) {
        AvroWireSerializer<RetrainingEvent> serializer =
            new AvroWireSerializer<>(schemas, connection.registry(), false);
        producer
            .send(
                new ProducerRecord<>(
                    Topics.RETRAINING.name(),
                    model.getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(Topics.RETRAINING.name(), request)))
            .get(30, TimeUnit.SECONDS);
      }
      spec.commandLine()
          .getOut()
          .printf(
              "requested a retraining run of %s (%s); the model's controller takes it up"
                  + " (bin/sluice retrain status --model %s)%n",
              model, request.getEventId(), model);
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Print the model's retraining events (runs, gates, promotions) and where the loop is.")
  static final class Status implements Callable<Integer> {
    @Option(
        names = "--model",
        defaultValue = "fraud",
        description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Mixin ConnectionOptions connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelRegistryLog.requireName("--model", model);
      List<RetrainingEvent> events = read(connection, model);
      var out = spec.commandLine().getOut();
      LoopController state =
          new LoopController(model, RetrainingPolicy.DEFAULTS, Clock.systemUTC());
      for (RetrainingEvent e : events) {
        out.println(RetrainingEvents.describe(e));
        state.restore(e);
      }
      out.printf(
          "%s: %d events; %s%n",
          model, events.size(), events.isEmpty() ? "no run yet" : state.describe());
      return 0;
    }
  }

  /** Every retraining event of {@code model}, in topic order. */
  static List<RetrainingEvent> read(ConnectionOptions connection, String model) {
    try (TopicReader reader = new TopicReader(connection.kafka(), connection.registry())) {
      return reader.readAll(Topics.RETRAINING.name(), RetrainingEvent.class).stream()
          .filter(e -> model.equals(e.getModelName()))
          .toList();
    }
  }

  static RetrainingController.StartFrom startFrom(CommandSpec spec, String text) {
    return switch (text) {
      case "earliest" -> RetrainingController.StartFrom.EARLIEST;
      case "latest" -> RetrainingController.StartFrom.LATEST;
      default ->
          throw new ParameterException(
              spec.commandLine(), "--start-from must be earliest or latest, got '" + text + "'");
    };
  }

  static RetrainingPolicy policy(CommandSpec spec, RetrainingOptions options) {
    try {
      return options.policy();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "retraining policy: " + e.getMessage());
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(ConnectionOptions connection) {
    Properties props = connection.kafka().producer();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}

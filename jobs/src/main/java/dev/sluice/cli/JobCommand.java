package dev.sluice.cli;

import dev.sluice.jobs.BackfillJob;
import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.FeatureJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.IngestJob;
import dev.sluice.jobs.IngestRules;
import dev.sluice.jobs.PlatformJob;
import dev.sluice.jobs.ScoringJob;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.state.CheckpointSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice job <name>}: run one of the platform's Flink jobs. */
@Command(
    name = "job",
    description =
        "Run a Flink job, in this JVM with the web UI (LOCAL) or through 'flink run' (SUBMIT).",
    mixinStandardHelpOptions = true,
    subcommands = {
      JobCommand.Ingest.class,
      JobCommand.Features.class,
      JobCommand.Score.class,
      JobCommand.Backfill.class,
      JobCommand.EventCount.class,
      JobCommand.Platform.class
    })
final class JobCommand {

  @Command(
      name = "event-count",
      mixinStandardHelpOptions = true,
      description = {
        "Spine job: read transactions through the registry, dead-letter undecodable records,",
        "count transactions per tumbling event-time window into the event-counts topic."
      })
  static final class EventCount implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin PreflightOptions preflight;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;
    @Mixin LatenessOptions lateness;

    @Option(
        names = "--input-topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(
        names = "--output-topic",
        defaultValue = "event-counts",
        description = "Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-event-count",
        description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--window",
        converter = DurationConverter.class,
        defaultValue = "1m",
        description = "Tumbling event-time window (default: ${DEFAULT-VALUE}).")
    Duration window;

    EventCountJob.Config config() {
      if (window.isZero()) {
        throw new IllegalArgumentException("--window must be > 0");
      }
      return new EventCountJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          inputTopic,
          outputTopic,
          source.deadLetterTopic,
          groupId,
          source.startFrom,
          window,
          source.outOfOrderness,
          source.idleTimeout,
          job.checkpoints(),
          connection.kafka());
    }

    @Override
    public Integer call() throws Exception {
      EventCountJob.Config config = config();
      preflight.run(
          new Preflight()
              .kafka(
                  config.kafka(),
                  Map.of(
                      "--input-topic", inputTopic,
                      "--output-topic", outputTopic,
                      "--dead-letter-topic", source.deadLetterTopic))
              .registry(config.registry()));
      return job.launch(
          EventCountJob.JOB_NAME,
          config.checkpoints(),
          env -> EventCountJob.start(env, config),
          "counts:       bin/sluice topics tail " + outputTopic);
    }
  }

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "The front door: decode transactions and labels through the registry, validate them (declared",
        "rules, lateness, clock sanity, duplicates) into valid-transactions / valid-labels; every rejected",
        "record goes to the dead-letter topic with its original bytes and the reason."
      })
  static final class Ingest implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin PreflightOptions preflight;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;
    @Mixin LatenessOptions lateness;

    @Option(
        names = "--transactions-topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String transactionsTopic;

    @Option(
        names = "--labels-topic",
        defaultValue = "labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Option(
        names = "--valid-transactions-topic",
        defaultValue = "valid-transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String validTransactionsTopic;

    @Option(
        names = "--valid-labels-topic",
        defaultValue = "valid-labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String validLabelsTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-ingest",
        description =
            "Kafka consumer group and prefix of the sinks' transactional ids; one per instance (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--dedup-horizon",
        converter = DurationConverter.class,
        defaultValue = "1d",
        description =
            "How long (event time) a transaction id is remembered to refuse duplicates (default: ${DEFAULT-VALUE}).")
    Duration dedupHorizon;

    @Option(
        names = "--max-amount",
        defaultValue = "1000000.00",
        description = "Largest accepted amount (default: ${DEFAULT-VALUE}).")
    java.math.BigDecimal maxAmount;

    @Option(
        names = "--id-pattern",
        defaultValue = "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
        description =
            "Regex every transaction, customer and terminal id must match (default: ${DEFAULT-VALUE}).")
    String idPattern;

    IngestJob.Config config() {
      try {
        java.util.regex.Pattern.compile(idPattern);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "--id-pattern '" + idPattern + "' is not a valid regex: " + e.getDescription());
      }
      if (dedupHorizon.isZero()) {
        throw new IllegalArgumentException("--dedup-horizon must be > 0");
      }
      if (maxAmount.signum() <= 0) {
        throw new IllegalArgumentException("--max-amount must be > 0, got " + maxAmount);
      }
      return new IngestJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          transactionsTopic,
          labelsTopic,
          validTransactionsTopic,
          validLabelsTopic,
          source.deadLetterTopic,
          groupId,
          source.startFrom,
          new IngestJob.Timing(
              source.outOfOrderness,
              source.idleTimeout,
              lateness.allowedLateness,
              lateness.maxJump,
              dedupHorizon),
          new IngestRules.Settings(
              idPattern,
              maxAmount,
              IngestRules.Settings.DEFAULTS.earliest(),
              lateness.maxClockSkew,
              IngestRules.Settings.DEFAULTS.maxScenario()),
          job.checkpoints(),
          connection.kafka());
    }

    @Override
    public Integer call() throws Exception {
      IngestJob.Config config = config();
      preflight.run(
          new Preflight()
              .kafka(
                  config.kafka(),
                  Map.of(
                      "--transactions-topic", transactionsTopic,
                      "--labels-topic", labelsTopic,
                      "--valid-transactions-topic", validTransactionsTopic,
                      "--valid-labels-topic", validLabelsTopic,
                      "--dead-letter-topic", source.deadLetterTopic))
              .registry(config.registry()));
      return job.launch(
          IngestJob.JOB_NAME,
          config.checkpoints(),
          env -> IngestJob.start(env, config),
          "accepted:     bin/sluice topics tail " + validTransactionsTopic,
          "rejected:     bin/sluice topics tail " + source.deadLetterTopic);
    }
  }

  /** {@code --terminal-risk}, named when wrong. */
  static FraudFeatures.TerminalRisk terminalRisk(String value) {
    try {
      return FraudFeatures.TerminalRisk.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--terminal-risk: " + e.getMessage(), e);
    }
  }

  /** The offline store's default location: {@code var/data/offline} of the checkout. */
  static String defaultOfflineStore() {
    // Path.toUri() ends a directory that exists with '/' and one that does not without: the same
    // store must get the same URI before and after its first run.
    String uri =
        Project.home().resolve("var").resolve("data").resolve("offline").toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  @Command(
      name = "features",
      mixinStandardHelpOptions = true,
      description = {
        "The streaming feature job: read valid-transactions / valid-labels, compute the feature set",
        "(bin/sluice features list) in event time, write one row per transaction to feature-rows, the",
        "latest values per entity to Redis, every row (and the raw records) to the Parquet offline store."
      })
  static final class Features implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin PreflightOptions preflight;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;
    @Mixin LatenessOptions lateness;
    @Mixin RedisOptions redis;
    @Mixin ScoringOptions scoring;

    @Option(
        names = "--transactions-topic",
        defaultValue = "valid-transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String transactionsTopic;

    @Option(
        names = "--labels-topic",
        defaultValue = "valid-labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Option(
        names = "--feature-rows-topic",
        defaultValue = "feature-rows",
        description = "Default: ${DEFAULT-VALUE}.")
    String featureRowsTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-features",
        description =
            "Kafka consumer group and prefix of the sinks' transactional ids; one per instance (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description =
            "Labels the terminal risk counts: as-known (arrived by the transaction's time) or handbook (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Option(
        names = "--offline-store",
        description = "Base URI of the Parquet offline store (default: var/data/offline).")
    String offlineStore;

    @Option(names = "--no-online-store", description = "Do not write the online store (Redis).")
    boolean noOnlineStore;

    @Option(
        names = "--no-offline-store",
        description = "Do not write the offline store (Parquet) or the raw archive.")
    boolean noOfflineStore;

    @Option(
        names = "--no-archive",
        description = "Do not archive raw transactions and labels in the offline store.")
    boolean noArchive;

    @Option(
        names = "--stop-at-end",
        description =
            "Read the topics up to their end offsets at start, then finish (replays, tests).")
    boolean stopAtEnd;

    FeatureJob.Config config() {
      return new FeatureJob.Config(
          connection.bootstrapServers(),
          connection.registry(),
          transactionsTopic,
          labelsTopic,
          featureRowsTopic,
          source.deadLetterTopic,
          groupId,
          source.startFrom,
          new FeatureJob.Timing(
              source.outOfOrderness,
              source.idleTimeout,
              lateness.allowedLateness,
              lateness.maxJump,
              lateness.maxClockSkew),
          terminalRisk(terminalRisk),
          noOnlineStore ? null : redis.settings(),
          noOfflineStore ? null : (offlineStore != null ? offlineStore : defaultOfflineStore()),
          !noOfflineStore && !noArchive,
          stopAtEnd,
          job.checkpoints(),
          connection.kafka());
    }

    @Override
    public Integer call() throws Exception {
      FeatureJob.Config config = config();
      ScoringWorkflow.Config scoringConfig =
          scoring.enabled() ? scoring.config(connection, source.deadLetterTopic, groupId) : null;
      Map<String, String> topics =
          new java.util.HashMap<>(
              Map.of(
                  "--transactions-topic", transactionsTopic,
                  "--labels-topic", labelsTopic,
                  "--feature-rows-topic", featureRowsTopic,
                  "--dead-letter-topic", source.deadLetterTopic));
      if (scoring.enabled()) {
        topics.putAll(scoring.topics());
      }
      preflight.run(
          new Preflight()
              .kafka(config.kafka(), topics)
              .registry(config.registry())
              .redis(config.redis(), "--redis")
              .offlineStore(config.offlineStore(), "--offline-store"));
      if (!scoring.enabled()) {
        return job.launch(
            FeatureJob.JOB_NAME,
            config.checkpoints(),
            env -> FeatureJob.start(env, config),
            "feature rows:  bin/sluice topics tail " + featureRowsTopic,
            "online store:  bin/sluice features get --entity customer=<id>",
            "offline store: " + (config.offlineStore() == null ? "off" : config.offlineStore()));
      }
      return job.launch(
          FeatureJob.JOB_NAME,
          config.checkpoints(),
          env -> FeatureJob.start(env, config, scoringConfig, OnnxScorer.FACTORY),
          "feature rows:  bin/sluice topics tail " + featureRowsTopic,
          "predictions:   bin/sluice topics tail " + scoringConfig.predictionsTopic(),
          "model:         bin/sluice model show " + scoringConfig.settings().modelName(),
          "online store:  bin/sluice features get --entity customer=<id>",
          "offline store: " + (config.offlineStore() == null ? "off" : config.offlineStore()));
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "The standalone scoring job: read feature-rows, score each row with a registered model's",
        "champion (challenger in shadow), write predictions exactly once. Follows the model registry:",
        "promoting a version switches scoring live."
      })
  static final class Score implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin PreflightOptions preflight;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;
    @Mixin ScoringOptions scoring;

    @Option(
        names = "--feature-rows-topic",
        defaultValue = "feature-rows",
        description = "Default: ${DEFAULT-VALUE}.")
    String featureRowsTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice-scoring",
        description =
            "Kafka consumer group and prefix of the sinks' transactional ids; one per instance (default: ${DEFAULT-VALUE}).")
    String groupId;

    ScoringJob.Config config() {
      if (!scoring.enabled()) {
        throw new IllegalArgumentException("--model is required: which registered model to serve");
      }
      return new ScoringJob.Config(
          new FeatureJob.KafkaInput(
              connection.bootstrapServers(),
              connection.registry(),
              groupId,
              source.startFrom,
              new FeatureJob.Timing(
                  source.outOfOrderness,
                  source.idleTimeout,
                  FeatureJob.Timing.DEFAULTS.allowedLateness(),
                  FeatureJob.Timing.DEFAULTS.maxJump(),
                  FeatureJob.Timing.DEFAULTS.maxClockSkew()),
              false,
              connection.kafka()),
          featureRowsTopic,
          source.deadLetterTopic,
          scoring.config(connection, source.deadLetterTopic, groupId),
          job.checkpoints());
    }

    @Override
    public Integer call() throws Exception {
      ScoringJob.Config config = config();
      Map<String, String> topics =
          new java.util.HashMap<>(
              Map.of(
                  "--feature-rows-topic",
                  featureRowsTopic,
                  "--dead-letter-topic",
                  source.deadLetterTopic));
      topics.putAll(scoring.topics());
      preflight.run(
          new Preflight()
              .kafka(config.input().kafka(), topics)
              .registry(config.scoring().registry()));
      return job.launch(
          ScoringJob.JOB_NAME,
          config.checkpoints(),
          env -> ScoringJob.start(env, config, OnnxScorer.FACTORY),
          "predictions: bin/sluice topics tail " + config.scoring().predictionsTopic(),
          "model:       bin/sluice model show " + config.scoring().settings().modelName());
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description = {
        "The feature job's operators in Flink BATCH mode over history: the raw archive of an offline",
        "store, the simulator's Avro files, or a bounded read of two Kafka topics. Writes the offline",
        "store (features, and the raw records unless reading an archive); --to-redis also writes the",
        "latest value of every entity to the online store. Runs to the end, then exits."
      })
  static final class Backfill implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin PreflightOptions preflight;
    @Mixin RedisOptions redis;

    @Option(names = "--from", required = true, description = "archive, files or kafka.")
    String from;

    @Option(
        names = "--input",
        description =
            "archive: base URI of the offline store to read raw/ from; files: directory with transactions.avro and labels.avro.")
    String input;

    @Option(
        names = "--transactions-topic",
        defaultValue = "valid-transactions",
        description = "kafka: default ${DEFAULT-VALUE}.")
    String transactionsTopic;

    @Option(
        names = "--labels-topic",
        defaultValue = "valid-labels",
        description = "kafka: default ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Option(
        names = "--offline-store",
        required = true,
        description = "Base URI (or directory) of the offline store to write.")
    String offlineStore;

    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description = "as-known or handbook (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Option(names = "--to-redis", description = "Also write the latest values to the online store.")
    boolean toRedis;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    BackfillJob.Config config() {
      BackfillJob.From source;
      try {
        source = BackfillJob.From.valueOf(from.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--from must be archive, files or kafka, got '" + from + "'");
      }
      if (source != BackfillJob.From.KAFKA && input == null) {
        throw new IllegalArgumentException("--from " + from + " needs --input");
      }
      if (parallelism < 1) {
        throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
      }
      return new BackfillJob.Config(
          source,
          source == BackfillJob.From.ARCHIVE ? uri(input) : input,
          connection.bootstrapServers(),
          connection.registry(),
          transactionsTopic,
          labelsTopic,
          uri(offlineStore),
          terminalRisk(terminalRisk),
          toRedis ? redis.settings() : null,
          connection.kafka());
    }

    /** A plain directory becomes a file URI; URIs pass through. */
    static String uri(String pathOrUri) {
      return pathOrUri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")
          ? pathOrUri
          : Path.of(pathOrUri).toAbsolutePath().toUri().toString();
    }

    @Override
    public Integer call() throws Exception {
      BackfillJob.Config config = config();
      Preflight checks =
          new Preflight()
              .redis(config.redis(), "--redis")
              .offlineStore(config.offlineStore(), "--offline-store");
      if (config.from() == BackfillJob.From.KAFKA) {
        checks
            .kafka(
                config.kafka(),
                Map.of("--transactions-topic", transactionsTopic, "--labels-topic", labelsTopic))
            .registry(config.registry());
      }
      preflight.run(checks);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              FlinkEnvironments.configuration(
                  new CheckpointSettings(
                      Path.of(Project.home().toString(), "var", "checkpoints").toUri(),
                      Duration.ofSeconds(10),
                      0)));
      env.setParallelism(parallelism);
      long start = System.nanoTime();
      JobExecutionResult result = BackfillJob.run(env, config);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "backfill finished in %.1f s; offline store: %s%n", seconds, config.offlineStore());
      result.getAllAccumulatorResults().forEach((k, v) -> System.out.printf("  %s: %s%n", k, v));
      return 0;
    }
  }

  @Command(
      name = "platform",
      mixinStandardHelpOptions = true,
      description = {
        "The whole platform as one job (what 'sluice demo' runs): ingest (validation, dead letters,",
        "dedup) -> features (Redis, offline store, feature-rows) -> scoring with --model's champion",
        "-> monitoring (metrics, drift, alerts). Same jar and arguments in this JVM (--mode LOCAL)",
        "and on a cluster ('sluice cluster submit -- job platform ...'). Stop it with a savepoint",
        "('sluice cluster stop') and start the next version with --from-savepoint."
      })
  static final class Platform implements Callable<Integer> {
    @Mixin PreflightOptions preflight;
    @Mixin ConnectionOptions connection;
    @Mixin JobOptions job;
    @Mixin SourceOptions source;
    @Mixin LatenessOptions lateness;
    @Mixin RedisOptions redis;
    @Mixin ScoringOptions scoring;

    @Option(
        names = "--transactions-topic",
        defaultValue = "transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String transactionsTopic;

    @Option(
        names = "--labels-topic",
        defaultValue = "labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Option(
        names = "--valid-transactions-topic",
        defaultValue = "valid-transactions",
        description = "Default: ${DEFAULT-VALUE}.")
    String validTransactionsTopic;

    @Option(
        names = "--valid-labels-topic",
        defaultValue = "valid-labels",
        description = "Default: ${DEFAULT-VALUE}.")
    String validLabelsTopic;

    @Option(
        names = "--feature-rows-topic",
        defaultValue = "feature-rows",
        description = "Default: ${DEFAULT-VALUE}.")
    String featureRowsTopic;

    @Option(
        names = "--metrics-topic",
        defaultValue = "model-metrics",
        description = "Default: ${DEFAULT-VALUE}.")
    String metricsTopic;

    @Option(
        names = "--drift-topic",
        defaultValue = "drift",
        description = "Default: ${DEFAULT-VALUE}.")
    String driftTopic;

    @Option(
        names = "--alerts-topic",
        defaultValue = "alerts",
        description = "Default: ${DEFAULT-VALUE}.")
    String alertsTopic;

    @Option(
        names = "--group-id",
        defaultValue = "sluice",
        description = {
          "Prefix of the stages' consumer groups and transactional ids (<id>-ingest,",
          "<id>-features, <id>-scoring, <id>-monitoring); one per instance (default: ${DEFAULT-VALUE})."
        })
    String groupId;

    @Option(
        names = "--dedup-horizon",
        converter = DurationConverter.class,
        defaultValue = "1d",
        description =
            "How long (event time) a transaction id is remembered to refuse duplicates (default: ${DEFAULT-VALUE}).")
    Duration dedupHorizon;

    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description = "as-known or handbook (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Option(
        names = "--offline-store",
        description = "Base URI of the Parquet offline store (default: var/data/offline).")
    String offlineStore;

    @Option(names = "--no-online-store", description = "Do not write the online store (Redis).")
    boolean noOnlineStore;

    @Option(
        names = "--no-offline-store",
        description = "Do not write the offline store (Parquet) or the raw archive.")
    boolean noOfflineStore;

    @Option(
        names = "--no-archive",
        description = "Do not archive raw transactions and labels in the offline store.")
    boolean noArchive;

    @Option(
        names = "--monitor-from",
        paramLabel = "INSTANT",
        description = {
          "Drift windows ending before this event time (ISO-8601, e.g. 2018-05-08T00:00:00Z) are",
          "not judged: the features' 30-day windows are not full before (default: judge all)."
        })
    String monitorFrom;

    PlatformJob.Config config() {
      if (!scoring.enabled()) {
        throw new IllegalArgumentException(
            "--model is required: which registered model the platform scores with");
      }
      Instant from = null;
      if (monitorFrom != null) {
        try {
          from = Instant.parse(monitorFrom.trim());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(
              "--monitor-from must be an ISO-8601 instant such as 2018-05-08T00:00:00Z, got '"
                  + monitorFrom
                  + "'");
        }
      }
      if (groupId.isBlank()) {
        throw new IllegalArgumentException("--group-id is blank");
      }
      CheckpointSettings checkpoints = job.checkpoints();
      IngestJob.Config ingest =
          new IngestJob.Config(
              connection.bootstrapServers(),
              connection.registry(),
              transactionsTopic,
              labelsTopic,
              validTransactionsTopic,
              validLabelsTopic,
              source.deadLetterTopic,
              groupId + "-ingest",
              source.startFrom,
              new IngestJob.Timing(
                  source.outOfOrderness,
                  source.idleTimeout,
                  lateness.allowedLateness,
                  lateness.maxJump,
                  dedupHorizon),
              new IngestRules.Settings(
                  IngestRules.Settings.DEFAULTS.idPattern(),
                  IngestRules.Settings.DEFAULTS.maxAmount(),
                  IngestRules.Settings.DEFAULTS.earliest(),
                  lateness.maxClockSkew,
                  IngestRules.Settings.DEFAULTS.maxScenario()),
              checkpoints,
              connection.kafka());
      FeatureJob.Config features =
          new FeatureJob.Config(
              connection.bootstrapServers(),
              connection.registry(),
              validTransactionsTopic,
              validLabelsTopic,
              featureRowsTopic,
              source.deadLetterTopic,
              groupId + "-features",
              source.startFrom,
              new FeatureJob.Timing(
                  source.outOfOrderness,
                  source.idleTimeout,
                  lateness.allowedLateness,
                  lateness.maxJump,
                  lateness.maxClockSkew),
              FraudFeatures.TerminalRisk.parse(terminalRisk),
              noOnlineStore ? null : redis.settings(),
              noOfflineStore ? null : (offlineStore != null ? offlineStore : defaultOfflineStore()),
              !noOfflineStore && !noArchive,
              false,
              checkpoints,
              connection.kafka());
      return new PlatformJob.Config(
          ingest,
          features,
          scoring.config(connection, source.deadLetterTopic, groupId + "-scoring"),
          DemoCommand.monitoring(
              connection.kafka(),
              connection.registry(),
              metricsTopic,
              driftTopic,
              alertsTopic,
              groupId + "-monitoring",
              scoring.model,
              from));
    }

    @Override
    public Integer call() throws Exception {
      PlatformJob.Config config = config();
      Map<String, String> topics =
          new java.util.HashMap<>(
              Map.of(
                  "--transactions-topic", transactionsTopic,
                  "--labels-topic", labelsTopic,
                  "--valid-transactions-topic", validTransactionsTopic,
                  "--valid-labels-topic", validLabelsTopic,
                  "--feature-rows-topic", featureRowsTopic,
                  "--dead-letter-topic", source.deadLetterTopic,
                  "--metrics-topic", metricsTopic,
                  "--drift-topic", driftTopic,
                  "--alerts-topic", alertsTopic));
      topics.putAll(scoring.topics());
      preflight.run(
          new Preflight()
              .kafka(connection.kafka(), topics)
              .registry(connection.registry())
              .redis(config.features().redis(), "--redis")
              .offlineStore(config.features().offlineStore(), "--offline-store"));
      return job.launch(
          PlatformJob.JOB_NAME,
          config.checkpoints(),
          env -> PlatformJob.start(env, config, OnnxScorer.FACTORY),
          "rejected:      bin/sluice topics tail " + source.deadLetterTopic,
          "predictions:   bin/sluice topics tail " + config.scoring().predictionsTopic(),
          "alerts:        bin/sluice topics tail " + alertsTopic,
          "model:         bin/sluice model show " + scoring.model);
    }
  }
}

package dev.sluice.jobs;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FeatureWorkflow;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.KafkaClientSettings;
import dev.sluice.state.offline.HistorySources;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreSinks;
import dev.sluice.state.online.OnlineStoreSink;
import dev.sluice.state.online.RedisSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The backfill: the streaming feature job's operators ({@link FeatureWorkflow}) in Flink's BATCH
 * execution mode over recorded history, writing the offline store (and optionally the latest value
 * of every entity to the online store). For the same input it produces the same rows as the
 * streaming job: the operators only read what was known at each row's time, and BATCH execution
 * delivers each key's records sorted by time.
 *
 * <p>History comes from one of: the offline store's raw archive ({@code raw/transactions}, {@code
 * raw/labels}, written by the streaming job), Avro container files ({@code sluice simulate --to
 * files}), or a bounded read of two Kafka topics (from the earliest offset to the latest at start).
 */
public final class BackfillJob {
  public static final String JOB_NAME = "sluice backfill";

  private BackfillJob() {}

  /** Where history is read from. */
  public enum From {
    ARCHIVE,
    FILES,
    KAFKA
  }

  /**
   * Everything the job needs, parsed once (see {@code sluice job backfill --help}).
   *
   * @param from the kind of history
   * @param input the archive's base URI (ARCHIVE) or the directory with {@code transactions.avro}
   *     and {@code labels.avro} (FILES); ignored for KAFKA
   * @param offlineStore base URI to write the features (and, unless reading the archive, the raw
   *     records) to
   * @param redis where to write the latest values, or null for no online store
   */
  public record Config(
      From from,
      String input,
      String bootstrapServers,
      RegistryConfig registry,
      String transactionsTopic,
      String labelsTopic,
      String offlineStore,
      FraudFeatures.TerminalRisk terminalRisk,
      RedisSettings redis,
      KafkaClientSettings kafka) {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(offlineStore, "offlineStore");
      Objects.requireNonNull(terminalRisk, "terminalRisk");
      if (from != From.KAFKA) {
        Objects.requireNonNull(input, "input");
      }
      if (from == From.ARCHIVE
          && new OfflineStoreLayout(input).equals(new OfflineStoreLayout(offlineStore))) {
        throw new IllegalArgumentException(
            "the backfill would overwrite the archive it reads: write to another offline store"
                + " than "
                + input);
      }
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        From from,
        String input,
        String bootstrapServers,
        RegistryConfig registry,
        String transactionsTopic,
        String labelsTopic,
        String offlineStore,
        FraudFeatures.TerminalRisk terminalRisk,
        RedisSettings redis) {
      this(
          from,
          input,
          bootstrapServers,
          registry,
          transactionsTopic,
          labelsTopic,
          offlineStore,
          terminalRisk,
          redis,
          null);
    }
  }

  /** Defines the job on {@code env} (switched to BATCH) and runs it to the end. */
  public static JobExecutionResult run(StreamExecutionEnvironment env, Config c) throws Exception {
    define(env, c);
    return env.execute(JOB_NAME);
  }

  public static void define(StreamExecutionEnvironment env, Config c) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    History history = history(env, c);
    DataStream<Transaction> transactions = history.transactions();
    DataStream<Label> labels = history.labels();

    FeatureSet<Transaction> featureSet = FraudFeatures.featureSet(c.terminalRisk());
    OfflineStoreLayout offline = new OfflineStoreLayout(c.offlineStore());
    boolean archive = c.from() != From.ARCHIVE;
    FeatureWorkflow.define(
        transactions,
        labels,
        featureSet,
        // Nothing is late in BATCH execution; the lateness only sizes state retention.
        FeatureJob.Timing.DEFAULTS.allowedLateness(),
        new FeatureWorkflow.Sinks(
            null,
            c.redis() == null ? null : new OnlineStoreSink(c.redis(), featureSet.onlineSchemas()),
            schema -> OfflineStoreSinks.viewRows(offline, schema),
            archive
                ? OfflineStoreSinks.raw(
                    offline,
                    OfflineStoreLayout.TRANSACTIONS,
                    Transaction.class,
                    Transaction::getEventTime)
                : null,
            archive
                ? OfflineStoreSinks.raw(
                    offline, OfflineStoreLayout.LABELS, Label.class, Label::getEventTime)
                : null,
            null));
  }

  /** The transactions and labels of history, timestamped (by event time; labels by known time). */
  public record History(DataStream<Transaction> transactions, DataStream<Label> labels) {}

  /** The history {@code c} reads, in whatever execution mode {@code env} has. */
  public static History history(StreamExecutionEnvironment env, Config c) {
    DataStream<Transaction> transactions;
    DataStream<Label> labels;
    switch (c.from()) {
      case ARCHIVE -> {
        OfflineStoreLayout archive = new OfflineStoreLayout(c.input());
        transactions =
            fromSource(
                env,
                HistorySources.rawArchive(
                    archive, OfflineStoreLayout.TRANSACTIONS, Transaction.class),
                Transaction.class,
                Transaction::getEventTime,
                "archive-transactions-source");
        labels =
            fromSource(
                env,
                HistorySources.rawArchive(archive, OfflineStoreLayout.LABELS, Label.class),
                Label.class,
                Label::getEventTime,
                "archive-labels-source");
      }
      case FILES -> {
        transactions =
            fromSource(
                env,
                HistorySources.avroFiles(
                    Transaction.class, avroFile(c.input(), "transactions.avro")),
                Transaction.class,
                Transaction::getEventTime,
                "files-transactions-source");
        labels =
            fromSource(
                env,
                HistorySources.avroFiles(Label.class, avroFile(c.input(), "labels.avro")),
                Label.class,
                Label::getEventTime,
                "files-labels-source");
      }
      default -> {
        FeatureJob.KafkaInput kafka =
            new FeatureJob.KafkaInput(
                c.bootstrapServers(),
                c.registry(),
                "sluice-backfill-" + Instant.now().toEpochMilli(),
                KafkaConnectors.StartFrom.EARLIEST,
                FeatureJob.Timing.DEFAULTS,
                true,
                c.kafka());
        transactions =
            FeatureJob.decode(
                    env, kafka, c.transactionsTopic(), Transaction.class, Transaction::getEventTime)
                .records();
        labels =
            FeatureJob.decode(env, kafka, c.labelsTopic(), Label.class, Label::getEventTime)
                .records();
      }
    }
    return new History(transactions, labels);
  }

  private static org.apache.flink.core.fs.Path avroFile(String dir, String name) {
    Path file = Path.of(dir).resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no "
              + name
              + " in "
              + dir
              + " (expected the output of 'sluice simulate --to files --out "
              + dir
              + "')");
    }
    return new org.apache.flink.core.fs.Path(file.toUri());
  }

  private static final String HISTORY_ALIGNMENT_GROUP = "history";

  private static <T extends org.apache.avro.specific.SpecificRecordBase> DataStream<T> fromSource(
      StreamExecutionEnvironment env,
      Source<T, ?, ?> source,
      Class<T> type,
      SerializableFunction<T, Instant> eventTime,
      String name) {
    WatermarkStrategy<T> watermarks =
        WatermarkStrategy.<T>forBoundedOutOfOrderness(Duration.ZERO)
            .withTimestampAssigner((record, ts) -> eventTime.apply(record).toEpochMilli());
    if (env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
        == RuntimeExecutionMode.STREAMING) {
      // Read as a stream (benchmarks), the labels' file would otherwise run weeks ahead of the
      // transactions' and every stage that joins the two would hold the difference in state,
      // which a live job, whose labels come after their transactions, never does.
      watermarks =
          watermarks.withWatermarkAlignment(
              HISTORY_ALIGNMENT_GROUP, Duration.ofHours(1), Duration.ofMillis(200));
      // Each file is one split read by one reader, so the whole reader pauses: nothing to align
      // between splits (the file reader cannot pause single splits, which Flink checks for).
      Configuration unalignedSplits = new Configuration();
      unalignedSplits.set(PipelineOptions.ALLOW_UNALIGNED_SOURCE_SPLITS, true);
      env.configure(unalignedSplits);
    }
    return env.fromSource(source, watermarks, name, new AvroTypeInfo<>(type)).uid(name).name(name);
  }
}

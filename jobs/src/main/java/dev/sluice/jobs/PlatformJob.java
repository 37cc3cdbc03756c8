package dev.sluice.jobs;

import dev.sluice.jobs.monitoring.MonitoringWorkflow;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.state.CheckpointSettings;
import java.util.Objects;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole platform as one Flink job: {@link IngestJob} (validation, dead letters, de-duplication)
 * feeding {@link FeatureJob} (features into Redis, the offline store and {@code feature-rows}),
 * {@link ScoringWorkflow} (one model's champion, its challenger in shadow) and {@link
 * MonitoringWorkflow} (evaluation, drift, alarms). This is what {@code sluice demo} runs and what
 * {@code sluice job platform} runs in this JVM or on a cluster.
 *
 * <p>One job graph, so that there is one job to watch, to stop with a savepoint and to upgrade.
 * Every stateful operator, source and sink keeps the uid it has in its own job (ingest's {@code
 * transactions-validator}, the features' {@code feature-pipeline}, {@code scoring}, ...): a
 * savepoint of this job restores into the next version only while those uids stay
 * (PlatformJobUidsITCase holds the list).
 *
 * <p>Ingest hands what it accepted to the features inside the job. It still writes {@code
 * valid-transactions} and {@code valid-labels} exactly once for other consumers, but the features
 * do not read them back: a read_committed read sees a record only after the checkpoint that commits
 * it, which put a checkpoint interval (seconds) between every event and its prediction, and
 * decoding the records a second time cost CPU. The features see the same records either way;
 * Flink's watermarks now follow ingest's sources directly, so the two ingest subtasks cannot drift
 * apart in event time behind a shared topic partition.
 */
public final class PlatformJob {
  public static final String JOB_NAME = "sluice platform";

  private PlatformJob() {}

  /**
   * Everything the job needs, parsed once (see {@code sluice job platform --help}).
   *
   * @param ingest the front door; its checkpoint settings are the job's
   * @param features must read what ingest writes
   * @param scoring the model served
   * @param monitoring evaluation, drift and alarms of that model
   */
  public record Config(
      IngestJob.Config ingest,
      FeatureJob.Config features,
      ScoringWorkflow.Config scoring,
      MonitoringWorkflow.Config monitoring) {
    public Config {
      Objects.requireNonNull(ingest, "ingest");
      Objects.requireNonNull(features, "features");
      Objects.requireNonNull(scoring, "scoring");
      Objects.requireNonNull(monitoring, "monitoring");
      Objects.requireNonNull(ingest.checkpoints(), "ingest.checkpoints");
      requireSame(
          "valid transactions topic",
          ingest.validTransactionsTopic(),
          "features' transactions topic",
          features.transactionsTopic());
      requireSame(
          "valid labels topic",
          ingest.validLabelsTopic(),
          "features' labels topic",
          features.labelsTopic());
      if (!ingest.checkpoints().equals(features.checkpoints())) {
        throw new IllegalArgumentException(
            "one job has one checkpoint configuration: ingest has "
                + ingest.checkpoints()
                + ", features "
                + features.checkpoints());
      }
    }

    /** The job's checkpoint settings (ingest's, equal to the features'). */
    public CheckpointSettings checkpoints() {
      return ingest.checkpoints();
    }

    private static void requireSame(String what, String value, String otherWhat, String other) {
      if (!Objects.equals(value, other)) {
        throw new IllegalArgumentException(
            "ingest's "
                + what
                + " '"
                + value
                + "' must be the "
                + otherWhat
                + ", got '"
                + other
                + "': the features would not see what ingest accepts");
      }
    }
  }

  /** Defines the whole job on {@code env} without starting it. */
  public static void attach(StreamExecutionEnvironment env, Config c, ScorerFactory scorers) {
    // Chained operators hand records on without a defensive copy. Without this, Flink deep-copies
    // every Avro record and tuple between chained operators (12% of the job's CPU samples in a JFR
    // profile of bench pipeline). Safe here: no function of the job modifies its input or keeps a
    // reference to it across calls (buffering operators, e.g. scoring's micro-batches, the online
    // store's writer, receive their records over the network or from sources, which make new ones).
    env.getConfig().enableObjectReuse();
    IngestJob.Valid valid = IngestJob.attach(env, c.ingest());
    FeatureJob.Attached attached =
        FeatureJob.attach(c.features(), valid.transactions(), valid.labels(), null);
    ScoringWorkflow.Scored scored =
        ScoringWorkflow.attach(attached.featureRows(), c.scoring(), scorers);
    MonitoringWorkflow.monitor(
        attached.featureRows(),
        scored.predictions(),
        attached.labels(),
        scored.registryEvents(),
        c.monitoring());
  }

  /** Defines the job on {@code env} and starts it without blocking, as {@link #JOB_NAME}. */
  public static JobClient start(StreamExecutionEnvironment env, Config c, ScorerFactory scorers)
      throws Exception {
    return start(env, c, scorers, JOB_NAME);
  }

  /** As {@link #start(StreamExecutionEnvironment, Config, ScorerFactory)}, under another name. */
  public static JobClient start(
      StreamExecutionEnvironment env, Config c, ScorerFactory scorers, String jobName)
      throws Exception {
    attach(env, c, scorers);
    return env.executeAsync(jobName);
  }
}

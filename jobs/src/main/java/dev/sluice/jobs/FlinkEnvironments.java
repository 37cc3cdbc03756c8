package dev.sluice.jobs;

import dev.sluice.state.CheckpointSettings;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Creates the execution environment for a job, in-process or inside a cluster's client. */
public final class FlinkEnvironments {
  /** Where a job runs. */
  public enum Mode {
    /**
     * In this JVM: a MiniCluster with the web UI on 127.0.0.1 (what `bin/sluice` does by default).
     */
    LOCAL,
    /** The environment of the client that invoked main, e.g. `flink run` against a cluster. */
    SUBMIT
  }

  private FlinkEnvironments() {}

  /**
   * Where a job's state comes from when it starts: nothing ({@link #NONE}), or a savepoint (or
   * retained checkpoint) taken of an earlier run, e.g. by {@code sluice cluster stop}.
   *
   * @param savepointPath the savepoint's directory or {@code _metadata} file (a URI or a path), or
   *     null to start without state
   * @param allowNonRestoredState start even if the savepoint holds state of an operator (uid) that
   *     the new job no longer has; that state is dropped. Off by default: a renamed uid must fail
   *     the restore, not silently lose state.
   */
  public record Restore(String savepointPath, boolean allowNonRestoredState) {
    public static final Restore NONE = new Restore(null, false);

    public Restore {
      if (savepointPath != null && savepointPath.isBlank()) {
        throw new IllegalArgumentException("the savepoint path is blank");
      }
      if (savepointPath == null && allowNonRestoredState) {
        throw new IllegalArgumentException(
            "allowing non-restored state needs a savepoint to restore from");
      }
    }

    /**
     * Writes Flink's {@code execution.state-recovery.path} and {@code
     * execution.state-recovery.ignore-unclaimed-state}; the claim mode stays Flink's NO_CLAIM, so
     * the savepoint stays usable after the new job has checkpointed.
     *
     * @return {@code conf}
     */
    public Configuration applyTo(Configuration conf) {
      if (savepointPath != null) {
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepointPath);
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
      }
      return conf;
    }
  }

  /**
   * The configuration every job runs with: {@link CheckpointSettings}, and no generic (Kryo)
   * serialization, so a record or state type that Flink cannot serialize efficiently fails when the
   * job is built, not silently at a fraction of the speed.
   */
  public static Configuration configuration(CheckpointSettings checkpoints) {
    Configuration conf = checkpoints.applyTo(new Configuration());
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // Latency: a record waits in a network buffer until the buffer is full or this timeout passes
    // (Flink's default 100 ms), at every keyBy; the platform job has five between a transaction and
    // its prediction. And event-time rows are emitted when the watermark passes them, which sources
    // emit every AUTO_WATERMARK_INTERVAL (default 200 ms). With the defaults, bench pipeline's
    // paced
    // run measured 421 ms from a transaction to its prediction (p50, 619 ms p99).
    conf.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
    conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, WATERMARK_INTERVAL);
    return conf;
  }

  /** How long a record may wait in a network buffer before it is sent anyway. */
  public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(10);

  /** How often sources emit watermarks. */
  public static final Duration WATERMARK_INTERVAL = Duration.ofMillis(50);

  /**
   * @param webUiPort the web UI's port in LOCAL mode, 0 for any free one
   */
  public static StreamExecutionEnvironment create(
      Mode mode, CheckpointSettings checkpoints, int webUiPort) {
    return create(mode, checkpoints, webUiPort, Restore.NONE);
  }

  /**
   * As {@link #create(Mode, CheckpointSettings, int)}, restoring the job's state from {@code
   * restore} in either mode (on a cluster, a savepoint path given with the REST or CLI submission
   * instead works too).
   */
  public static StreamExecutionEnvironment create(
      Mode mode, CheckpointSettings checkpoints, int webUiPort, Restore restore) {
    Configuration conf = restore.applyTo(configuration(checkpoints));
    if (mode == Mode.SUBMIT) {
      return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }
    onLoopback(conf).set(RestOptions.PORT, webUiPort);
    return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
  }

  /**
   * Binds every server of an in-process MiniCluster to 127.0.0.1: the REST endpoint (which a local
   * environment starts even without the web UI) and the RPC, blob and data-exchange servers.
   *
   * @return {@code conf}
   */
  public static Configuration onLoopback(Configuration conf) {
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
    conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
    conf.set(TaskManagerOptions.HOST, "127.0.0.1");
    conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
    return conf;
  }
}

package dev.sluice.jobs;

import dev.sluice.state.CheckpointSettings;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
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
   * The configuration every job runs with: {@link CheckpointSettings}, and no generic (Kryo)
   * serialization, so a record or state type that Flink cannot serialize efficiently fails when the
   * job is built, not silently at a fraction of the speed.
   */
  public static Configuration configuration(CheckpointSettings checkpoints) {
    Configuration conf = checkpoints.applyTo(new Configuration());
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    return conf;
  }

  /**
   * @param webUiPort the web UI's port in LOCAL mode, 0 for any free one
   */
  public static StreamExecutionEnvironment create(
      Mode mode, CheckpointSettings checkpoints, int webUiPort) {
    Configuration conf = configuration(checkpoints);
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

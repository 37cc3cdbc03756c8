package dev.sluice.state;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * How every platform job keeps and checkpoints its state: RocksDB with incremental, exactly-once
 * checkpoints to a durable directory, and a bounded restart strategy so a job that keeps failing
 * stops instead of looping. One place, so that all jobs agree and a change reaches all of them.
 *
 * @param checkpointDir where checkpoints go ({@code file:///...} locally, a shared file system on a
 *     cluster)
 * @param interval checkpoint interval; also the latency of exactly-once Kafka output, which becomes
 *     visible to {@code read_committed} consumers at each completed checkpoint
 * @param maxRestarts restarts allowed (exponential backoff between them) before the job fails; 0
 *     disables
 */
public record CheckpointSettings(URI checkpointDir, Duration interval, int maxRestarts)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public CheckpointSettings {
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    if (checkpointDir.getScheme() == null) {
      throw new IllegalArgumentException(
          "checkpoint directory '"
              + checkpointDir
              + "' needs a scheme, e.g. file:///var/sluice/checkpoints or s3://bucket/path");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("checkpoint interval must be > 0, got " + interval);
    }
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("max restarts must be >= 0, got " + maxRestarts);
    }
  }

  /** Writes these settings into a Flink configuration (before the environment is created). */
  public Configuration applyTo(Configuration conf) {
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toString());
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(2));
    if (maxRestarts == 0) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    } else {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, maxRestarts);
    }
    return conf;
  }
}

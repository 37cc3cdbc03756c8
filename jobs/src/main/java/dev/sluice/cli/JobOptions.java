package dev.sluice.cli;

import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.state.CheckpointSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/** Options every job shares: where it runs, checkpoints, web UI port. */
public final class JobOptions {
  @Option(
      names = "--mode",
      description = {
        "LOCAL: in this JVM with the Flink web UI on 127.0.0.1 (default when started by bin/sluice);",
        "SUBMIT: through the calling Flink client, e.g. 'flink run' (default otherwise)."
      })
  FlinkEnvironments.Mode mode;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "Flink web UI port in LOCAL mode (default: ${DEFAULT-VALUE}).")
  int webUiPort = 8081; // also when built in code (the demo), not parsed

  @Option(
      names = "--checkpoint-dir",
      description = "Checkpoint directory URI (default: file://<checkout>/var/checkpoints).")
  URI checkpointDir;

  @Option(
      names = "--checkpoint-interval",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description =
          "Checkpoint interval; exactly-once output becomes visible at each checkpoint (default: ${DEFAULT-VALUE}).")
  Duration checkpointInterval;

  @Option(
      names = "--max-restarts",
      defaultValue = "10",
      description = "Restarts before the job gives up (default: ${DEFAULT-VALUE}).")
  int maxRestarts;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description = {
        "Start from this savepoint (or retained checkpoint) of an earlier run, e.g. the path",
        "'sluice cluster stop' printed: operator state (dedup ids, feature windows, models) and",
        "Kafka offsets continue from there. Sets execution.state-recovery.path."
      })
  String fromSavepoint;

  @Option(
      names = "--allow-non-restored-state",
      description = {
        "With --from-savepoint: start even if the savepoint holds state of an operator this job",
        "no longer has (that state is dropped). Without it such a restore fails."
      })
  boolean allowNonRestoredState;

  FlinkEnvironments.Mode mode() {
    if (mode != null) {
      return mode;
    }
    return System.getProperty("sluice.home") != null
        ? FlinkEnvironments.Mode.LOCAL
        : FlinkEnvironments.Mode.SUBMIT;
  }

  CheckpointSettings checkpoints() {
    if (webUiPort < 1 || webUiPort > 65535) {
      throw new IllegalArgumentException("--web-ui-port must be in 1..65535, got " + webUiPort);
    }
    if (checkpointInterval.isZero()) {
      throw new IllegalArgumentException("--checkpoint-interval must be > 0");
    }
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("--max-restarts must be >= 0, got " + maxRestarts);
    }
    URI dir =
        checkpointDir != null
            ? checkpointDir
            : Path.of(Project.home().toString(), "var", "checkpoints").toUri();
    try {
      return new CheckpointSettings(dir, checkpointInterval, maxRestarts);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--checkpoint-dir: " + e.getMessage(), e);
    }
  }

  /** Where the job's state comes from: {@code --from-savepoint}, or nothing. */
  FlinkEnvironments.Restore restore() {
    if (allowNonRestoredState && fromSavepoint == null) {
      throw new IllegalArgumentException(
          "--allow-non-restored-state needs --from-savepoint: there is no savepoint to restore");
    }
    if (fromSavepoint != null && fromSavepoint.isBlank()) {
      throw new IllegalArgumentException("--from-savepoint is blank");
    }
    return fromSavepoint == null
        ? FlinkEnvironments.Restore.NONE
        : new FlinkEnvironments.Restore(fromSavepoint.trim(), allowNonRestoredState);
  }

  /** Starts a job from its environment; in LOCAL mode waits for it, cancelling it on Ctrl-C. */
  interface Starter {
    JobClient start(StreamExecutionEnvironment env) throws Exception;
  }

  int launch(String name, CheckpointSettings checkpoints, Starter starter, String... hints)
      throws Exception {
    FlinkEnvironments.Restore restore = restore();
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(mode(), checkpoints, webUiPort, restore);
    JobClient client = starter.start(env);
    System.out.printf("job %s submitted as %s%n", name, client.getJobID());
    if (restore.savepointPath() != null) {
      System.out.printf("restoring state from %s%n", restore.savepointPath());
    }
    if (mode() == FlinkEnvironments.Mode.LOCAL) {
      System.out.printf("Flink web UI: http://127.0.0.1:%d  (Ctrl-C stops the job)%n", webUiPort);
      for (String hint : hints) {
        System.out.println(hint);
      }
      Jobs.cancelOnShutdown(client);
      client.getJobExecutionResult().get();
    }
    return 0;
  }
}

package dev.sluice.cli;

import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.state.CheckpointSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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
  int webUiPort;

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

  FlinkEnvironments.Mode mode() {
    if (mode != null) {
      return mode;
    }
    return System.getProperty("sluice.home") != null
        ? FlinkEnvironments.Mode.LOCAL
        : FlinkEnvironments.Mode.SUBMIT;
  }

  CheckpointSettings checkpoints() {
    URI dir =
        checkpointDir != null
            ? checkpointDir
            : Path.of(Project.home().toString(), "var", "checkpoints").toUri();
    return new CheckpointSettings(dir, checkpointInterval, maxRestarts);
  }
}

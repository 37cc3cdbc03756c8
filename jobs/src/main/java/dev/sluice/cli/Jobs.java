package dev.sluice.cli;

import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/** Lifecycle helpers for jobs run in this JVM. */
final class Jobs {
  private Jobs() {}

  /**
   * Cancels the job when the JVM is asked to stop (Ctrl-C), so the MiniCluster shuts down cleanly.
   */
  static void cancelOnShutdown(JobClient client) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    client.cancel().get(20, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    // Already finished or the cluster is gone: nothing left to stop.
                  }
                },
                "sluice-cancel-job"));
  }
}

package dev.sluice.cli;

import picocli.CommandLine.Option;

/** {@code --skip-preflight}: whether a job command checks its services before building the job. */
public final class PreflightOptions {
  @Option(
      names = "--skip-preflight",
      description =
          "Do not check Kafka, the topics, the registry, Redis and the offline store before starting.")
  boolean skip;

  void run(Preflight preflight) {
    if (!skip) {
      preflight.run();
    }
  }
}

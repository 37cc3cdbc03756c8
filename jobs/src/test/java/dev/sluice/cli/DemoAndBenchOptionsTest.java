package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.PlatformJob;
import org.junit.jupiter.api.Test;

/**
 * The demo's and the monitoring benchmark's options are checked before anything starts: each
 * mistake exits 2 with a message naming the option, and no service is touched (these run without
 * Kafka).
 */
class DemoAndBenchOptionsTest {

  /**
   * The demo and bench loop build their job's configuration in code, not from parsed options: it
   * must pass the same checks (a validation of an option left at its field default once stopped the
   * demo right after training).
   */
  @Test
  void theDemosJobConfigurationBuildsWithoutParsedOptions() {
    PlatformJob.Config config =
        DemoPipeline.config(
            DemoPipeline.Names.PLATFORM,
            "fraud",
            "file:///tmp/sluice-demo-config-test",
            java.time.Instant.parse("2018-05-08T00:00:00Z"));
    org.assertj.core.api.Assertions.assertThat(config.checkpoints().interval())
        .isEqualTo(java.time.Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThat(config.scoring().settings().modelName())
        .isEqualTo("fraud");
  }

  @Test
  void demoRefusesBadOptionsBeforeStartingAnything() {
    assertUsageError("--catch-up-days must be >= 0, got -1", "demo", "--catch-up-days", "-1");
    assertUsageError("--rate must be > 0, got 0.0", "demo", "--rate", "0");
    assertUsageError("--catch-up-rate must be > 0, got -5.0", "demo", "--catch-up-rate", "-5");
    assertUsageError(
        "--drift-night-fraud-cards needs --drift-night-fraud-day",
        "demo",
        "--drift-night-fraud-cards",
        "3");
    assertUsageError(
        "--drift-spending-day must be a day in [0, days - 1] = [0, 182], got 400",
        "demo",
        "--drift-spending-day",
        "400");
  }

  @Test
  void benchMonitoringRefusesBadOptionsBeforeStartingAnything() {
    assertUsageError("--days must be > 37", "bench", "monitoring", "--days", "30");
    assertUsageError(
        "--parallelism must be >= 1, got 0", "bench", "monitoring", "--parallelism", "0");
    assertUsageError(
        "--drift-geography-day must be a day in [0, days - 1] = [0, 59], got 60",
        "bench",
        "monitoring",
        "--days",
        "60",
        "--drift-geography-day",
        "60");
  }

  @Test
  void theLoopsOptionsAreCheckedBeforeAnythingStarts() {
    assertUsageError(
        "retraining policy: holdout share must be strictly between 0 and 1, got 1.5",
        "demo",
        "--holdout-share",
        "1.5");
    assertUsageError("--model", "demo", "--story", "--model", "../x");
    assertUsageError(
        "retraining policy: holdout days (20) must not exceed train days (14)",
        "bench",
        "loop",
        "--holdout-days",
        "20");
    assertUsageError("--days must be within 14..365, got 5", "bench", "loop", "--days", "5");
    assertUsageError(
        "retraining policy: gate metric must be one of",
        "retrain",
        "controller",
        "--gate-metric",
        "accuracy");
    assertUsageError(
        "--start-from must be earliest or latest, got 'middle'",
        "retrain",
        "controller",
        "--start-from",
        "middle");
  }

  @Test
  void demoHelpListsTheDriftScenarios() {
    CliRun cli = new CliRun();
    assertThat(cli.run("demo", "--help")).isZero();
    assertThat(cli.out())
        .contains(
            "--catch-up-days",
            "--catch-up-rate",
            "--drift-spending-day",
            "--drift-night-fraud-day",
            "--drift-geography-day");
  }

  private static void assertUsageError(String message, String... args) {
    CliRun cli = new CliRun();
    assertThat(cli.run(args)).as(String.join(" ", args) + "\n" + cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains(message);
  }
}

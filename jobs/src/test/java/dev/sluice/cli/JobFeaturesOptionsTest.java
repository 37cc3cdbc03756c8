package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.FeatureJob;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code sluice job features} options turn into: the README's store and replay switches. */
class JobFeaturesOptionsTest {
  private static FeatureJob.Config parse(String... args) {
    JobCommand.Features command = new JobCommand.Features();
    new CommandLine(command).parseArgs(args);
    return command.config();
  }

  @Test
  void byDefaultEveryStoreIsWrittenAndTheJobKeepsRunning() {
    FeatureJob.Config c = parse();
    assertThat(c.redis().host()).isEqualTo("127.0.0.1");
    assertThat(c.redis().port()).isEqualTo(6379);
    assertThat(c.offlineStore()).startsWith("file:/").endsWith("/var/data/offline");
    assertThat(c.archive()).isTrue();
    assertThat(c.bounded()).isFalse();
    assertThat(c.terminalRisk()).isEqualTo(TerminalRisk.AS_KNOWN);
    assertThat(c.featureRowsTopic()).isEqualTo("feature-rows");
  }

  @Test
  void switchesTurnStoresOffAndPointThemElsewhere() {
    FeatureJob.Config c =
        parse(
            "--redis",
            "10.0.0.7:6380",
            "--offline-store",
            "s3://bucket/sluice",
            "--no-archive",
            "--stop-at-end",
            "--terminal-risk",
            "handbook");
    assertThat(c.redis().host()).isEqualTo("10.0.0.7");
    assertThat(c.redis().port()).isEqualTo(6380);
    assertThat(c.offlineStore()).isEqualTo("s3://bucket/sluice");
    assertThat(c.archive()).isFalse();
    assertThat(c.bounded()).isTrue();
    assertThat(c.terminalRisk()).isEqualTo(TerminalRisk.HANDBOOK);

    FeatureJob.Config off = parse("--no-online-store", "--no-offline-store");
    assertThat(off.redis()).isNull();
    assertThat(off.offlineStore()).isNull();
    assertThat(off.archive()).isFalse();
  }

  @Test
  void aClusterReplacesTheSingleServer() {
    FeatureJob.Config c = parse("--redis-cluster", "10.0.0.1:7000,10.0.0.2:7000");
    assertThat(c.redis().isCluster()).isTrue();
    assertThat(c.redis().clusterNodes()).containsExactly("10.0.0.1:7000", "10.0.0.2:7000");
  }
}

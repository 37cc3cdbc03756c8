package dev.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;

class CheckpointSettingsTest {

  @Test
  void configuresRocksDbIncrementalExactlyOnceCheckpoints() {
    Configuration conf =
        new CheckpointSettings(
                URI.create("file:///var/sluice/checkpoints"), Duration.ofSeconds(10), 3)
            .applyTo(new Configuration());

    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
        .isEqualTo("file:///var/sluice/checkpoints");
    assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
        .isEqualTo(3);
  }

  @Test
  void zeroRestartsMeansFailFast() {
    Configuration conf =
        new CheckpointSettings(URI.create("file:///tmp/c"), Duration.ofSeconds(1), 0)
            .applyTo(new Configuration());
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("none");
  }

  @Test
  void namesBadSettings() {
    assertThatThrownBy(() -> new CheckpointSettings(URI.create("/tmp/c"), Duration.ofSeconds(1), 0))
        .hasMessageContaining("'/tmp/c' needs a scheme");
    assertThatThrownBy(() -> new CheckpointSettings(URI.create("file:///tmp/c"), Duration.ZERO, 0))
        .hasMessageContaining("checkpoint interval must be > 0");
    assertThatThrownBy(
            () -> new CheckpointSettings(URI.create("file:///tmp/c"), Duration.ofSeconds(1), -1))
        .hasMessageContaining("max restarts must be >= 0");
  }
}

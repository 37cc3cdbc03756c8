package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.jobs.ScoringJob;
import dev.sluice.operators.scoring.ScoringSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the scoring options of {@code sluice job score} and {@code job features} turn into. */
class JobScoringOptionsTest {
  private static ScoringJob.Config score(String... args) {
    JobCommand.Score command = new JobCommand.Score();
    new CommandLine(command).parseArgs(args);
    return command.config();
  }

  @Test
  void defaultsServeTheChampionWithTheChallengerInShadow() {
    ScoringJob.Config c = score("--model", "fraud");
    ScoringSettings s = c.scoring().settings();
    assertThat(s.modelName()).isEqualTo("fraud");
    assertThat(s.maxBatch()).isEqualTo(64);
    assertThat(s.maxWait()).isEqualTo(Duration.ofMillis(5));
    assertThat(s.shadow()).isTrue();
    assertThat(s.canaryShare()).isZero();
    assertThat(s.featureCopy()).isEqualTo(ScoringSettings.FeatureCopy.HASH);
    assertThat(s.maxParkedRows()).isEqualTo(100_000);
    assertThat(c.scoring().predictionsTopic()).isEqualTo("predictions");
    assertThat(c.scoring().registryTopic()).isEqualTo("model-registry");
    assertThat(c.featureRowsTopic()).isEqualTo("feature-rows");
  }

  @Test
  void everyScoringOptionReachesTheSettings() {
    ScoringSettings s =
        score(
                "--model",
                "churn",
                "--max-batch",
                "16",
                "--max-batch-wait",
                "20ms",
                "--no-shadow",
                "--canary-share",
                "0.1",
                "--prediction-features",
                "copy",
                "--max-parked-rows",
                "10")
            .scoring()
            .settings();
    assertThat(s.modelName()).isEqualTo("churn");
    assertThat(s.maxBatch()).isEqualTo(16);
    assertThat(s.maxWait()).isEqualTo(Duration.ofMillis(20));
    assertThat(s.shadow()).isFalse();
    assertThat(s.canaryShare()).isEqualTo(0.1);
    assertThat(s.featureCopy()).isEqualTo(ScoringSettings.FeatureCopy.COPY);
    assertThat(s.maxParkedRows()).isEqualTo(10);
  }

  @Test
  void badValuesAreRefusedWithTheOptionsName() {
    assertThatThrownBy(() -> score()).hasMessageContaining("--model is required");
    assertThatThrownBy(() -> score("--model", "fraud", "--prediction-features", "all"))
        .hasMessageContaining("--prediction-features must be hash or copy");
    assertThatThrownBy(() -> score("--model", "fraud", "--canary-share", "1.5"))
        .hasMessageContaining("canary share must be within 0..1");
    assertThatThrownBy(() -> score("--model", "Fraud!"))
        .hasMessageContaining("model name must match");
  }

  @Test
  void theFeatureJobScoresOnlyWithAModel() {
    JobCommand.Features without = new JobCommand.Features();
    new CommandLine(without).parseArgs();
    assertThat(without.scoring.enabled()).isFalse();
    JobCommand.Features with = new JobCommand.Features();
    new CommandLine(with).parseArgs("--model", "fraud", "--canary-share", "0.2");
    assertThat(with.scoring.enabled()).isTrue();
    assertThat(with.scoring.settings().canaryShare()).isEqualTo(0.2);
  }
}

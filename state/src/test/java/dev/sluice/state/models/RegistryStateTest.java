package dev.sluice.state.models;

import static dev.sluice.avro.models.AliasAction.DEMOTE;
import static dev.sluice.avro.models.AliasAction.PROMOTE;
import static dev.sluice.avro.models.AliasAction.ROLLBACK;
import static dev.sluice.state.models.ModelFixtures.FRAUD;
import static dev.sluice.state.models.ModelFixtures.alias;
import static dev.sluice.state.models.ModelFixtures.version;
import static dev.sluice.state.models.RegistryState.CHALLENGER;
import static dev.sluice.state.models.RegistryState.CHAMPION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The log-applying rules every reader of the registry shares. */
class RegistryStateTest {
  private final RegistryState state = new RegistryState();

  private RegistryState.Outcome apply(RegistryEvent event) {
    return state.apply(event);
  }

  private void registerVersions(int count) {
    for (int i = 1; i <= count; i++) {
      assertThat(apply(version(FRAUD, i, "model " + i)).applied()).isTrue();
    }
  }

  @Test
  void versionsAreNumberedOneTwoThreePerModel() {
    assertThat(state.nextVersion(FRAUD)).isEqualTo(1);
    registerVersions(3);
    apply(version("churn", 1, "churn model"));

    assertThat(state.versions(FRAUD)).extracting(ModelVersion::getVersion).containsExactly(1, 2, 3);
    assertThat(state.nextVersion(FRAUD)).isEqualTo(4);
    assertThat(state.nextVersion("churn")).isEqualTo(2);
    assertThat(state.models()).containsExactly("churn", FRAUD);
  }

  @Test
  void aDuplicateOrSkippedNumberIsIgnoredAndTheFirstWriterWins() {
    registerVersions(1);
    RegistryState.Outcome duplicate = apply(version(FRAUD, 1, "the race loser"));
    RegistryState.Outcome skipped = apply(version(FRAUD, 3, "too far ahead"));

    assertThat(duplicate.applied()).isFalse();
    assertThat(duplicate.reason()).contains("version 1 of fraud (expected 2");
    assertThat(skipped.applied()).isFalse();
    assertThat(state.version(FRAUD, 1).orElseThrow().getSha256())
        .isEqualTo(RegistryState.sha256(ModelFixtures.candidate(FRAUD, "model 1").getOnnx()));
    assertThat(state.nextVersion(FRAUD)).isEqualTo(2);
  }

  @Test
  void aVersionWhoseBytesDoNotMatchItsDigestIsIgnored() {
    RegistryEvent corrupt = version(FRAUD, 1, "model 1");
    ((ModelVersion) corrupt.getEvent())
        .setSha256(RegistryState.sha256(java.nio.ByteBuffer.wrap(new byte[] {1})));

    RegistryState.Outcome outcome = apply(corrupt);

    assertThat(outcome.applied()).isFalse();
    assertThat(outcome.reason()).contains("sha256 of the bytes is");
    assertThat(state.models()).as("an ignored first version creates no model").isEmpty();
    assertThat(state.nextVersion(FRAUD)).isEqualTo(1);
  }

  @Test
  void aliasChangesAreComparedAndSetOnTheirSequence() {
    registerVersions(2);
    assertThat(apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE)).applied()).isTrue();

    RegistryState.Outcome stale = apply(alias(FRAUD, CHAMPION, 2, 1, 1, PROMOTE));
    RegistryState.Outcome ahead = apply(alias(FRAUD, CHAMPION, 2, 1, 3, PROMOTE));

    assertThat(stale.applied()).isFalse();
    assertThat(stale.reason()).contains("another writer changed an alias first");
    assertThat(ahead.applied()).isFalse();
    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, 1));
    assertThat(state.nextSequence(FRAUD)).isEqualTo(2);
  }

  @Test
  void aliasChangeAssumingAnotherCurrentTargetIsIgnored() {
    registerVersions(3);
    apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE));

    RegistryState.Outcome wrongPrevious = apply(alias(FRAUD, CHAMPION, 3, 2, 2, PROMOTE));
    RegistryState.Outcome unknownTarget = apply(alias(FRAUD, CHAMPION, 9, 1, 2, PROMOTE));
    RegistryState.Outcome unknownModel = apply(alias("churn", CHAMPION, 1, null, 1, PROMOTE));

    assertThat(wrongPrevious.applied()).isFalse();
    assertThat(wrongPrevious.reason()).contains("points at 1, the change assumed 2");
    assertThat(unknownTarget.applied()).isFalse();
    assertThat(unknownTarget.reason()).contains("unknown version 9");
    assertThat(unknownModel.applied()).isFalse();
    assertThat(state.resolve(FRAUD, CHAMPION).orElseThrow().getVersion()).isEqualTo(1);
    assertThat(state.history(FRAUD)).hasSize(1);
  }

  @Test
  void rollbackWalksBackThroughThePromotions() {
    registerVersions(3);
    apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE));
    apply(alias(FRAUD, CHAMPION, 2, 1, 2, PROMOTE));
    apply(alias(FRAUD, CHAMPION, 3, 2, 3, PROMOTE));
    assertThat(state.rollbackTarget(FRAUD, CHAMPION)).contains(2);

    assertThat(apply(alias(FRAUD, CHAMPION, 2, 3, 4, ROLLBACK)).applied()).isTrue();
    assertThat(apply(alias(FRAUD, CHAMPION, 1, 2, 5, ROLLBACK)).applied()).isTrue();

    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, 1));
    assertThat(state.rollbackTarget(FRAUD, CHAMPION)).isEmpty();
    assertThat(state.history(FRAUD))
        .extracting(c -> c.getAction())
        .containsExactly(PROMOTE, PROMOTE, PROMOTE, ROLLBACK, ROLLBACK);
  }

  @Test
  void aRollbackToAnythingButThePreviousTargetIsIgnored() {
    registerVersions(3);
    apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE));
    apply(alias(FRAUD, CHAMPION, 2, 1, 2, PROMOTE));

    RegistryState.Outcome outcome = apply(alias(FRAUD, CHAMPION, 3, 2, 3, ROLLBACK));

    assertThat(outcome.applied()).isFalse();
    assertThat(outcome.reason()).contains("is not its previous target 1");
    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHAMPION, 2));
  }

  @Test
  void demoteRemovesTheAliasAndRollbackRestoresIt() {
    registerVersions(2);
    apply(alias(FRAUD, CHALLENGER, 2, null, 1, PROMOTE));
    assertThat(apply(alias(FRAUD, CHALLENGER, null, 2, 2, DEMOTE)).applied()).isTrue();
    assertThat(state.aliases(FRAUD)).isEmpty();
    assertThat(state.resolve(FRAUD, CHALLENGER)).isEmpty();
    assertThat(state.rollbackTarget(FRAUD, CHALLENGER)).contains(2);

    assertThat(apply(alias(FRAUD, CHALLENGER, 2, null, 3, ROLLBACK)).applied()).isTrue();

    assertThat(state.aliases(FRAUD)).isEqualTo(Map.of(CHALLENGER, 2));
  }

  @Test
  void aliasesOfOneModelAreIndependent() {
    registerVersions(2);
    apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE));
    apply(alias(FRAUD, CHALLENGER, 2, null, 2, PROMOTE));

    assertThat(state.aliases(FRAUD))
        .containsExactly(Map.entry(CHALLENGER, 2), Map.entry(CHAMPION, 1));
    assertThat(state.rollbackTarget(FRAUD, CHALLENGER)).isEmpty();
  }

  @Test
  void forModelKeepsOneModelAndIgnoresTheOthers() {
    RegistryState scoring = RegistryState.forModel(FRAUD);
    assertThat(scoring.apply(version(FRAUD, 1, "fraud 1")).applied()).isTrue();
    RegistryState.Outcome other = scoring.apply(version("churn", 1, "churn 1"));
    RegistryState.Outcome otherAlias = scoring.apply(alias("churn", CHAMPION, 1, null, 1, PROMOTE));
    assertThat(scoring.apply(alias(FRAUD, CHAMPION, 1, null, 1, PROMOTE)).applied()).isTrue();

    assertThat(other.applied()).isFalse();
    assertThat(other.reason()).isEqualTo("another model");
    assertThat(otherAlias.applied()).isFalse();
    assertThat(scoring.models()).containsExactly(FRAUD);
    assertThat(scoring.resolve(FRAUD, CHAMPION).orElseThrow().getVersion()).isEqualTo(1);
  }
}

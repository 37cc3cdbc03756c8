package dev.sluice.operators.monitoring.alarms;

import static dev.sluice.operators.monitoring.alarms.AlarmFixtures.drift;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which drift results {@link AlarmRules#observations(DriftResult)} turns into observations. */
class AlarmRulesTest {
  private static final AlarmRules RULES =
      AlarmRules.parse(
          """
          many-drifted drift drifted_share > 0.3
          feature-psi  drift psi           > 0.2
          """);

  /** A DDM result on the error stream, drifted. */
  private static DriftResult errorStream(String subject) {
    DriftResult r = drift(subject, 1, 0.0, true);
    r.setKind(DriftKind.ERROR_STREAM);
    r.setStatistics(Map.of("detections", 2.0, "error_rate", 0.01));
    r.setDecidedBy("detections");
    r.setThreshold(0.0);
    return r;
  }

  @Test
  void theDriftedShareCountsFeaturesOnlyNotErrorStreamsScoreOrLabel() {
    assertThat(RULES.observations(drift("amount", 1, 0.4, true)))
        .filteredOn(o -> o.rule.equals("many-drifted"))
        .singleElement()
        .satisfies(o -> assertThat(o.features).containsExactly("amount"));
    assertThat(RULES.observations(drift("score", 1, 0.4, true)))
        .noneMatch(o -> o.rule.equals("many-drifted"));
    assertThat(RULES.observations(drift("label", 1, 0.4, true)))
        .noneMatch(o -> o.rule.equals("many-drifted"));
    assertThat(RULES.observations(errorStream("errors/adwin"))).isEmpty();
    assertThat(RULES.observations(errorStream("errors/page_hinkley/shadow"))).isEmpty();
  }

  @Test
  void aPerSubjectRuleOnAnyFeatureFindsNoStatisticInAnErrorStreamResult() {
    assertThat(RULES.observations(drift("amount", 1, 0.4, true)))
        .extracting(o -> o.rule)
        .containsExactly("many-drifted", "feature-psi");
    assertThat(RULES.observations(errorStream("errors/ddm"))).isEmpty();
  }

  @Test
  void aDetectionsRuleReadsItsDetectorsResultsOnly() {
    AlarmRules rules =
        AlarmRules.parse("error-rise drift detections > 0 subject=errors/page_hinkley");
    assertThat(rules.observations(errorStream("errors/page_hinkley")))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.value).isEqualTo(2.0);
              assertThat(rules.rule(o.rule).holds(o.value)).isTrue();
            });
    assertThat(rules.observations(errorStream("errors/page_hinkley/shadow"))).isEmpty();
    assertThat(rules.observations(errorStream("errors/ddm"))).isEmpty();
    assertThat(rules.observations(drift("amount", 1, 0.4, true))).isEmpty();
  }
}

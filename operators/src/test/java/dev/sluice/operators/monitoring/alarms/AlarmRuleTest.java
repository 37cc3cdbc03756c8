package dev.sluice.operators.monitoring.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.AlertKind;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule declaration: the builder, the text format, defaults, and each validation error. */
class AlarmRuleTest {

  @Test
  void parsesTheDocumentedExample() {
    AlarmRules rules = AlarmRules.parse(AlarmFixtures.RULES_TEXT);
    assertThat(rules.rules())
        .extracting(AlarmRule::name)
        .containsExactly("feature-psi", "many-drifted", "auc-drop", "labels-missing");

    AlarmRule psi = rules.rule("feature-psi");
    assertThat(psi)
        .isEqualTo(
            AlarmRule.onDrift("feature-psi", "psi")
                .above(0.2)
                .fireAfter(3)
                .resolveAfter(2)
                .runbook("Check the feature's upstream")
                .build());
    assertThat(psi.subject()).isEqualTo("*");
    assertThat(psi.severity()).isEqualTo(Severity.WARNING);
    assertThat(psi.kind()).isEqualTo(AlertKind.FEATURE_DRIFT);
    assertThat(psi.describe()).isEqualTo("psi > 0.2 on * for 3 windows, resolved after 2");

    assertThat(rules.rule("many-drifted").datasetLevel()).isTrue();
    AlarmRule auc = rules.rule("auc-drop");
    assertThat(auc.direction()).isEqualTo(AlarmRule.Direction.BELOW);
    assertThat(auc.model()).isEqualTo("fraud");
    assertThat(auc.kind()).isEqualTo(AlertKind.PERFORMANCE);
    assertThat(auc.resolveAfter()).isEqualTo(1);
    assertThat(rules.rule("labels-missing").kind()).isEqualTo(AlertKind.DATA_QUALITY);
  }

  @Test
  void defaultKindFollowsTheSubject() {
    assertThat(AlarmRule.onDrift("s", "psi").subject("score").above(0.2).build().kind())
        .isEqualTo(AlertKind.PREDICTION_DRIFT);
    assertThat(AlarmRule.onDrift("l", "js_distance").subject("label").above(0.1).build().kind())
        .isEqualTo(AlertKind.LABEL_DRIFT);
  }

  @Test
  void metricsRulesReadFinalRecordsExceptForEstimates() {
    AlarmRule realized = AlarmRule.onMetrics("a", "auc_roc").below(0.8).build();
    AlarmRule prefixed = AlarmRule.onMetrics("b", "realized.auc_roc").below(0.8).build();
    AlarmRule estimated = AlarmRule.onMetrics("c", "estimated.auc_roc").below(0.8).build();
    AlarmRule coverage = AlarmRule.onMetrics("d", "label_coverage").below(0.5).build();
    var provisional = AlarmFixtures.metrics(0, MetricsStatus.PROVISIONAL, 0.7, 0.3);
    var fin = AlarmFixtures.metrics(0, MetricsStatus.FINAL, 0.7, 0.3);
    assertThat(realized.valueOf(provisional)).isNaN();
    assertThat(realized.valueOf(fin)).isEqualTo(0.7);
    assertThat(prefixed.valueOf(fin)).isEqualTo(0.7);
    assertThat(estimated.valueOf(provisional)).isEqualTo(0.9);
    assertThat(coverage.valueOf(fin)).isEqualTo(0.3);
    var shadow = AlarmFixtures.metrics(0, MetricsStatus.FINAL, 0.7, 0.3);
    shadow.setShadow(true);
    assertThat(realized.valueOf(shadow)).isNaN();
  }

  @Test
  void validationErrorsSayWhatIsWrong() {
    assertThatThrownBy(() -> AlarmRule.onDrift("bad name", "psi").above(0.2).build())
        .hasMessageContaining("rule name 'bad name' must");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "pis").above(0.2).build())
        .hasMessage(
            "rule 'x': unknown drift statistic 'pis', expected one of [chi2, chi2_p_value,"
                + " detections, detector_error_rate, error_rate, js_distance, ks, ks_p_value, psi,"
                + " wasserstein_norm] or drifted_share");
    assertThatThrownBy(() -> AlarmRule.onMetrics("x", "estimated.brier").below(0.2).build())
        .hasMessageContaining("unknown metric 'estimated.brier'");
    assertThatThrownBy(() -> AlarmRule.onMetrics("x", "auc_roc").subject("amount").below(1).build())
        .hasMessageContaining("metrics rules have no subject filter");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "ks_p_value").above(0.05).build())
        .hasMessage("rule 'x': ks_p_value falls when the distribution drifts: use '<', not '>'");
    assertThatThrownBy(
            () -> AlarmRule.onDrift("x", "drifted_share").subject("amount").above(0.5).build())
        .hasMessageContaining("subject must be *, not 'amount'");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "drifted_share").above(1.0).build())
        .hasMessageContaining("needs '> t' with t in [0, 1), got > 1.0");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "psi").build())
        .hasMessage("rule 'x': direction is required (> or <)");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "psi").above(Double.NaN).build())
        .hasMessageContaining("threshold must be a finite number");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "psi").above(0.2).fireAfter(0).build())
        .hasMessage("rule 'x': fire_after must be >= 1, got 0");
    assertThatThrownBy(() -> AlarmRule.onDrift("x", "psi").above(0.2).resolveAfter(-1).build())
        .hasMessage("rule 'x': resolve_after must be >= 1, got -1");
  }

  @Test
  void parseErrorsNameTheLine() {
    assertParseError("a drift psi > 0.2\n\nb drift psi >", "line 3: expected 'name source");
    assertParseError("a drfit psi > 0.2", "line 1: rule 'a': source must be 'drift' or 'metrics'");
    assertParseError(
        "a drift psi >= 0.2", "line 1: rule 'a': operator must be '>' or '<', got '>='");
    assertParseError(
        "a drift psi > high", "line 1: rule 'a': threshold must be a number, got 'high'");
    assertParseError(
        "a drift psi > 0.2 fire_aftr=2", "line 1: rule 'a': expected key=value with key one of");
    assertParseError(
        "a drift psi > 0.2 fire_after=two",
        "line 1: rule 'a': fire_after must be a whole number, got 'two'");
    assertParseError(
        "a drift psi > 0.2 severity=loud", "line 1: rule 'a': severity must be one of [INFO,");
    assertParseError(
        "a drift psi > 0.2 subject=x subject=y",
        "line 1: rule 'a': option 'subject' is given twice");
    assertParseError("a drift psi > 0.2 runbook=\"open", "line 1: unterminated quote");
    assertParseError(
        "# c\na drift psi > 0.2\na drift ks > 0.1",
        "line 3: rule name 'a' is already used on line 2");
    assertParseError("a drift psi > 0.2 fire_after=0", "line 1: rule 'a': fire_after must be >= 1");
  }

  @Test
  void quotedValuesKeepSpacesAndEscapes() {
    AlarmRule rule =
        AlarmRules.parse("a drift psi > 0.2 runbook=\"Call \\\"data\\\" on-call, see wiki\"")
            .rule("a");
    assertThat(rule.runbook()).isEqualTo("Call \"data\" on-call, see wiki");
  }

  @Test
  void namesAreUniqueInASet() {
    AlarmRule a = AlarmRule.onDrift("a", "psi").above(0.2).build();
    assertThatThrownBy(() -> new AlarmRules(List.of(a, a))).hasMessageContaining("used twice");
    assertThatThrownBy(() -> AlarmRules.of(a).rule("b"))
        .hasMessageContaining("no alarm rule named 'b'");
  }

  private static void assertParseError(String text, String message) {
    assertThatThrownBy(() -> AlarmRules.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}

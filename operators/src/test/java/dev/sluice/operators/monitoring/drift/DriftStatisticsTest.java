package dev.sluice.operators.monitoring.drift;

import static dev.sluice.operators.monitoring.drift.DriftFixtures.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.operators.evaluation.ProfileBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DriftStatistics} and {@link DriftDecision} on the fixtures of {@code
 * drift/generate_expected.py}, against scipy's exact values on the raw samples.
 *
 * <p>Tolerances. Categorical statistics and PSI see exactly the counts scipy sees (PSI's decile
 * bins are unions of grid bins), so they must agree to rounding. The numeric KS, JS and Wasserstein
 * values see the window only through the grid and the reference only through its 101 quantiles:
 *
 * <ul>
 *   <li>KS: the supremum can sit inside a grid bin, and the reference CDF is interpolated between
 *       percentiles: {@value #KS_PERCENTILE} (one reference percentile) plus {@code 1 / m} (one
 *       window value). Measured at most 0.009 (m = 40).
 *   <li>JS: the reference's mass per grid bin is taken as 0.01 per percentile instead of its raw
 *       counts (off by up to one percentile's mass where the variable has ties): {@value
 *       #JS_TOLERANCE}. Measured at most 0.009 (Poisson counts).
 *   <li>Wasserstein (in reference std units): linear interpolation between the percentiles spreads
 *       each percentile's mass evenly, which misplaces the mass of the widest (tail) percentiles of
 *       a skewed or discrete variable: {@value #WASSERSTEIN_TOLERANCE}. Measured at most 0.023.
 *   <li>KS p-value: it follows the statistic, so it must lie between the p-values of scipy's
 *       statistic plus and minus the KS tolerance; its formula is checked to rounding against scipy
 *       on scipy's statistic.
 * </ul>
 *
 * The script refuses cases within 20 % of a threshold, so these errors cannot flip a decision.
 */
class DriftStatisticsTest {
  private static final double EXACT = 1e-9;
  private static final double KS_PERCENTILE = 0.01;
  private static final double JS_TOLERANCE = 0.015;
  private static final double WASSERSTEIN_TOLERANCE = 0.03;

  /** The cases the fixture drifts by design; identical distributions do not. */
  private static final List<String> DRIFTED =
      List.of(
          "amount.shift",
          "amount.scale",
          "amount.heavy",
          "amount.narrow",
          // 40 values: Evidently's Wasserstein rule flags sampling noise (see DriftDecision).
          "amount.tiny",
          "score.shift",
          "score.tiny_shift",
          "count.shift",
          "label.shift",
          "channel.shift",
          "channel.new");

  static Stream<String> numericCases() {
    return DriftFixtures.cases(DriftFixtures.NUMERIC).stream();
  }

  static Stream<String> categoricalCases() {
    return DriftFixtures.cases(DriftFixtures.CATEGORICAL).stream();
  }

  static Stream<String> allCases() {
    return Stream.concat(numericCases(), categoricalCases());
  }

  private static DriftStatistics compare(String caseName) {
    return DriftStatistics.compare(
        DriftFixtures.profile(DriftFixtures.variable(caseName)), DriftFixtures.sketch(caseName));
  }

  @ParameterizedTest
  @MethodSource("numericCases")
  void numericStatisticsMatchScipyWithinTheGridError(String caseName) {
    DriftStatistics s = compare(caseName);
    long m = DriftFixtures.sample(caseName).length;
    assertThat(s.count()).isEqualTo(m);
    assertThat(s.values().keySet())
        .containsExactly("psi", "ks", "ks_p_value", "js_distance", "wasserstein_norm");
    assertThat(s.get("psi")).isCloseTo(number(caseName + ".psi"), within(EXACT));
    double ks = number(caseName + ".ks");
    double ksTolerance = KS_PERCENTILE + 1.0 / m;
    assertThat(s.get("ks")).isCloseTo(ks, within(ksTolerance));
    long n = s.referenceCount();
    assertThat(s.get("ks_p_value"))
        .isBetween(
            DriftStatistics.ksPValue(ks + ksTolerance, n, m),
            DriftStatistics.ksPValue(Math.max(0, ks - ksTolerance), n, m));
    assertThat(s.get("js_distance"))
        .isCloseTo(number(caseName + ".js_distance"), within(JS_TOLERANCE));
    assertThat(s.get("wasserstein_norm"))
        .isCloseTo(number(caseName + ".wasserstein_norm"), within(WASSERSTEIN_TOLERANCE));
  }

  @ParameterizedTest
  @MethodSource("numericCases")
  void ksPValueFormulaMatchesScipyOnScipysStatistic(String caseName) {
    double expected = number(caseName + ".ks_p_value_stephens");
    double actual =
        DriftStatistics.ksPValue(
            number(caseName + ".ks"),
            (long) number(DriftFixtures.variable(caseName) + ".count"),
            DriftFixtures.sample(caseName).length);
    assertThat(actual).isCloseTo(expected, within(EXACT * Math.max(expected, 1e-300)));
  }

  @ParameterizedTest
  @MethodSource("categoricalCases")
  void categoricalStatisticsMatchScipyExactly(String caseName) {
    DriftStatistics s = compare(caseName);
    assertThat(s.values().keySet()).containsExactly("psi", "chi2", "chi2_p_value", "js_distance");
    for (String key : s.values().keySet()) {
      double expected = number(caseName + "." + key);
      if (Double.isInfinite(expected)) {
        assertThat(s.get(key)).as(key).isEqualTo(expected);
      } else {
        assertThat(s.get(key)).as(key).isCloseTo(expected, within(EXACT * Math.max(1, expected)));
      }
    }
    double p = number(caseName + ".chi2_p_value");
    assertThat(s.get("chi2_p_value")).isCloseTo(p, within(EXACT * p));
  }

  @ParameterizedTest
  @MethodSource("allCases")
  void autoDecisionMatchesEvidentlysRuleOnTheExactValues(String caseName) {
    DriftDecision d = DriftDecision.decide(compare(caseName), DriftPolicy.auto());
    assertThat(d.method().id()).isEqualTo(DriftFixtures.text(caseName + ".decided_by"));
    assertThat(d.drifted())
        .as("%s by %s = %s", caseName, d.decidedBy(), d.statistic())
        .isEqualTo(Boolean.parseBoolean(DriftFixtures.text(caseName + ".drifted")));
  }

  @Test
  void autoFlagsExactlyTheDriftedCases() {
    List<String> flagged = new ArrayList<>();
    allCases()
        .filter(c -> DriftDecision.decide(compare(c), DriftPolicy.auto()).drifted())
        .forEach(flagged::add);
    assertThat(flagged).containsExactlyInAnyOrderElementsOf(DRIFTED);
  }

  @Test
  void autoPicksTheTestForSmallReferencesAndTheDistanceForLargeOnes() {
    assertThat(DriftDecision.decide(compare("score.same"), DriftPolicy.auto()).decidedBy())
        .isEqualTo("ks_p_value");
    assertThat(DriftDecision.decide(compare("amount.same"), DriftPolicy.auto()).decidedBy())
        .isEqualTo("wasserstein_norm");
    assertThat(DriftDecision.decide(compare("channel.same"), DriftPolicy.auto()).decidedBy())
        .isEqualTo("chi2_p_value");
    DriftDecision label = DriftDecision.decide(compare("label.shift"), DriftPolicy.auto());
    assertThat(label.decidedBy()).isEqualTo("js_distance");
    assertThat(label.threshold()).isEqualTo(0.1);
    assertThat(label.psi()).isEqualTo(DriftDecision.PsiLevel.MODERATE);
  }

  @ParameterizedTest
  @MethodSource("allCases")
  void psiPolicyGradesLikeTheExactPsi(String caseName) {
    double psi = number(caseName + ".psi");
    DriftDecision d = DriftDecision.decide(compare(caseName), DriftPolicy.parse("PSI", null));
    assertThat(d.decidedBy()).isEqualTo("psi");
    assertThat(d.drifted()).isEqualTo(psi >= 0.1);
    assertThat(d.psi())
        .isEqualTo(
            psi >= 0.2
                ? DriftDecision.PsiLevel.SIGNIFICANT
                : psi >= 0.1 ? DriftDecision.PsiLevel.MODERATE : DriftDecision.PsiLevel.NONE);
  }

  @Test
  void aNamedMethodUsesItsThresholdAndMustFitTheKind() {
    DriftStatistics amount = compare("amount.scale"); // wasserstein_norm ~ 0.3
    assertThat(DriftDecision.decide(amount, DriftPolicy.parse("wasserstein", "0.5")).drifted())
        .isFalse();
    assertThat(DriftDecision.decide(amount, DriftPolicy.parse("wasserstein", "0.2")).drifted())
        .isTrue();
    assertThat(DriftDecision.decide(amount, DriftPolicy.of(DriftMethod.KS)).drifted()).isTrue();
    assertThatThrownBy(() -> DriftDecision.decide(amount, DriftPolicy.of(DriftMethod.CHI2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> DriftDecision.decide(compare("label.same"), DriftPolicy.of(DriftMethod.KS)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DriftPolicy.parse("ks", "1.5"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DriftPolicy(DriftMethod.AUTO, 0.2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DriftPolicy.parse("kl", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyWindowHasNaNStatisticsAndDoesNotDrift() {
    for (String variable : List.of("amount", "label")) {
      DistributionProfile reference = DriftFixtures.profile(variable);
      DriftStatistics s = DriftStatistics.compare(reference, WindowSketch.forReference(reference));
      assertThat(s.count()).isZero();
      assertThat(s.values().values()).allMatch(v -> Double.isNaN(v));
      assertThat(DriftDecision.decide(s, DriftPolicy.auto()).drifted()).isFalse();
    }
  }

  @Test
  void aSketchOfAnotherReferenceIsRejected() {
    assertThatThrownBy(
            () ->
                DriftStatistics.compare(
                    DriftFixtures.profile("amount"), DriftFixtures.sketch("score.same")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                DriftStatistics.compare(
                    DriftFixtures.profile("amount"), DriftFixtures.sketch("label.same")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFixtureProfilesFollowProfileBuilder() {
    for (String variable : DriftFixtures.NUMERIC) {
      DistributionProfile built =
          ProfileBuilder.numeric(variable, DriftFixtures.numericSample(variable + ".reference"));
      DistributionProfile fixture = DriftFixtures.profile(variable);
      assertThat(built.getCount()).isEqualTo(fixture.getCount());
      assertThat(built.getStd()).isCloseTo(fixture.getStd(), within(EXACT));
      assertThat(built.getBinCounts()).isEqualTo(fixture.getBinCounts());
      for (int j = 0; j < ProfileBuilder.QUANTILES; j++) {
        assertThat(built.getQuantiles().get(j))
            .isCloseTo(fixture.getQuantiles().get(j), within(EXACT));
      }
    }
  }

  @Test
  void toAvroCopiesStatisticsAndDecision() {
    DriftStatistics s = compare("count.shift");
    DriftDecision d = DriftDecision.decide(s, DriftPolicy.auto());
    DriftResult r =
        DriftResults.toAvro(
            "fraud",
            3,
            Instant.ofEpochMilli(0),
            Instant.ofEpochMilli(3_600_000),
            s,
            d,
            Instant.ofEpochMilli(3_700_000));
    assertThat(r.getSubject()).isEqualTo("count");
    assertThat(r.getKind()).isEqualTo(DriftKind.NUMERIC);
    assertThat(r.getCount()).isEqualTo(1000);
    assertThat(r.getReferenceCount()).isEqualTo(3000);
    assertThat(r.getStatistics()).isEqualTo(s.values());
    assertThat(r.getDrifted()).isTrue();
    assertThat(r.getDecidedBy()).isEqualTo("wasserstein_norm");
    assertThat(r.getThreshold()).isEqualTo(0.1);
    assertThat(r.getStatistics().get(r.getDecidedBy())).isEqualTo(d.statistic());
  }
}

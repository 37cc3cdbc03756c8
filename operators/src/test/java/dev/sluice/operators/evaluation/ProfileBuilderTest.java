package dev.sluice.operators.evaluation;

import static dev.sluice.operators.evaluation.SklearnReference.TOLERANCE;
import static dev.sluice.operators.evaluation.SklearnReference.number;
import static dev.sluice.operators.evaluation.SklearnReference.numbers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ReferenceProfile;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ProfileBuilder} against numpy's moments, quantiles and histogram. */
class ProfileBuilderTest {
  private static final Properties EXPECTED = SklearnReference.expectedProfiles();

  @ParameterizedTest
  @ValueSource(strings = {"amount", "count", "flag"})
  void momentsMatchNumpy(String name) {
    DistributionProfile p = ProfileBuilder.feature(name, SklearnReference.profileColumn(name));
    assertThat(p.getName()).isEqualTo(name);
    assertThat(p.getCount()).isEqualTo((long) number(EXPECTED, name + ".count"));
    assertThat(p.getMean()).isCloseTo(number(EXPECTED, name + ".mean"), within(TOLERANCE));
    assertThat(p.getStd()).isCloseTo(number(EXPECTED, name + ".std"), within(TOLERANCE));
    assertThat(p.getMin()).isEqualTo(number(EXPECTED, name + ".min"));
    assertThat(p.getMax()).isEqualTo(number(EXPECTED, name + ".max"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"amount", "count"})
  void numericQuantilesAndBinsMatchNumpy(String name) {
    double[] values = SklearnReference.profileColumn(name);
    DistributionProfile p = ProfileBuilder.feature(name, values);
    assertThat(p.getKind()).isEqualTo(DistributionKind.NUMERIC);
    assertClose(p.getQuantiles(), numbers(EXPECTED, name + ".quantiles"));
    assertThat(p.getQuantiles()).hasSize(ProfileBuilder.QUANTILES);
    assertClose(p.getBinEdges(), numbers(EXPECTED, name + ".bin_edges"));
    double[] counts = numbers(EXPECTED, name + ".bin_counts");
    assertThat(p.getBinCounts()).hasSize(counts.length);
    for (int i = 0; i < counts.length; i++) {
      assertThat(p.getBinCounts().get(i)).as("bin %d", i).isEqualTo((long) counts[i]);
    }
    assertThat(p.getCategories()).isEmpty();
  }

  @Test
  void theIntegerColumnHasFewerBinsThanDeciles() {
    DistributionProfile p =
        ProfileBuilder.feature("count", SklearnReference.profileColumn("count"));
    assertThat(p.getBinEdges()).hasSizeLessThan(ProfileBuilder.BINS + 1).doesNotHaveDuplicates();
  }

  @Test
  void aZeroOneFeatureIsCategorical() {
    DistributionProfile p = ProfileBuilder.feature("flag", SklearnReference.profileColumn("flag"));
    assertThat(p.getKind()).isEqualTo(DistributionKind.CATEGORICAL);
    assertThat(p.getCategories())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "0", (long) number(EXPECTED, "flag.category.0"),
                "1", (long) number(EXPECTED, "flag.category.1")));
    assertThat(p.getQuantiles()).isEmpty();
    assertThat(p.getBinEdges()).isEmpty();
  }

  @Test
  void referenceProfileHasFeaturesInOrderThenScoreAndLabel() {
    ReferenceProfile profile =
        ProfileBuilder.reference(
            "train split",
            List.of("b", "a"),
            List.of(new double[] {1, 2, 3}, new double[] {0, 0, 0}),
            new double[] {0.1, 0.5, 0.9},
            new boolean[] {false, false, true});
    assertThat(profile.getRows()).isEqualTo(3);
    assertThat(profile.getFeatures())
        .extracting(DistributionProfile::getName)
        .containsExactly("b", "a");
    // All zero is still a 0/1 flag: category '1' is present with count 0.
    assertThat(profile.getFeatures().get(1).getCategories())
        .containsExactlyInAnyOrderEntriesOf(Map.of("0", 3L, "1", 0L));
    assertThat(profile.getPrediction().getName()).isEqualTo(ProfileBuilder.SCORE);
    assertThat(profile.getPrediction().getKind()).isEqualTo(DistributionKind.NUMERIC);
    assertThat(profile.getPrediction().getQuantiles()).hasSize(101);
    assertThat(profile.getLabel().getKind()).isEqualTo(DistributionKind.CATEGORICAL);
    assertThat(profile.getLabel().getCategories())
        .containsExactlyInAnyOrderEntriesOf(Map.of("0", 2L, "1", 1L));
    assertThatThrownBy(
            () ->
                ProfileBuilder.reference(
                    "x", List.of("a"), List.of(new double[] {1, 2}), new double[] {1}, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("score has 1 values");
  }

  @Test
  void constantAndMissingValues() {
    DistributionProfile constant = ProfileBuilder.numeric("c", new double[] {4, 4, 4});
    assertThat(constant.getBinEdges()).containsExactly(4.0, 4.0);
    assertThat(constant.getBinCounts()).containsExactly(3L);
    assertThat(constant.getStd()).isZero();
    DistributionProfile withNaN = ProfileBuilder.numeric("m", new double[] {1, Double.NaN, 3});
    assertThat(withNaN.getCount()).isEqualTo(2);
    assertThat(withNaN.getMean()).isEqualTo(2.0);
    DistributionProfile empty = ProfileBuilder.numeric("e", new double[] {Double.NaN});
    assertThat(empty.getCount()).isZero();
    assertThat(empty.getMean()).isNaN();
    assertThat(empty.getQuantiles()).isEmpty();
  }

  @Test
  void valuesOutsideTheEdgesFallIntoTheOuterBins() {
    double[] edges = {0, 1, 2};
    assertThat(ProfileBuilder.bin(edges, -5)).isZero();
    assertThat(ProfileBuilder.bin(edges, 1)).isEqualTo(1);
    assertThat(ProfileBuilder.bin(edges, 2)).isEqualTo(1);
    assertThat(ProfileBuilder.bin(edges, 50)).isEqualTo(1);
  }

  private static void assertClose(List<Double> actual, double[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual.get(i)).as("index %d", i).isCloseTo(expected[i], within(TOLERANCE));
    }
  }
}

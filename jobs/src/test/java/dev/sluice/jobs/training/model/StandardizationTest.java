package dev.sluice.jobs.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Standardization}: population statistics, constant columns, column reordering. */
class StandardizationTest {
  private static final List<String> COLUMNS = List.of("b_amount", "a_flag", "c_constant");

  /** Values with hand-computed statistics: b mean 4, population std 2; a mean 0.5, std 0.5. */
  private static final List<double[]> ROWS =
      List.of(
          new double[] {2, 0, 7},
          new double[] {4, 1, 7},
          new double[] {4, 0, 7},
          new double[] {6, 1, 7});

  @Test
  void populationMeanAndDeviationAndOneForAConstantColumn() {
    Standardization s = Standardization.fit(COLUMNS, ROWS);
    assertThat(s.means()).containsExactly(4, 0.5, 7);
    assertThat(s.scales()[0]).isCloseTo(Math.sqrt(2), within(1e-15));
    assertThat(s.scales()[1]).isEqualTo(0.5);
    assertThat(s.scales()[2]).isEqualTo(1.0);
    assertThat(s.apply(new double[] {6, 1, 7})).containsExactly(2 / Math.sqrt(2), 1.0, 0.0);
  }

  @Test
  void reorderMovesMeansAndScalesWithTheirColumns() {
    Standardization s =
        Standardization.fit(COLUMNS, ROWS).reorder(List.of("a_flag", "b_amount", "c_constant"));
    assertThat(s.features()).containsExactly("a_flag", "b_amount", "c_constant");
    assertThat(s.means()).containsExactly(0.5, 4, 7);
    assertThat(s.toPreprocessing().getShift()).containsExactly(0.5, 4.0, 7.0);
    assertThat(s.toPreprocessing().getScale().get(1)).isCloseTo(Math.sqrt(2), within(1e-15));
    assertThatThrownBy(() -> s.reorder(List.of("a_flag", "b_amount")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a permutation");
  }

  @Test
  void noRowsOrRaggedRowsAreRejected() {
    assertThatThrownBy(() -> Standardization.fit(COLUMNS, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rows");
    assertThatThrownBy(() -> Standardization.fit(COLUMNS, List.of(new double[] {1, 2})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 values for 3 features");
  }
}

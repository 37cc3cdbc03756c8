package dev.sluice.operators.evaluation;

import static dev.sluice.operators.evaluation.SklearnReference.TOLERANCE;
import static dev.sluice.operators.evaluation.SklearnReference.number;
import static dev.sluice.operators.evaluation.SklearnReference.numbers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.operators.evaluation.SklearnReference.Scored;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CardPrecision} against the handbook's pandas loop ({@code generate_expected.py}), on data
 * where tied card scores with different labels straddle the k-th place.
 */
class CardPrecisionTest {
  private static final Scored DATA = SklearnReference.scoredTransactions();
  private static final Properties EXPECTED = SklearnReference.expectedMetrics();

  @ParameterizedTest
  @ValueSource(ints = {10, 100})
  void matchesTheHandbookLoopDayByDay(int k) {
    CardPrecision.Result result =
        CardPrecision.atK(k, DATA.days(), DATA.customers(), DATA.scores(), DATA.labels());
    String key = "card_precision_at_" + k;
    assertThat(result.mean()).isCloseTo(number(EXPECTED, key), within(TOLERANCE));
    double[] perDay = numbers(EXPECTED, key + ".per_day");
    double[] compromised = numbers(EXPECTED, key + ".compromised_cards_per_day");
    assertThat(result.days()).hasSize(perDay.length);
    for (int d = 0; d < perDay.length; d++) {
      CardPrecision.Day day = result.days().get(d);
      assertThat(day.precision()).as("day %d", day.day()).isCloseTo(perDay[d], within(TOLERANCE));
      assertThat(day.compromisedCards()).as("day %d", day.day()).isEqualTo((int) compromised[d]);
    }
  }

  @Test
  void removingDetectedCardsMatters() {
    // The handbook's loop without removal gives a higher number on this data; ours removes.
    CardPrecision.Result result =
        CardPrecision.atK(100, DATA.days(), DATA.customers(), DATA.scores(), DATA.labels());
    assertThat(number(EXPECTED, "card_precision_at_100.without_removal"))
        .isGreaterThan(result.mean() + 0.05);
  }

  @Test
  void aCardIsScoredByItsHighestTransactionAndDetectedOnce() {
    long[] days = {1, 1, 1, 2, 2};
    String[] cards = {"a", "a", "b", "a", "b"};
    double[] scores = {0.1, 0.9, 0.5, 0.99, 0.2};
    boolean[] labels = {true, false, false, true, true};
    CardPrecision.Result result = CardPrecision.atK(1, days, cards, scores, labels);
    // Day 1: a (max 0.9, fraud by its other transaction) is checked and detected.
    // Day 2: a is gone, b is checked and is fraud.
    assertThat(result.days())
        .containsExactly(
            new CardPrecision.Day(1, 2, 1, 1, 1.0), new CardPrecision.Day(2, 1, 1, 1, 1.0));
    assertThat(result.mean()).isEqualTo(1.0);
  }

  @Test
  void fewerCardsThanKStillDivideByK() {
    CardPrecision.Result result =
        CardPrecision.atK(
            100, new long[] {5}, new String[] {"a"}, new double[] {0.3}, new boolean[] {true});
    assertThat(result.mean()).isEqualTo(0.01);
  }

  @Test
  void tiesAtTheKthPlaceGoToTheLowerCardId() {
    CardPrecision.Result result =
        CardPrecision.atK(
            1,
            new long[] {1, 1},
            new String[] {"c-2", "c-1"},
            new double[] {0.7, 0.7},
            new boolean[] {false, true});
    assertThat(result.mean()).isEqualTo(1.0);
  }

  @Test
  void noRowsAndBadInput() {
    assertThat(
            CardPrecision.atK(100, new long[0], new String[0], new double[0], new boolean[0])
                .mean())
        .isNaN();
    assertThatThrownBy(
            () -> CardPrecision.atK(0, new long[0], new String[0], new double[0], new boolean[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be > 0");
    assertThatThrownBy(
            () ->
                CardPrecision.atK(
                    1, new long[] {1}, new String[0], new double[] {1}, new boolean[] {true}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one entry per row");
  }
}

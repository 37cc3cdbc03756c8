package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Missing values are never handed out as numbers. */
class FeatureVectorTest {
  private final FeatureVector partial =
      RedisLayout.decode(
          SPENDING,
          "c-1",
          "k",
          T0,
          Arrays.asList(null, "2.5", Long.toString(T0.toEpochMilli()), "v1", null));

  @Test
  void aMissingValueCannotBeReadAsANumber() {
    assertThat(partial.value(1)).isEqualTo(2.5);
    assertThatThrownBy(() -> partial.value(0))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("NB_TX_1DAY")
        .hasMessageContaining("c-1");
  }

  @Test
  void theCallerChoosesTheFillValueForADenseVector() {
    assertThat(partial.values(Double.NaN)[0]).isNaN();
    assertThat(partial.values(0)).containsExactly(0.0, 2.5);
  }

  @Test
  void unknownColumnNamesAreAnError() {
    assertThatThrownBy(() -> partial.value("NOPE"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("customer_spending");
  }

  @Test
  void aValueWrittenWithoutWriteTimeStillReads() {
    assertThat(partial.writtenAt()).isEmpty();
    assertThat(partial.toString()).contains("NB_TX_1DAY=missing").contains("AVG_AMOUNT_1DAY=2.5");
  }

  @Test
  void missingVectorsHaveNoValues() {
    FeatureVector missing = FeatureVector.missing(SPENDING, "c-2", T0);

    assertThat(missing.isComplete()).isFalse();
    assertThat(missing.storedVersion()).isEmpty();
    assertThat(missing.value("NB_TX_1DAY")).isEmpty();
    assertThat(missing).isEqualTo(FeatureVector.missing(SPENDING, "c-2", T0));
  }
}

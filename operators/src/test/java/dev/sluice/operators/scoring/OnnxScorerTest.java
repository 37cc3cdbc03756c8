package dev.sluice.operators.scoring;

import static dev.sluice.operators.scoring.OnnxFixtures.NAN_LOG;
import static dev.sluice.operators.scoring.OnnxFixtures.RAW_MARGIN;
import static dev.sluice.operators.scoring.OnnxFixtures.TRIBUO_LR;
import static dev.sluice.operators.scoring.OnnxFixtures.expected;
import static dev.sluice.operators.scoring.OnnxFixtures.flatten;
import static dev.sluice.operators.scoring.OnnxFixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.operators.scoring.OnnxFixtures.Expected;
import dev.sluice.operators.scoring.OnnxFixtures.Fixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link OnnxScorer} against numpy: every supported output convention scores the shared logistic
 * regression's rows to within 1e-6 of {@code expected.json}.
 */
class OnnxScorerTest {
  private static final double TOLERANCE = 1e-6;

  static Stream<Fixture> supported() {
    return OnnxFixtures.SUPPORTED.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("supported")
  void scoresEveryConventionLikeNumpyInBatchesOf1And7And64And300(Fixture fixture) throws Exception {
    Expected expected = expected();
    try (OnnxScorer scorer = OnnxScorer.open(version(fixture).build())) {
      int initialCapacity = scorer.inputCapacity();
      for (int batch : new int[] {1, 7, 64, 300}) {
        assertScoresInBatches(scorer, expected.rows(), expected.positive(), batch);
      }
      assertThat(initialCapacity).isLessThan(300 * OnnxFixtures.FEATURES.size());
      assertThat(scorer.inputCapacity()).isGreaterThanOrEqualTo(300 * OnnxFixtures.FEATURES.size());
    }
  }

  @Test
  void smallerBatchesAfterTheBufferGrewStillScoreOnlyTheirRows() throws Exception {
    Expected expected = expected();
    try (OnnxScorer scorer = OnnxScorer.open(version(TRIBUO_LR).build())) {
      assertScoresInBatches(scorer, expected.rows(), expected.positive(), 300);
      double[] scores = new double[300];
      scorer.score(flatten(expected.rows(), 5, 3), 3, scores);
      assertThat(scores[0]).isCloseTo(expected.positive()[5], within(TOLERANCE));
      assertThat(scores[2]).isCloseTo(expected.positive()[7], within(TOLERANCE));
      assertThat(scores[3]).isZero();
    }
  }

  @Test
  void appliesStandardizationBeforeTheGraph() throws Exception {
    Expected expected = expected();
    ModelVersion version =
        version(TRIBUO_LR)
            .setPreprocessing(OnnxFixtures.standardize(expected.shift(), expected.scale()))
            .build();
    try (OnnxScorer scorer = OnnxScorer.open(version)) {
      assertScoresInBatches(scorer, expected.rows(), expected.standardizedPositive(), 64);
    }
    // Without the preprocessing the same rows would score differently, so the check above can fail.
    double largestDifference = 0;
    for (int r = 0; r < expected.positive().length; r++) {
      largestDifference =
          Math.max(
              largestDifference,
              Math.abs(expected.standardizedPositive()[r] - expected.positive()[r]));
    }
    assertThat(largestDifference).isGreaterThan(0.1);
  }

  @Test
  void reportsTheRowIndexOfANanScore() throws Exception {
    Expected expected = expected();
    float[] values = flatten(expected.nanLogRows(), 0, 8);
    try (OnnxScorer scorer = OnnxScorer.open(version(NAN_LOG).build())) {
      double[] scores = new double[8];
      scorer.score(values, 8, scores);
      assertThat(scores).containsExactly(expected.nanLogPositive(), within(TOLERANCE));

      values[5 * 4 + 2] = -1.0f; // log(-1) is NaN
      assertThatThrownBy(() -> scorer.score(values, 8, scores))
          .isInstanceOfSatisfying(ScoringException.class, e -> assertThat(e.row()).isEqualTo(5))
          .hasMessageContaining("row 5 of a batch of 8")
          .hasMessageContaining("NaN")
          .hasMessageContaining("model fraud v3")
          .hasMessageContaining("'score'");
    }
  }

  @Test
  void reportsTheFirstRowWhoseScoreIsOutsideTheUnitInterval() throws Exception {
    Expected expected = expected();
    int firstOutside = -1;
    for (int r = 0; r < 64 && firstOutside < 0; r++) {
      double margin = expected.margin()[r];
      if (margin < -1e-6 || margin > 1 + 1e-6) {
        firstOutside = r;
      }
    }
    assertThat(firstOutside).as("the fixture rows include margins outside [0, 1]").isNotNegative();
    int row = firstOutside;
    try (OnnxScorer scorer = OnnxScorer.open(version(RAW_MARGIN).build())) {
      assertThatThrownBy(() -> scorer.score(flatten(expected.rows(), 0, 64), 64, new double[64]))
          .isInstanceOfSatisfying(ScoringException.class, e -> assertThat(e.row()).isEqualTo(row))
          .hasMessageContaining("row " + row + " of a batch of 64")
          .hasMessageContaining("outside [0, 1]");
    }
  }

  @Test
  void closeReleasesTheSessionAndIsIdempotent() throws Exception {
    OnnxScorer scorer = OnnxScorer.open(version(TRIBUO_LR).build());
    scorer.close();
    scorer.close();
    assertThat(scorer.isClosed()).isTrue();
    assertThatThrownBy(() -> scorer.score(new float[4], 1, new double[1]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void rejectsABatchLargerThanItsArrays() throws Exception {
    try (OnnxScorer scorer = OnnxScorer.open(version(TRIBUO_LR).build())) {
      assertThatThrownBy(() -> scorer.score(new float[4 * 2], 3, new double[3]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("values.length >= 12");
    }
  }

  @Test
  void factorySurvivesJavaSerializationAndOpensAWorkingScorer() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(OnnxScorer.FACTORY);
    }
    ScorerFactory factory;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      factory = (ScorerFactory) in.readObject();
    }
    Expected expected = expected();
    try (Scorer scorer = factory.open(version(TRIBUO_LR).build())) {
      assertThat(scorer.featureCount()).isEqualTo(4);
      assertThat(scorer.version().getVersion()).isEqualTo(3);
      double[] scores = new double[1];
      scorer.score(flatten(expected.rows(), 0, 1), 1, scores);
      assertThat(scores[0]).isCloseTo(expected.positive()[0], within(TOLERANCE));
    }
  }

  /** Scores all rows in consecutive batches of {@code batch} (the last one shorter). */
  private static void assertScoresInBatches(
      OnnxScorer scorer, float[][] rows, double[] positive, int batch) throws ScoringException {
    double[] scores = new double[batch];
    for (int from = 0; from < rows.length; from += batch) {
      int count = Math.min(batch, rows.length - from);
      scorer.score(flatten(rows, from, count), count, scores);
      for (int r = 0; r < count; r++) {
        assertThat(scores[r])
            .as("row %d in a batch of %d", from + r, batch)
            .isCloseTo(positive[from + r], within(TOLERANCE));
      }
    }
  }
}

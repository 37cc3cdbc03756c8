package dev.sluice.operators.monitoring.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * The measurements every detector test makes on the {@link ErrorStreams}: false alarms without
 * drift, and delays after the abrupt and gradual changes, over {@link ErrorStreams#SEEDS} seeds.
 */
final class DetectorBehaviour {
  private DetectorBehaviour() {}

  /** Summary of a no-drift experiment. */
  record FalseAlarms(int total, int runsWithAny) {}

  static FalseAlarms falseAlarms(Supplier<? extends DriftDetector> detector) {
    int total = 0;
    int runsWithAny = 0;
    for (int seed = 0; seed < ErrorStreams.SEEDS; seed++) {
      int n = ErrorStreams.drifts(detector.get(), ErrorStreams.noDrift(seed)).size();
      total += n;
      runsWithAny += n > 0 ? 1 : 0;
    }
    return new FalseAlarms(total, runsWithAny);
  }

  /** Sorted detection delays, one per seed; -1 for a missed change. */
  static List<Integer> abruptDelays(Supplier<? extends DriftDetector> detector) {
    return delays(detector, true);
  }

  static List<Integer> gradualDelays(Supplier<? extends DriftDetector> detector) {
    return delays(detector, false);
  }

  private static List<Integer> delays(Supplier<? extends DriftDetector> detector, boolean abrupt) {
    List<Integer> delays = new ArrayList<>();
    for (int seed = 0; seed < ErrorStreams.SEEDS; seed++) {
      long s = (abrupt ? 1_000 : 2_000) + seed;
      double[] errors = abrupt ? ErrorStreams.abrupt(s, 10_000) : ErrorStreams.gradual(s, 12_000);
      delays.add(ErrorStreams.delay(ErrorStreams.drifts(detector.get(), errors)));
    }
    Collections.sort(delays);
    return delays;
  }

  static int median(List<Integer> sorted) {
    return sorted.get(sorted.size() / 2);
  }

  /** Every change detected (no -1) and none later than {@code maxDelay}. */
  static void assertAllDetectedWithin(List<Integer> sortedDelays, int maxDelay) {
    assertThat(sortedDelays.get(0)).as("missed changes in %s", sortedDelays).isNotNegative();
    assertThat(sortedDelays.get(sortedDelays.size() - 1))
        .as("slowest detection in %s", sortedDelays)
        .isLessThanOrEqualTo(maxDelay);
  }
}

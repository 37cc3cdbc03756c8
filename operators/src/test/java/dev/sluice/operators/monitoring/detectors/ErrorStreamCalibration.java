package dev.sluice.operators.monitoring.detectors;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The calibration of {@link ErrorStreamSettings#DEFAULTS} at the demo's volume: false DRIFTs on a
 * stationary Bernoulli(0.005) stream of 300,000 errors (30 simulated days at 10,000 labels a day),
 * and the errors until detection after a step to 0.01 (2x) or 0.02 (4x). Run {@link #main} to print
 * the table quoted in {@link ErrorStreamSettings} and the README (50 seeds, about a minute).
 */
final class ErrorStreamCalibration {
  static final double BASE_RATE = 0.005;
  static final int THIRTY_DAYS = 300_000;

  private ErrorStreamCalibration() {}

  /** DRIFTs of a fresh detector on {@code length} errors at {@link #BASE_RATE}. */
  static int falseDrifts(DriftDetector detector, long seed, int length) {
    SplittableRandom random = new SplittableRandom(seed);
    int drifts = 0;
    for (int i = 0; i < length; i++) {
      if (detector.update(random.nextDouble() < BASE_RATE ? 1 : 0) == DriftDetector.State.DRIFT) {
        drifts++;
      }
    }
    return drifts;
  }

  /**
   * Errors from a step {@link #BASE_RATE} to {@code rate}, after {@code before} errors, to the
   * first DRIFT at or after it; -1 if none within {@code max}.
   */
  static int delay(DriftDetector detector, long seed, int before, double rate, int max) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < before; i++) {
      detector.update(random.nextDouble() < BASE_RATE ? 1 : 0);
    }
    for (int i = 0; i < max; i++) {
      if (detector.update(random.nextDouble() < rate ? 1 : 0) == DriftDetector.State.DRIFT) {
        return i;
      }
    }
    return -1;
  }

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    for (ErrorStreamSettings s :
        new ErrorStreamSettings[] {
          ErrorStreamSettings.PAPER_DEFAULTS, ErrorStreamSettings.DEFAULTS
        }) {
      System.out.println(s == ErrorStreamSettings.DEFAULTS ? "DEFAULTS" : "PAPER_DEFAULTS");
      print("ddm", s::ddm, seeds);
      print("page_hinkley", s::pageHinkley, seeds);
      print("adwin", s::adwin, seeds);
    }
  }

  private static void print(String name, Supplier<? extends DriftDetector> d, int seeds) {
    int[] drifts =
        IntStream.range(0, seeds)
            .parallel()
            .map(i -> falseDrifts(d.get(), i, THIRTY_DAYS))
            .toArray();
    StringBuilder line =
        new StringBuilder(
            String.format(
                "  %-13s false DRIFTs in %d x 300k: %d (runs with any: %d)",
                name,
                seeds,
                IntStream.of(drifts).sum(),
                IntStream.of(drifts).filter(n -> n > 0).count()));
    for (int before : new int[] {50_000, THIRTY_DAYS}) {
      for (double rate : new double[] {0.01, 0.02}) {
        int[] delays =
            IntStream.range(0, seeds)
                .parallel()
                .map(i -> delay(d.get(), 10_000 + i, before, rate, 100_000))
                .toArray();
        int[] found = IntStream.of(delays).filter(x -> x >= 0).sorted().toArray();
        line.append(
            String.format(
                " | after %dk, to %.2f: median %s max %s missed %d",
                before / 1000,
                rate,
                found.length == 0 ? "-" : found[found.length / 2],
                found.length == 0 ? "-" : found[found.length - 1],
                delays.length - found.length));
      }
    }
    System.out.println(line);
    Arrays.fill(drifts, 0);
  }
}

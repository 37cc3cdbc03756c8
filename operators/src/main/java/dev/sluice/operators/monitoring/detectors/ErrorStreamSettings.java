package dev.sluice.operators.monitoring.detectors;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link ErrorStreamFunction} windows its results and configures its three detectors.
 *
 * <p>The defaults ({@link #DEFAULTS}) are calibrated for the demo's traffic: about 10,000 labelled
 * predictions per simulated day, the champion wrong on about 0.5% of them, stationary when nothing
 * drifts. Measured on seeded Bernoulli streams ({@code ErrorStreamCalibration}, 50 seeds): false
 * DRIFTs in 50 runs of 300,000 errors at rate 0.005 (30 days each), and errors from a step to 0.01
 * (2x) or 0.02 (4x) to the first DRIFT, after 50,000 stable errors, median (max; misses within
 * 100,000):
 *
 * <pre>
 *                                        false / 50 x 300k   2x                  4x
 *   DDM paper (30, 2, 3)                 620 (45 runs)       5,985 (35,114)      2,063 (8,987)
 *   DDM default (3000, 3, 5)             0                   18,391 (88,158; 5)  5,537 (17,889)
 *   Page-Hinkley river (0.005, 50, BOTH) 0                   20,322 (61,297; 20) 3,761 (5,874)
 *   Page-Hinkley default (0.0025, 20, UP) 0                  7,257 (20,493)      1,517 (2,769)
 *   ADWIN MOA (0.002)                    1                   5,583 (19,055)      1,135 (2,511)
 *   ADWIN default (0.0005)               0                   7,567 (20,495)      1,359 (2,799)
 * </pre>
 *
 * <p>After 300,000 stable errors instead of 50,000, Page-Hinkley and ADWIN are as fast (2x: median
 * 7,023 and 6,399) but DDM much slower (2x: median 38,300, 25 of 50 missed; 4x: median 25,007).
 *
 * <p>So at this volume DDM's paper levels raise a false DRIFT every 30,000 errors or so (a lucky
 * error-free start gives {@code s_min} near 0, and over hundreds of thousands of errors the running
 * rate wanders past {@code p_min + 3 s_min} by chance): the defaults raise {@code minInstances} to
 * 3,000 (about 15 expected errors before {@code p_min} is tracked) and the levels to 3 and 5 (with
 * 1,000 and 3/5, 1 false DRIFT in 50 runs; with 3,000 and 3/4.5, 0 but 2 in 50 at 1,000). DDM's
 * rate is the mean of every error since its last reset, so after weeks of stable traffic a doubling
 * takes days to show; Page-Hinkley (tolerance half the base rate, only rises, no forgetting) and
 * ADWIN find it within about a day (median; at worst two). Page-Hinkley's river defaults ({@code
 * delta} 0.005, the base rate itself) cannot see a rise from 0.005 to 0.01 at all in expectation.
 *
 * @param window tumbling event-time window of the results, aligned to the epoch; default 1 day
 * @param lateness how long after a window's end labelled rows are still counted in it (its results
 *     are emitted when the watermark passes end + lateness); default 1 hour, as for drift
 * @param ddmMinInstances DDM's warm-up in errors; default 3,000 (paper: 30)
 * @param ddmWarningLevel DDM's warning level in {@code s_min}; default 3 (paper: 2)
 * @param ddmDriftLevel DDM's drift level in {@code s_min}; default 5 (paper: 3)
 * @param pageHinkleyMinInstances errors before Page-Hinkley may report; default 30 (river's)
 * @param pageHinkleyDelta tolerated deviation per error; default 0.0025 (river: 0.005)
 * @param pageHinkleyThreshold lambda, the cumulative deviation that is a drift; default 20 (river:
 *     50)
 * @param pageHinkleyAlpha forgetting factor of the cumulative sums; default 1, none (river: 0.9999,
 *     which lets the sums' noise reach lambda 20 several times a month at this volume)
 * @param pageHinkleyMode which changes are reported; default {@link PageHinkley.Mode#UP} (a falling
 *     error rate is not an alarm)
 * @param adwinDelta ADWIN's confidence; default 0.0005 (MOA and river: 0.002)
 * @param adwinMaxBuckets buckets per histogram level; default 5
 * @param adwinClock updates between cut checks; default 32
 * @param adwinMinSubWindow minimum errors in each sub-window of a cut; default 5
 */
public record ErrorStreamSettings(
    Duration window,
    Duration lateness,
    int ddmMinInstances,
    double ddmWarningLevel,
    double ddmDriftLevel,
    int pageHinkleyMinInstances,
    double pageHinkleyDelta,
    double pageHinkleyThreshold,
    double pageHinkleyAlpha,
    PageHinkley.Mode pageHinkleyMode,
    double adwinDelta,
    int adwinMaxBuckets,
    int adwinClock,
    int adwinMinSubWindow)
    implements Serializable {

  /** The calibrated defaults described above. */
  public static final ErrorStreamSettings DEFAULTS =
      new ErrorStreamSettings(
          Duration.ofDays(1),
          Duration.ofHours(1),
          3_000,
          3.0,
          5.0,
          PageHinkley.DEFAULT_MIN_INSTANCES,
          0.0025,
          20.0,
          1.0,
          PageHinkley.Mode.UP,
          0.0005,
          Adwin.DEFAULT_MAX_BUCKETS,
          Adwin.DEFAULT_CLOCK,
          Adwin.DEFAULT_MIN_SUB_WINDOW);

  /**
   * The published defaults (DDM's paper, river's Page-Hinkley in both directions, MOA's ADWIN), for
   * comparison: they raise false alarms at this volume (see above).
   */
  public static final ErrorStreamSettings PAPER_DEFAULTS =
      new ErrorStreamSettings(
          Duration.ofDays(1),
          Duration.ofHours(1),
          Ddm.DEFAULT_MIN_INSTANCES,
          Ddm.DEFAULT_WARNING_LEVEL,
          Ddm.DEFAULT_DRIFT_LEVEL,
          PageHinkley.DEFAULT_MIN_INSTANCES,
          PageHinkley.DEFAULT_DELTA,
          PageHinkley.DEFAULT_THRESHOLD,
          PageHinkley.DEFAULT_ALPHA,
          PageHinkley.Mode.BOTH,
          Adwin.DEFAULT_DELTA,
          Adwin.DEFAULT_MAX_BUCKETS,
          Adwin.DEFAULT_CLOCK,
          Adwin.DEFAULT_MIN_SUB_WINDOW);

  public ErrorStreamSettings {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(lateness, "lateness");
    Objects.requireNonNull(pageHinkleyMode, "pageHinkleyMode");
    if (window.toMillis() <= 0) {
      throw new IllegalArgumentException(
          "error-stream window must be at least 1 ms, got " + window);
    }
    if (lateness.isNegative()) {
      throw new IllegalArgumentException(
          "error-stream lateness must not be negative, got " + lateness);
    }
    check(ddmMinInstances >= 1, "ddmMinInstances must be >= 1", ddmMinInstances);
    check(
        ddmWarningLevel > 0 && Double.isFinite(ddmWarningLevel),
        "ddmWarningLevel must be finite and > 0",
        ddmWarningLevel);
    check(
        ddmDriftLevel > ddmWarningLevel && Double.isFinite(ddmDriftLevel),
        "ddmDriftLevel must be finite and > ddmWarningLevel (" + ddmWarningLevel + ")",
        ddmDriftLevel);
    check(
        pageHinkleyMinInstances >= 1,
        "pageHinkleyMinInstances must be >= 1",
        pageHinkleyMinInstances);
    check(
        pageHinkleyDelta >= 0 && Double.isFinite(pageHinkleyDelta),
        "pageHinkleyDelta must be finite and >= 0",
        pageHinkleyDelta);
    check(
        pageHinkleyThreshold > 0 && Double.isFinite(pageHinkleyThreshold),
        "pageHinkleyThreshold must be finite and > 0",
        pageHinkleyThreshold);
    check(
        pageHinkleyAlpha > 0 && pageHinkleyAlpha <= 1,
        "pageHinkleyAlpha must be in (0, 1]",
        pageHinkleyAlpha);
    check(adwinDelta > 0 && adwinDelta < 1, "adwinDelta must be in (0, 1)", adwinDelta);
    check(adwinMaxBuckets >= 2, "adwinMaxBuckets must be >= 2", adwinMaxBuckets);
    check(adwinClock >= 1, "adwinClock must be >= 1", adwinClock);
    check(adwinMinSubWindow >= 1, "adwinMinSubWindow must be >= 1", adwinMinSubWindow);
  }

  private static void check(boolean ok, String what, Object got) {
    if (!ok) {
      throw new IllegalArgumentException("error-stream " + what + ", got " + got);
    }
  }

  /** The same settings with another window and lateness. */
  public ErrorStreamSettings withWindow(Duration newWindow, Duration newLateness) {
    return new ErrorStreamSettings(
        newWindow,
        newLateness,
        ddmMinInstances,
        ddmWarningLevel,
        ddmDriftLevel,
        pageHinkleyMinInstances,
        pageHinkleyDelta,
        pageHinkleyThreshold,
        pageHinkleyAlpha,
        pageHinkleyMode,
        adwinDelta,
        adwinMaxBuckets,
        adwinClock,
        adwinMinSubWindow);
  }

  /** A fresh DDM with these parameters. */
  public Ddm ddm() {
    return new Ddm(ddmMinInstances, ddmWarningLevel, ddmDriftLevel);
  }

  /** A fresh Page-Hinkley test with these parameters. */
  public PageHinkley pageHinkley() {
    return new PageHinkley(
        pageHinkleyMinInstances,
        pageHinkleyDelta,
        pageHinkleyThreshold,
        pageHinkleyAlpha,
        pageHinkleyMode);
  }

  /** A fresh ADWIN with these parameters. */
  public Adwin adwin() {
    return new Adwin(adwinDelta, adwinMaxBuckets, adwinClock, adwinMinSubWindow);
  }
}

package dev.sluice.simulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Holds events back to a target rate and, in wall-clock mode, until their event time: an event at
 * event time t waits for {@code anchor wall time + (t - anchor event time) / speedup}, so with
 * speedup 1 event time equals the wall clock at sending (events already in the past go at once),
 * and with speedup K the stream runs K times faster than real time and its event times run ahead of
 * the wall clock. Both limits may apply; the later deadline wins.
 */
public final class Pacer {
  static final long NO_DEADLINE = Long.MIN_VALUE;
  private static final long MIN_SLEEP_NANOS = 1_000_000;
  private static final long MAX_SLEEP_MILLIS = 200;

  private final double ratePerSecond;
  private final boolean byEventTime;
  private final long anchorEventMillis;
  private final double speedup;
  private final LongSupplier nanoClock;
  private long startNanos;
  private long paced;

  /** For {@link #catchUp}: events before this event time go at {@link #catchUpRate}. */
  private long catchUpUntilMillis = Long.MIN_VALUE;

  private Pacer catchUpRate;

  private Pacer(
      double ratePerSecond,
      boolean byEventTime,
      long anchorEventMillis,
      double speedup,
      LongSupplier nanoClock) {
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be >= 0, got " + ratePerSecond);
    }
    if (!(speedup > 0) || Double.isInfinite(speedup)) {
      throw new IllegalArgumentException("speedup must be > 0, got " + speedup);
    }
    this.ratePerSecond = ratePerSecond;
    this.byEventTime = byEventTime;
    this.anchorEventMillis = anchorEventMillis;
    this.speedup = speedup;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  /** As fast as possible. */
  public static Pacer unlimited() {
    return new Pacer(0, false, 0, 1, System::nanoTime);
  }

  /** At most {@code ratePerSecond} events a second (0: no limit), whatever their event time. */
  public static Pacer atRate(double ratePerSecond) {
    return new Pacer(ratePerSecond, false, 0, 1, System::nanoTime);
  }

  /**
   * Event time {@code nowMillis} is sent now, later event times {@code speedup} times faster than
   * real time; {@code ratePerSecond} (0: none) caps the rate on top.
   */
  public static Pacer wallClock(long nowMillis, double speedup, double ratePerSecond) {
    return new Pacer(ratePerSecond, true, nowMillis, speedup, System::nanoTime);
  }

  /**
   * Events before {@code untilEventMillis} at most {@code catchUpRate} a second (0: as fast as
   * possible), the later ones through {@code then}, whose clock starts at the first of them; e.g. a
   * demo that sends its first weeks of history quickly and the rest at a watchable rate.
   */
  public static Pacer catchUp(long untilEventMillis, double catchUpRate, Pacer then) {
    Pacer fast = atRate(catchUpRate);
    then.catchUpUntilMillis = untilEventMillis;
    then.catchUpRate = fast;
    return then;
  }

  static Pacer forTest(
      double ratePerSecond,
      boolean byEventTime,
      long anchorEventMillis,
      double speedup,
      LongSupplier nanoClock) {
    return new Pacer(ratePerSecond, byEventTime, anchorEventMillis, speedup, nanoClock);
  }

  /**
   * Where a wall-clock run starts its day 0: today's UTC midnight, so that times of day (and the
   * night-time features) stay meaningful and the events of today before {@code now} are sent at
   * once; or {@code now} itself (to the second), so that the very first events are live but
   * simulated midnights fall at {@code now}'s time of day.
   */
  public static Instant wallClockStart(Instant now, boolean atMidnight) {
    return atMidnight
        ? now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant()
        : now.truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * When the event with {@code eventTimeMillis} may be sent, in the nano clock's time, or {@link
   * #NO_DEADLINE}.
   */
  long deadlineNanos(long eventTimeMillis) {
    long deadline = NO_DEADLINE;
    if (ratePerSecond > 0) {
      deadline = startNanos + (long) (paced * 1e9 / ratePerSecond);
    }
    if (byEventTime) {
      long ahead = eventTimeMillis - anchorEventMillis;
      if (ahead > 0) {
        deadline = Math.max(deadline, startNanos + (long) (ahead * 1e6 / speedup));
      }
    }
    paced++;
    return deadline;
  }

  /**
   * Blocks until the event may be sent, or until {@code stopRequested} (checked at least every
   * {@value #MAX_SLEEP_MILLIS} ms); returns false when stopped.
   */
  public boolean await(long eventTimeMillis, BooleanSupplier stopRequested)
      throws InterruptedException {
    if (catchUpRate != null) {
      if (eventTimeMillis < catchUpUntilMillis) {
        return catchUpRate.await(eventTimeMillis, stopRequested);
      }
      catchUpRate = null;
      startNanos = nanoClock.getAsLong();
    }
    if (ratePerSecond == 0 && !byEventTime) {
      return true;
    }
    long deadline = deadlineNanos(eventTimeMillis);
    if (deadline == NO_DEADLINE) {
      return true;
    }
    for (long wait = deadline - nanoClock.getAsLong();
        wait >= MIN_SLEEP_NANOS;
        wait = deadline - nanoClock.getAsLong()) {
      if (stopRequested.getAsBoolean()) {
        return false;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(wait, MAX_SLEEP_MILLIS * 1_000_000));
    }
    return true;
  }
}

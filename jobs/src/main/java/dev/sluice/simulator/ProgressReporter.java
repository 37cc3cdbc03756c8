package dev.sluice.simulator;

import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One line every {@code interval} on long runs: events produced, current rate, simulated day and an
 * ETA. The ETA extrapolates the share of the expected events done so far; in wall-clock mode it is
 * the simulated time left to the last transaction divided by the speedup (labels then keep coming
 * for up to the longest delay).
 */
public final class ProgressReporter {
  private final PrintWriter out;
  private final long intervalNanos;
  private final double wallClockSpeedup;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private long lastNanos;
  private long lastEvents;

  /**
   * @param wallClockSpeedup the speedup of a wall-clock run, 0 for a run paced by rate or not at
   *     all
   */
  public ProgressReporter(PrintWriter out, Duration interval, double wallClockSpeedup) {
    this(out, interval, wallClockSpeedup, System::nanoTime);
  }

  ProgressReporter(
      PrintWriter out, Duration interval, double wallClockSpeedup, LongSupplier nanoClock) {
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.wallClockSpeedup = wallClockSpeedup;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.lastNanos = startNanos;
  }

  /** No output. */
  public static ProgressReporter silent() {
    return new ProgressReporter(new PrintWriter(Writer.nullWriter()), Duration.ZERO, 0);
  }

  /** Called after each event; prints when the interval has passed. */
  public void onEvent(Simulation simulation, long eventTimeMillis) {
    if (intervalNanos <= 0) {
      return;
    }
    long events = simulation.transactions() + simulation.labels();
    if ((events & 15) != 0) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (now - lastNanos < intervalNanos) {
      return;
    }
    out.println(line(simulation, eventTimeMillis, events, now));
    out.flush();
    lastNanos = now;
    lastEvents = events;
  }

  String line(Simulation simulation, long eventTimeMillis, long events, long now) {
    SimulatorConfig config = simulation.config();
    double rate = (events - lastEvents) / ((now - lastNanos) / 1e9);
    String where;
    if (simulation.transactionsFinished()) {
      where =
          String.format(
              Locale.ROOT, "all transactions sent, %,d labels pending", simulation.pendingLabels());
    } else {
      Duration eta;
      if (wallClockSpeedup > 0) {
        long end = config.startMillis() + config.days() * Simulation.MILLIS_PER_DAY;
        eta = Duration.ofMillis((long) (Math.max(0, end - eventTimeMillis) / wallClockSpeedup));
      } else {
        double done = Math.min(1, events / simulation.expectedEvents());
        eta = Duration.ofNanos((long) ((now - startNanos) * (1 - done) / done));
      }
      where =
          String.format(
              Locale.ROOT,
              "day %d/%d, ETA %s",
              simulation.currentDay() + 1,
              config.days(),
              human(eta));
    }
    return String.format(
        Locale.ROOT,
        "simulate: %,d events (%,d tx, %,d labels), %,.0f events/s, %s",
        events,
        simulation.transactions(),
        simulation.labels(),
        rate,
        where);
  }

  static String human(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds >= 86_400) {
      return String.format(Locale.ROOT, "%dd%02dh", seconds / 86_400, seconds % 86_400 / 3600);
    }
    if (seconds >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    if (seconds >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return seconds + "s";
  }
}

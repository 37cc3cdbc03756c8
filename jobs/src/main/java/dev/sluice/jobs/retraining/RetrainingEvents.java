package dev.sluice.jobs.retraining;

import dev.sluice.avro.RetrainingEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the loop's events read on a terminal. */
public final class RetrainingEvents {
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private RetrainingEvents() {}

  private static final DateTimeFormatter WALL =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * E.g. {@code [2018-05-14 00:00 | 19:21:05] fraud-run-1 PROMOTED v3 (...): live gate: ...}: event
   * time, then the wall-clock time (UTC) of the event.
   */
  public static String describe(RetrainingEvent e) {
    StringBuilder b = new StringBuilder();
    // A request from the command line has no event time: the controller gives it one.
    String asOf = e.getAsOf().equals(Instant.EPOCH) ? "-" : eventTime(e.getAsOf());
    b.append('[').append(asOf).append(" | ").append(WALL.format(e.getAt()));
    b.append("] ");
    b.append(e.getRunId() == null ? e.getModelName() : e.getRunId()).append(' ');
    b.append(e.getType());
    if (e.getVersion() != null) {
      b.append(" v").append(e.getVersion());
    }
    b.append(" (").append(e.getTrigger());
    if (!e.getTriggerDetail().isEmpty()) {
      b.append(": ").append(e.getTriggerDetail());
    }
    b.append(')');
    if (!e.getReason().isEmpty()) {
      b.append(": ").append(e.getReason());
    }
    return b.toString();
  }

  /** Event time as {@code yyyy-MM-dd HH:mm} (UTC). */
  public static String eventTime(Instant t) {
    return EVENT_TIME.format(t);
  }
}

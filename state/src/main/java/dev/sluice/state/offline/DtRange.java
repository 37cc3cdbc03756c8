package dev.sluice.state.offline;

import java.io.Serializable;
import java.time.LocalDate;

/**
 * An inclusive range of {@code dt} partitions (UTC dates of event time); either end may be open.
 *
 * @param from first date included, or null for no lower bound
 * @param to last date included, or null for no upper bound
 */
public record DtRange(LocalDate from, LocalDate to) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every partition. */
  public static final DtRange ALL = new DtRange(null, null);

  public DtRange {
    if (from != null && to != null && from.isAfter(to)) {
      throw new IllegalArgumentException("dt range starts after it ends: " + from + " > " + to);
    }
  }

  /** The dates from {@code from} to {@code to}, both included. */
  public static DtRange between(LocalDate from, LocalDate to) {
    return new DtRange(from, to);
  }

  /** One date. */
  public static DtRange day(LocalDate day) {
    return new DtRange(day, day);
  }

  public boolean contains(LocalDate dt) {
    return (from == null || !dt.isBefore(from)) && (to == null || !dt.isAfter(to));
  }

  @Override
  public String toString() {
    return "dt[" + (from == null ? "*" : from) + ".." + (to == null ? "*" : to) + "]";
  }
}

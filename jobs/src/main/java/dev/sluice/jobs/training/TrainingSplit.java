package dev.sluice.jobs.training;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The handbook's train / delay / test blocks (chapter 3.5), in whole UTC days: {@code trainDays}
 * days from {@code trainStart}, then {@code delayDays} days that are neither trained nor tested on
 * (their labels are not yet known when the model would be trained), then {@code testDays} days.
 * Prequential validation (chapter 5) moves the whole split forward with {@link #shiftedBy}.
 *
 * <p>A transaction belongs to a block by the UTC calendar day of its event time; see {@link
 * #periodOf(long)}.
 *
 * @param trainStart first training day (UTC)
 * @param trainDays number of training days, > 0
 * @param delayDays number of days between training and test, >= 0
 * @param testDays number of test days, > 0
 */
public record TrainingSplit(LocalDate trainStart, int trainDays, int delayDays, int testDays) {

  /** Train 2018-07-25..07-31, delay 08-01..08-07, test 08-08..08-14: the published table. */
  public static final TrainingSplit HANDBOOK =
      new TrainingSplit(LocalDate.of(2018, 7, 25), 7, 7, 7);

  /** How {@link #parse} expects a split, with an example. */
  public static final String FORMAT =
      "TRAIN_START/TRAIN_DAYS/DELAY_DAYS/TEST_DAYS, e.g. 2018-07-25/7/7/7";

  /** Keeps every date of a split, and its epoch-millisecond bounds, well inside a long. */
  private static final int MAX_DAYS = 100_000;

  private static final long MILLIS_PER_DAY = 86_400_000L;

  public TrainingSplit {
    Objects.requireNonNull(trainStart, "trainStart");
    if (trainStart.getYear() < 1 || trainStart.getYear() > 9999) {
      throw new IllegalArgumentException(
          "trainStart must be between 0001-01-01 and 9999-12-31, got " + trainStart);
    }
    if (trainDays <= 0 || trainDays > MAX_DAYS) {
      throw new IllegalArgumentException(
          "trainDays must be between 1 and " + MAX_DAYS + ", got " + trainDays);
    }
    if (delayDays < 0 || delayDays > MAX_DAYS) {
      throw new IllegalArgumentException(
          "delayDays must be between 0 and " + MAX_DAYS + ", got " + delayDays);
    }
    if (testDays <= 0 || testDays > MAX_DAYS) {
      throw new IllegalArgumentException(
          "testDays must be between 1 and " + MAX_DAYS + ", got " + testDays);
    }
  }

  /**
   * Parses {@value #FORMAT}, the form {@link #format()} prints.
   *
   * @throws IllegalArgumentException naming the text and the part that is wrong
   */
  public static TrainingSplit parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("training split is missing; expected " + FORMAT);
    }
    String[] parts = text.trim().split("/", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          "training split '" + text + "' must have 4 parts: " + FORMAT);
    }
    LocalDate start;
    try {
      start = LocalDate.parse(parts[0].trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "training split '"
              + text
              + "': train start '"
              + parts[0]
              + "' is not a date like 2018-07-25 (expected "
              + FORMAT
              + ")",
          e);
    }
    int train = days(text, "train days", parts[1]);
    int delay = days(text, "delay days", parts[2]);
    int test = days(text, "test days", parts[3]);
    try {
      return new TrainingSplit(start, train, delay, test);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("training split '" + text + "': " + e.getMessage(), e);
    }
  }

  private static int days(String text, String what, String part) {
    try {
      return Integer.parseInt(part.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training split '"
              + text
              + "': "
              + what
              + " '"
              + part
              + "' is not a whole number (expected "
              + FORMAT
              + ")",
          e);
    }
  }

  /** The form {@link #parse} reads, e.g. {@code 2018-07-25/7/7/7}. */
  public String format() {
    return trainStart + "/" + trainDays + "/" + delayDays + "/" + testDays;
  }

  /** The same block lengths, {@code days} later (prequential validation moves by 7). */
  public TrainingSplit shiftedBy(int days) {
    return new TrainingSplit(trainStart.plusDays(days), trainDays, delayDays, testDays);
  }

  public DateRange train() {
    return new DateRange(trainStart, trainStart.plusDays(trainDays));
  }

  /** Empty when {@code delayDays} is 0. */
  public DateRange delay() {
    LocalDate start = trainStart.plusDays(trainDays);
    return new DateRange(start, start.plusDays(delayDays));
  }

  public DateRange test() {
    LocalDate start = trainStart.plusDays((long) trainDays + delayDays);
    return new DateRange(start, start.plusDays(testDays));
  }

  /** From the first training day to the last test day: every day whose labels the split uses. */
  public DateRange all() {
    return new DateRange(trainStart, test().endExclusive());
  }

  /** The block of a UTC day. */
  public Period periodOf(LocalDate day) {
    return periodOfEpochDay(day.toEpochDay());
  }

  /** The block of an event time in epoch milliseconds, by its UTC day. */
  public Period periodOf(long epochMillis) {
    return periodOfEpochDay(epochDay(epochMillis));
  }

  /**
   * The block of a day given as days since 1970-01-01 (the allocation-free form the builder uses
   * for every row).
   */
  public Period periodOfEpochDay(long epochDay) {
    long offset = epochDay - trainStart.toEpochDay();
    if (offset < 0) {
      return Period.OUTSIDE;
    }
    if (offset < trainDays) {
      return Period.TRAIN;
    }
    if (offset < (long) trainDays + delayDays) {
      return Period.DELAY;
    }
    if (offset < (long) trainDays + delayDays + testDays) {
      return Period.TEST;
    }
    return Period.OUTSIDE;
  }

  /**
   * The UTC day of an epoch-millisecond time, as days since 1970-01-01 (floor, also before 1970).
   */
  public static long epochDay(long epochMillis) {
    return Math.floorDiv(epochMillis, MILLIS_PER_DAY);
  }

  /** Which block of the split a day is in. */
  public enum Period {
    TRAIN,
    DELAY,
    TEST,
    /** Before the first training day or after the last test day. */
    OUTSIDE
  }

  /**
   * Consecutive UTC days.
   *
   * @param start first day
   * @param endExclusive the day after the last one; equal to {@code start} when empty
   */
  public record DateRange(LocalDate start, LocalDate endExclusive) {
    public DateRange {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(endExclusive, "endExclusive");
      if (endExclusive.isBefore(start)) {
        throw new IllegalArgumentException(
            "date range ends (" + endExclusive + ") before it starts (" + start + ")");
      }
    }

    public int days() {
      return (int) (endExclusive.toEpochDay() - start.toEpochDay());
    }

    public boolean isEmpty() {
      return days() == 0;
    }

    /** The last day; undefined (throws) when empty. */
    public LocalDate last() {
      if (isEmpty()) {
        throw new IllegalStateException("empty date range from " + start);
      }
      return endExclusive.minusDays(1);
    }

    public boolean contains(LocalDate day) {
      return !day.isBefore(start) && day.isBefore(endExclusive);
    }

    /** Midnight UTC of the first day, in epoch milliseconds. */
    public long startMillis() {
      return start.toEpochDay() * MILLIS_PER_DAY;
    }

    /** Midnight UTC after the last day, in epoch milliseconds. */
    public long endMillisExclusive() {
      return endExclusive.toEpochDay() * MILLIS_PER_DAY;
    }

    /** {@code 2018-07-25..2018-07-31} (inclusive), or {@code none} when empty. */
    @Override
    public String toString() {
      return isEmpty() ? "none" : start + ".." + last();
    }
  }
}

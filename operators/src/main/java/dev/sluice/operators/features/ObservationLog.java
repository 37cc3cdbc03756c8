package dev.sluice.operators.features;

import java.util.Arrays;

/**
 * The per-key observations of a feature view still inside the view's horizon, as parallel primitive
 * arrays (one RocksDB value, a few KB for the handbook's keys, written once per event), and the
 * time of the key's cleanup timer.
 *
 * <p>Bound: the events of one entity within {@code horizon + allowed lateness} plus at most one
 * cleanup bucket (a customer: ~4 a day x 30 days; a terminal: ~1 transaction and ~1 label a day x
 * 37 days). Arrays are kept exactly full: no slack is serialized.
 *
 * <p>A Flink POJO (public fields, no-arg constructor).
 */
public final class ObservationLog {
  public long[] time = new long[0];
  public long[] knownAt = new long[0];
  public long[] value = new long[0];
  public long[] category = new long[0];
  public byte[] input = new byte[0];

  /** Event time of the key's registered cleanup timer, 0 when none is registered. */
  public long cleanupAt;

  public ObservationLog() {}

  public int size() {
    return time.length;
  }

  public boolean isEmpty() {
    return time.length == 0;
  }

  void add(FeatureEvent e) {
    int n = time.length;
    time = Arrays.copyOf(time, n + 1);
    knownAt = Arrays.copyOf(knownAt, n + 1);
    value = Arrays.copyOf(value, n + 1);
    category = Arrays.copyOf(category, n + 1);
    input = Arrays.copyOf(input, n + 1);
    time[n] = e.time;
    knownAt[n] = e.knownAt;
    value[n] = e.value;
    category[n] = e.category;
    input[n] = e.input;
  }

  /** Time of the oldest observation; the log must not be empty. */
  long oldestTime() {
    long oldest = Long.MAX_VALUE;
    for (long t : time) {
      oldest = Math.min(oldest, t);
    }
    return oldest;
  }

  /** Drops observations at or before {@code cutoff}; returns how many were dropped. */
  int evictUpTo(long cutoff) {
    int keep = 0;
    for (long t : time) {
      if (t > cutoff) {
        keep++;
      }
    }
    int dropped = time.length - keep;
    if (dropped == 0) {
      return 0;
    }
    long[] t2 = new long[keep];
    long[] k2 = new long[keep];
    long[] v2 = new long[keep];
    long[] c2 = new long[keep];
    byte[] i2 = new byte[keep];
    for (int i = 0, j = 0; i < time.length; i++) {
      if (time[i] > cutoff) {
        t2[j] = time[i];
        k2[j] = knownAt[i];
        v2[j] = value[i];
        c2[j] = category[i];
        i2[j++] = input[i];
      }
    }
    time = t2;
    knownAt = k2;
    value = v2;
    category = c2;
    input = i2;
    return dropped;
  }
}

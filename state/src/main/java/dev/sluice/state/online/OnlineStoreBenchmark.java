package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures an online store the way the platform uses it: the write rate of pipelined batches (what
 * the feature sink does) and the latency of single-entity reads (what the scorer does, one entity
 * per scored event). Not a unit test and not JMH: it talks to a real store and reports percentiles,
 * which are what matter for serving.
 *
 * <p>Run it with {@code bin/sluice bench online-store} against a server that holds nothing
 * precious: it writes {@code entities} keys under its own key prefix, which expire after an hour.
 */
public final class OnlineStoreBenchmark {
  /** The view the benchmark writes when run from {@link #main}. */
  public static final String VIEW = "bench_view";

  private OnlineStoreBenchmark() {}

  /**
   * What one run measured.
   *
   * @param entities entities written (one row each)
   * @param columns features per row
   * @param writeBatch rows per pipelined write
   * @param writeSeconds time to write all rows (after an unmeasured warm-up pass)
   * @param writeRowsPerSecond rows written per second
   * @param reads single-entity reads measured (after a warm-up of {@code min(reads, 10000)})
   * @param readSeconds time of the measured reads, one after the other
   * @param readP50Micros median read latency
   * @param readP99Micros 99th percentile
   * @param readP999Micros 99.9th percentile
   * @param readMaxMicros slowest read
   * @param readsNotPresent reads that did not find their entity PRESENT (should be 0)
   */
  public record Result(
      int entities,
      int columns,
      int writeBatch,
      double writeSeconds,
      double writeRowsPerSecond,
      int reads,
      double readSeconds,
      double readP50Micros,
      double readP99Micros,
      double readP999Micros,
      double readMaxMicros,
      int readsNotPresent) {

    /** Reads per second of one caller reading one entity at a time. */
    public double readsPerSecond() {
      return readSeconds == 0 ? 0 : reads / readSeconds;
    }

    /** A human-readable report. */
    public String format() {
      return String.format(
          Locale.ROOT,
          "online store benchmark: %d entities x %d features%n"
              + "  write: %,.0f rows/s (%d rows in %.2f s, pipelined batches of %d)%n"
              + "  read:  %d single-entity reads in %.2f s (%,.0f reads/s, one caller)%n"
              + "         latency p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us%n"
              + "         reads not PRESENT: %d",
          entities,
          columns,
          writeRowsPerSecond,
          entities,
          writeSeconds,
          writeBatch,
          reads,
          readSeconds,
          readsPerSecond(),
          readP50Micros,
          readP99Micros,
          readP999Micros,
          readMaxMicros,
          readsNotPresent);
    }
  }

  /**
   * Writes one row for each of {@code entities} entities in batches of {@code writeBatch} (twice:
   * the first pass warms up and is not measured), then reads {@code reads} random entities one by
   * one (after {@code min(reads, 10000)} unmeasured reads) and reports the latency percentiles.
   */
  public static Result run(
      OnlineFeatureStore store, ViewSchema schema, int entities, int reads, int writeBatch) {
    if (entities < 1 || reads < 1 || writeBatch < 1) {
      throw new IllegalArgumentException(
          "entities, reads and writeBatch must be >= 1, got "
              + entities
              + ", "
              + reads
              + ", "
              + writeBatch);
    }
    SplittableRandom random = new SplittableRandom(42);
    long eventTime = System.currentTimeMillis();

    // A first, unmeasured pass warms up the JIT and creates the keys; the measured pass then
    // overwrites them with newer rows, as a running feature pipeline does.
    writeAll(store, schema, entities, writeBatch, eventTime - 1, random);
    long writeStart = System.nanoTime();
    writeAll(store, schema, entities, writeBatch, eventTime, random);
    double writeSeconds = (System.nanoTime() - writeStart) / 1e9;

    Instant asOf = Instant.ofEpochMilli(eventTime);
    int warmUp = Math.min(reads, 10_000);
    for (int i = 0; i < warmUp; i++) {
      store.read(schema, entityId(random.nextInt(entities)), asOf);
    }
    long[] nanos = new long[reads];
    int notPresent = 0;
    long readStart = System.nanoTime();
    for (int i = 0; i < reads; i++) {
      String id = entityId(random.nextInt(entities));
      long start = System.nanoTime();
      FeatureVector vector = store.read(schema, id, asOf);
      nanos[i] = System.nanoTime() - start;
      if (vector.status() != FeatureVector.Status.PRESENT) {
        notPresent++;
      }
    }
    double readSeconds = (System.nanoTime() - readStart) / 1e9;
    Arrays.sort(nanos);
    return new Result(
        entities,
        schema.columns().size(),
        writeBatch,
        writeSeconds,
        entities / writeSeconds,
        reads,
        readSeconds,
        percentileMicros(nanos, 0.50),
        percentileMicros(nanos, 0.99),
        percentileMicros(nanos, 0.999),
        nanos[nanos.length - 1] / 1e3,
        notPresent);
  }

  /** A view of {@code columns} features, alternating LONG and DOUBLE, valid for an hour. */
  public static ViewSchema schema(int columns) {
    List<ViewSchema.Column> cols = new ArrayList<>(columns);
    for (int i = 0; i < columns; i++) {
      cols.add(
          new ViewSchema.Column(
              "F" + i, i % 2 == 0 ? ViewSchema.ValueType.LONG : ViewSchema.ValueType.DOUBLE));
    }
    return new ViewSchema(VIEW, "bench-1", "bench_entity", Duration.ofHours(1), cols);
  }

  private static void writeAll(
      OnlineFeatureStore store,
      ViewSchema schema,
      int entities,
      int writeBatch,
      long eventTime,
      SplittableRandom random) {
    List<ViewSchema> schemas = List.of(schema);
    List<ViewRow> batch = new ArrayList<>(writeBatch);
    for (int e = 0; e < entities; e++) {
      batch.add(row(schema, entityId(e), eventTime, random));
      if (batch.size() == writeBatch || e == entities - 1) {
        OnlineFeatureStore.WriteResult result = store.write(batch, schemas);
        if (result.rowsWritten() != batch.size()) {
          throw new IllegalStateException(
              "the store refused "
                  + result.rowsSkippedOlder()
                  + " rows: is another writer using the benchmark's key prefix?");
        }
        batch = new ArrayList<>(writeBatch);
      }
    }
  }

  private static String entityId(int i) {
    return "e-" + i;
  }

  private static ViewRow row(
      ViewSchema schema, String entityId, long eventTime, SplittableRandom r) {
    double[] values = new double[schema.columns().size()];
    for (int c = 0; c < values.length; c++) {
      values[c] =
          schema.columns().get(c).type() == ViewSchema.ValueType.LONG
              ? r.nextInt(1000)
              : r.nextDouble() * 1000;
    }
    return new ViewRow(
        schema.view(), schema.version(), entityId, "bench", eventTime, eventTime, values);
  }

  private static double percentileMicros(long[] sortedNanos, double quantile) {
    int index = (int) Math.ceil(quantile * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e3;
  }
}

package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One batch of {@code rows} view rows written through {@link OnlineStoreWriter} (the writer {@link
 * OnlineStoreSink} creates) with {@code batchSize = rows}: {@code rows} calls of {@code write}, the
 * last of which fills the buffer and writes it with {@link RedisOnlineFeatureStore#write} (checks,
 * encoding, one pipelined EVALSHA of the guarded-write script per row, one round trip). JMH's score
 * is microseconds per batch; divide by {@code rows} for per row.
 *
 * <p>Against a real Redis on 127.0.0.1 ({@code port}, default 6379; {@code -p port=6390} for
 * another). Rows have 6 columns (LONG and DOUBLE alternating, like the fraud views); each batch
 * writes distinct entities out of a pool of 8192, so keys are overwritten as a running pipeline
 * does, with a newer event time every batch. Keys are under the prefix {@code sluice-jmh-<pid>},
 * expire after 10 minutes and are deleted at the end of the trial. The buffer timer (200 ms, as
 * the sink's default) is scheduled and cancelled for real but never fires within a batch.
 *
 * <pre>{@code
 * mvn -B -pl state -Pbench process-test-classes -Djmh.args="OnlineStoreWriteBenchmark -wi 2 -i 3 -w 2s -r 2s"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class OnlineStoreWriteBenchmark {
  private static final int ENTITIES = 8192;
  private static final int COLUMNS = 6;

  @Param({"1", "16", "128", "512"})
  public int rows;

  @Param({"6379"})
  public int port;

  private String prefix;
  private ViewSchema schema;
  private OnlineStoreWriter writer;
  private ScheduledThreadPoolExecutor timers;
  private double[][] values;
  private String[] entityIds;
  private int nextEntity;
  private long eventTime;
  private long batches;

  @Setup(Level.Trial)
  public void open() {
    prefix = "sluice-jmh-" + ProcessHandle.current().pid();
    List<ViewSchema.Column> columns = new ArrayList<>();
    for (int i = 0; i < COLUMNS; i++) {
      columns.add(
          new ViewSchema.Column(
              "F" + i, i % 2 == 0 ? ViewSchema.ValueType.LONG : ViewSchema.ValueType.DOUBLE));
    }
    schema = new ViewSchema("jmh_view", "jmh-1", "jmh_entity", Duration.ofMinutes(10), columns);
    RedisSettings settings =
        RedisSettings.standalone("127.0.0.1", port).withKeyPrefix(prefix);
    timers = new ScheduledThreadPoolExecutor(1);
    timers.setRemoveOnCancelPolicy(true);
    ProcessingTimeService timeService =
        new ProcessingTimeService() {
          @Override
          public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
          }

          @Override
          public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
            // Never fires within a batch; if it did, it must not write from this thread.
            return timers.schedule(
                () -> {}, timestamp - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
          }
        };
    writer =
        new OnlineStoreWriter(
            RedisOnlineFeatureStore.open(settings),
            List.of(schema),
            rows,
            OnlineStoreSink.DEFAULT_MAX_BUFFER_TIME,
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            timeService,
            false);
    SplittableRandom random = new SplittableRandom(42);
    entityIds = new String[ENTITIES];
    values = new double[ENTITIES][COLUMNS];
    for (int e = 0; e < ENTITIES; e++) {
      entityIds[e] = "e-" + e;
      for (int c = 0; c < COLUMNS; c++) {
        values[e][c] = c % 2 == 0 ? random.nextInt(1000) : random.nextDouble() * 1000;
      }
    }
    eventTime = System.currentTimeMillis();
  }

  @Benchmark
  public int writeBatch() {
    long t = ++eventTime;
    for (int i = 0; i < rows; i++) {
      int e = nextEntity;
      nextEntity = (nextEntity + 1) & (ENTITIES - 1);
      writer.write(
          new ViewRow(schema.view(), schema.version(), entityIds[e], "jmh", t, t, values[e]),
          null);
    }
    batches++;
    return writer.bufferedRows();
  }

  @TearDown(Level.Trial)
  public void close() {
    long written = writer.rowsWritten.getCount();
    long skipped = writer.rowsSkippedOlder.getCount();
    writer.close();
    timers.shutdownNow();
    long deleted = 0;
    try (JedisPooled jedis = new JedisPooled("127.0.0.1", port)) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams match = new ScanParams().match(prefix + ":*").count(1000);
      do {
        ScanResult<String> page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          deleted += jedis.del(page.getResult().toArray(new String[0]));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    System.out.printf(
        "%nrows %d: %d batches, %d rows written, %d refused as older (expected 0);"
            + " deleted %d keys under %s%n",
        rows, batches, written, skipped, deleted, prefix);
    if (written != batches * rows || skipped != 0) {
      throw new IllegalStateException("not every row was written: see the line above");
    }
  }
}

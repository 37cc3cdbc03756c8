package dev.sluice.state.offline;

import static dev.sluice.state.offline.OfflineFixtures.CUSTOMER;
import static dev.sluice.state.offline.OfflineFixtures.TERMINAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Transaction;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.testing.FlinkTestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpointed STREAMING job writes two views and the transaction archive through the sinks;
 * while it runs, the test watches the directory: every visible file must be a finished, readable
 * {@code part-*.parquet} in the right partition, and rows must become visible before the end (at
 * checkpoints), never all at once.
 */
class OfflineStoreStreamingSinkTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final long COUNT = 6000;
  private static final double ROWS_PER_SECOND = 1500;
  private static final Pattern VIEW_FILE =
      Pattern.compile("features/view=([a-z_]+)/dt=(\\d{4}-\\d{2}-\\d{2})/part-[^/]+\\.parquet");
  private static final Pattern RAW_FILE =
      Pattern.compile("raw/transactions/dt=(\\d{4}-\\d{2}-\\d{2})/part-[^/]+\\.parquet");

  @TempDir java.nio.file.Path tmp;

  @Test
  void checkpointedJobFinishesFilesAtCheckpointsIntoTheirPartitions() throws Exception {
    OfflineStoreLayout layout = new OfflineStoreLayout(tmp.toUri().toString());
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    conf.set(PipelineOptions.GENERIC_TYPES, false); // fail instead of falling back to Kryo
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(2);
    env.enableCheckpointing(200);

    DataStream<Long> indices =
        env.fromSource(
            new DataGeneratorSource<>(
                i -> i, COUNT, RateLimiterStrategy.perSecond(ROWS_PER_SECOND), Types.LONG),
            WatermarkStrategy.noWatermarks(),
            "indices");
    indices
        .map(i -> OfflineFixtures.row(CUSTOMER, i))
        .returns(ViewRow.class)
        .rebalance()
        .sinkTo(OfflineStoreSinks.viewRows(layout, CUSTOMER))
        .uid("customer-offline-sink")
        .name("customer-offline-sink");
    indices
        .filter(i -> i % 2 == 0)
        .map(i -> OfflineFixtures.row(TERMINAL, i))
        .returns(ViewRow.class)
        .sinkTo(OfflineStoreSinks.viewRows(layout, TERMINAL))
        .uid("terminal-offline-sink")
        .name("terminal-offline-sink");
    indices
        .map(OfflineFixtures::transaction)
        .returns(new AvroTypeInfo<>(Transaction.class))
        .rebalance()
        .sinkTo(
            OfflineStoreSinks.raw(
                layout,
                OfflineStoreLayout.TRANSACTIONS,
                Transaction.class,
                Transaction::getEventTime))
        .uid("transactions-archive")
        .name("transactions-archive");

    JobClient job = env.executeAsync("offline-store-streaming");
    AtomicLong visibleWhileRunning = new AtomicLong();
    AtomicBoolean sawInProgress = new AtomicBoolean();
    Map<java.nio.file.Path, Checked> checked = new HashMap<>();
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long visible = checkVisibleFiles(layout, checked, sawInProgress);
              // Asked after the walk: a job that finished during it may have committed its last
              // files into what the walk saw.
              boolean running = !job.getJobStatus().get().isGloballyTerminalState();
              if (running) {
                visibleWhileRunning.accumulateAndGet(visible, Math::max);
              }
              return !running;
            });
    job.getJobExecutionResult().get(); // rethrows a failure of the job

    long all = checkVisibleFiles(layout, checked, sawInProgress);
    assertThat(all).isEqualTo(COUNT + COUNT / 2);
    assertThat(visibleWhileRunning.get())
        .as("rows must become visible at checkpoints while the job runs, not only at its end")
        .isPositive()
        .isLessThan(all);
    assertThat(sawInProgress)
        .as("in-progress part files exist, hidden, between checkpoints")
        .isTrue();
    try (Stream<java.nio.file.Path> files = Files.walk(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("nothing in progress is left behind")
          .noneMatch(OfflineStoreLayout::isHidden);
    }

    // Exactly once: every row, no duplicates (sorted, as AssertJ's any-order match is quadratic).
    OfflineStoreReader reader = new OfflineStoreReader(layout);
    assertThat(byEventId(reader.readViewRows(CUSTOMER, DtRange.ALL)))
        .containsExactlyElementsOf(OfflineFixtures.rows(CUSTOMER, 0, COUNT));
    assertThat(byEventId(reader.readViewRows(TERMINAL, DtRange.ALL)))
        .containsExactlyElementsOf(
            LongStream.range(0, COUNT)
                .filter(i -> i % 2 == 0)
                .mapToObj(i -> OfflineFixtures.row(TERMINAL, i))
                .toList());
    List<Transaction> transactions =
        new ArrayList<>(
            reader.readRaw(OfflineStoreLayout.TRANSACTIONS, Transaction.class, DtRange.ALL));
    transactions.sort(Comparator.comparing(Transaction::getTransactionId));
    assertThat(transactions).containsExactlyElementsOf(OfflineFixtures.transactions(0, COUNT));
    // Rolled at many checkpoints: more files than partitions x subtasks.
    assertThat(reader.viewFiles(CUSTOMER.view(), DtRange.ALL)).hasSizeGreaterThan(3 * 2);
  }

  /**
   * The regular files under {@code base}. The sink renames in-progress files while the walk runs:
   * one vanishing under the walk starts it again.
   */
  private static List<java.nio.file.Path> listFiles(java.nio.file.Path base) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (Stream<java.nio.file.Path> walk = Files.walk(base)) {
        return walk.filter(Files::isRegularFile).toList();
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
          throw e;
        }
      }
    }
  }

  /**
   * Checks every visible file under the base: a finished {@code part-*.parquet} in a {@code
   * view=/dt=} or archive partition whose rows all belong there. Returns the feature rows seen.
   */
  private static long checkVisibleFiles(
      OfflineStoreLayout layout,
      Map<java.nio.file.Path, Checked> checked,
      AtomicBoolean sawInProgress)
      throws IOException {
    java.nio.file.Path base = java.nio.file.Path.of(layout.base().toUri());
    if (!Files.exists(base)) {
      return 0;
    }
    List<java.nio.file.Path> files = listFiles(base);
    long rows = 0;
    for (java.nio.file.Path file : files) {
      if (OfflineStoreLayout.isHidden(file.getFileName().toString())) {
        sawInProgress.set(true);
        continue;
      }
      long size = Files.size(file);
      Checked before = checked.get(file);
      if (before != null) {
        assertThat(size).as("a finished file never changes: " + file).isEqualTo(before.size());
        rows += before.rows();
        continue;
      }
      String relative = base.relativize(file).toString();
      long rowsInFile = 0;
      Matcher view = VIEW_FILE.matcher(relative);
      Matcher raw = RAW_FILE.matcher(relative);
      if (view.matches()) {
        ViewSchema schema = view.group(1).equals(CUSTOMER.view()) ? CUSTOMER : TERMINAL;
        assertThat(view.group(1)).isIn(CUSTOMER.view(), TERMINAL.view());
        LocalDate dt = LocalDate.parse(view.group(2));
        List<ViewRow> inFile = new ArrayList<>();
        OfflineStoreReader.readViewRows(new Path(file.toUri()), schema, inFile::add);
        assertThat(inFile)
            .as(relative)
            .isNotEmpty()
            .allSatisfy(r -> assertThat(OfflineStoreLayout.dateOf(r.eventTime)).isEqualTo(dt));
        rowsInFile = inFile.size();
      } else if (raw.matches()) {
        LocalDate dt = LocalDate.parse(raw.group(1));
        List<Transaction> inFile = new ArrayList<>();
        OfflineStoreReader.readParquet(new Path(file.toUri()), Transaction.class, inFile::add);
        assertThat(inFile)
            .as(relative)
            .allSatisfy(
                t ->
                    assertThat(OfflineStoreLayout.dateOf(t.getEventTime().toEpochMilli()))
                        .isEqualTo(dt));
      } else {
        throw new AssertionError("unexpected visible file " + relative);
      }
      checked.put(file, new Checked(size, rowsInFile));
      rows += rowsInFile;
    }
    return rows;
  }

  private static List<ViewRow> byEventId(List<ViewRow> rows) {
    List<ViewRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(r -> r.eventId));
    return sorted;
  }

  /** A visible file already read: its size and feature rows. */
  private record Checked(long size, long rows) {}
}

package dev.sluice.state.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Transaction;
import dev.sluice.state.testing.FlinkTestCluster;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies one archive into another with a checkpointed STREAMING job (raw-archive source to raw
 * sink) that fails once in the middle of reading its files. The copy must equal the original: the
 * source resumes each file after the records of the last checkpoint (not from its start, which
 * would duplicate committed rows), and the sink discards what was written after it.
 */
class HistoryReplayRecoveryTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final int COUNT = 3000; // two daily files: 2336 and 664 rows

  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicInteger PASSED = new AtomicInteger();

  @TempDir java.nio.file.Path tmp;

  @Test
  void replayResumesMidFileAfterAFailureWithoutLossOrDuplicates() throws Exception {
    OfflineStoreLayout original = new OfflineStoreLayout(tmp.resolve("a").toUri().toString());
    OfflineStoreLayout copy = new OfflineStoreLayout(tmp.resolve("b").toUri().toString());
    List<Transaction> transactions = OfflineFixtures.transactions(0, COUNT);
    for (LocalDate day = LocalDate.of(2018, 4, 1);
        !day.isAfter(LocalDate.of(2018, 4, 2));
        day = day.plusDays(1)) {
      LocalDate d = day;
      OfflineFixtures.writeRawFile(
          Transaction.class,
          new Path(original.rawPartition(OfflineStoreLayout.TRANSACTIONS, d), "part-x-0-0.parquet"),
          transactions.stream()
              .filter(t -> OfflineStoreLayout.dateOf(t.getEventTime().toEpochMilli()).equals(d))
              .toList());
    }
    FAILED.set(false);
    PASSED.set(0);

    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(2);
    env.enableCheckpointing(100);
    env.fromSource(
            HistorySources.rawArchive(original, OfflineStoreLayout.TRANSACTIONS, Transaction.class),
            WatermarkStrategy.noWatermarks(),
            "transactions-history")
        .uid("transactions-history")
        .map(new FailOnceAfterACheckpoint())
        .uid("fail-once")
        .sinkTo(
            OfflineStoreSinks.raw(
                copy,
                OfflineStoreLayout.TRANSACTIONS,
                Transaction.class,
                Transaction::getEventTime))
        .uid("transactions-copy");
    env.execute("archive-copy-with-failure");

    assertThat(FAILED).as("the job failed once and recovered").isTrue();
    assertThat(PASSED.get())
        .as("records after the checkpoint were read again")
        .isGreaterThan(COUNT);
    List<Transaction> copied =
        new ArrayList<>(
            new OfflineStoreReader(copy)
                .readRaw(OfflineStoreLayout.TRANSACTIONS, Transaction.class, DtRange.ALL));
    copied.sort(Comparator.comparing(Transaction::getTransactionId));
    assertThat(copied).containsExactlyElementsOf(transactions);
  }

  /** Slows the copy down and fails once, after a checkpoint, in the middle of a file. */
  static final class FailOnceAfterACheckpoint extends RichMapFunction<Transaction, Transaction>
      implements CheckpointListener {
    private transient boolean checkpointed;
    private transient int seen;

    @Override
    public void open(OpenContext context) {
      checkpointed = false;
      seen = 0;
    }

    @Override
    public Transaction map(Transaction t) throws Exception {
      PASSED.incrementAndGet();
      seen++;
      if (checkpointed && seen > 300 && !FAILED.getAndSet(true)) {
        throw new IllegalStateException("injected failure after " + seen + " records");
      }
      Thread.sleep(1); // so that checkpoints complete while files are half read
      return t;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      checkpointed = true;
    }
  }
}

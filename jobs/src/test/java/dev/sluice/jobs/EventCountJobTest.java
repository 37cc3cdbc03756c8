package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.EventCount;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.testing.CollectingSink;
import dev.sluice.schemas.testing.TestRecords;
import dev.sluice.state.testing.FlinkTestCluster;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event-count workflow on a MiniCluster (parallelism 2) over bounded, out-of-order input. */
class EventCountJobTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final Instant T0 = Instant.parse("2018-04-01T00:00:00Z");

  @Test
  void countsValidTransactionsPerMinuteAndDeadLettersTheRest() throws Exception {
    List<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> input = new ArrayList<>();
    Map<Instant, Long> expected = new TreeMap<>();
    // 300 transactions over ~5 minutes, shuffled within 3 s (the job tolerates 5 s of disorder).
    for (int i = 0; i < 300; i++) {
      int second = i + (i % 4 == 0 ? 3 : 0);
      Instant eventTime = T0.plusSeconds(second);
      Transaction tx = TestRecords.transaction(i);
      tx.setEventTime(eventTime);
      input.add(Either.Right(Tuple2.of(TestRecords.source("transactions", i, new byte[] {0}), tx)));
      expected.merge(eventTime.truncatedTo(java.time.temporal.ChronoUnit.MINUTES), 1L, Long::sum);
      if (i % 50 == 7) {
        input.add(Either.Left(deadLetter(i, eventTime)));
      }
    }

    // No Kryo anywhere in the pipeline: building the job fails if a type falls back to it.
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    CollectingSink<EventCount> counts = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
    EitherTypeInfo<DeadLetter, Tuple2<SourceRecord, Transaction>> type =
        new EitherTypeInfo<>(
            new AvroTypeInfo<>(DeadLetter.class),
            new TupleTypeInfo<>(
                new AvroTypeInfo<>(SourceRecord.class), new AvroTypeInfo<>(Transaction.class)));
    EventCountJob.defineWorkflow(
        env.fromData(input, type)
            .assignTimestampsAndWatermarks(
                EventCountJob.watermarks(Duration.ofSeconds(5), Duration.ofSeconds(30))),
        counts,
        deadLetters,
        "transactions",
        Duration.ofMinutes(1));
    env.execute("event-count-test");

    Map<Instant, Long> actual =
        counts.values().stream()
            .collect(
                Collectors.toMap(
                    EventCount::getWindowStart, EventCount::getCount, Long::sum, TreeMap::new));
    assertThat(actual).isEqualTo(expected);
    assertThat(counts.values())
        .allSatisfy(
            c -> {
              assertThat(c.getWindowEnd())
                  .isEqualTo(c.getWindowStart().plus(Duration.ofMinutes(1)));
              assertThat(c.getSource()).isEqualTo("transactions");
            });
    assertThat(deadLetters.values())
        .extracting(DeadLetter::getOffset)
        .containsExactlyInAnyOrder(7L, 57L, 107L, 157L, 207L, 257L);
  }

  private static DeadLetter deadLetter(long offset, Instant at) {
    return DeadLetter.newBuilder()
        .setTopic("transactions")
        .setPartition(0)
        .setOffset(offset)
        .setRecordTimestamp(at)
        .setKey(null)
        .setValue(ByteBuffer.wrap(new byte[] {'{'}))
        .setStage("decode")
        .setErrorClass("BAD_MAGIC_BYTE")
        .setReason("test")
        .setFailedAt(at)
        .build();
  }
}

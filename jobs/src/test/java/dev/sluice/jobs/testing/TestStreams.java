package dev.sluice.jobs.testing;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;

/** Bounded in-memory streams for pipeline tests. */
public final class TestStreams {
  private TestStreams() {}

  /**
   * The records sorted by {@code time} (stable), timestamped by it, with monotonous watermarks.
   * Sorted, because the watermarks are monotonous: a record out of time order would be late
   * whenever a periodic watermark happened to be emitted before it, and a test would pass or fail
   * with the timing.
   */
  public static <T extends SpecificRecordBase> DataStream<T> inEventTime(
      StreamExecutionEnvironment env,
      List<T> records,
      Class<T> type,
      SerializableFunction<T, Instant> time) {
    List<T> sorted = records.stream().sorted(Comparator.comparing(time::apply)).toList();
    return env.fromData(sorted, new AvroTypeInfo<>(type))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<T>forMonotonousTimestamps()
                .withTimestampAssigner((r, ts) -> time.apply(r).toEpochMilli()));
  }
}

package dev.sluice.jobs.testing;

import java.time.Instant;
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

  /** The records, in order, timestamped by {@code time} with monotonous watermarks. */
  public static <T extends SpecificRecordBase> DataStream<T> inEventTime(
      StreamExecutionEnvironment env,
      List<T> records,
      Class<T> type,
      SerializableFunction<T, Instant> time) {
    return env.fromData(records, new AvroTypeInfo<>(type))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<T>forMonotonousTimestamps()
                .withTimestampAssigner((r, ts) -> time.apply(r).toEpochMilli()));
  }
}

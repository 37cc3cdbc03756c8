package dev.sluice.operators;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The watermark strategy of every registry-decoded Kafka source (see {@link GuardedWatermarks}).
 */
public final class DecodedWatermarks {
  private DecodedWatermarks() {}

  /**
   * Event time from the decoded value; dead letters keep the Kafka timestamp but do not move the
   * watermark, nor do values jumping more than {@code maxJump} ahead or lying in the wall-clock
   * future.
   *
   * @param outOfOrderness how far behind the largest timestamp seen the watermark trails
   * @param idleTimeout after this long without records a split stops holding the watermark back
   */
  public static <T> WatermarkStrategy<Either<DeadLetter, Tuple2<SourceRecord, T>>> strategy(
      SerializableFunction<T, Instant> eventTime,
      Duration outOfOrderness,
      Duration idleTimeout,
      Duration maxJump,
      Duration maxClockSkew) {
    WatermarkStrategy<Either<DeadLetter, Tuple2<SourceRecord, T>>> guarded =
        context ->
            new GuardedWatermarks<>(
                new BoundedOutOfOrdernessWatermarks<>(outOfOrderness), maxJump, maxClockSkew);
    return guarded
        .withTimestampAssigner(
            (record, kafkaTimestamp) ->
                record.isRight()
                    ? eventTime.apply(record.right().f1).toEpochMilli()
                    : kafkaTimestamp)
        .withIdleness(idleTimeout);
  }
}

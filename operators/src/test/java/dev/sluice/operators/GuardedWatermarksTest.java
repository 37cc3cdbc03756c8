package dev.sluice.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

class GuardedWatermarksTest {
  private static final long HISTORICAL = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();
  private static final Clock NOW =
      Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

  private final List<Long> emitted = new ArrayList<>();
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
      };
  private final GuardedWatermarks<String, String> generator =
      new GuardedWatermarks<>(
          new BoundedOutOfOrdernessWatermarks<>(Duration.ofSeconds(5)),
          Duration.ofDays(1),
          Duration.ofHours(1),
          NOW);

  private long lastWatermark() {
    generator.onPeriodicEmit(output);
    return emitted.get(emitted.size() - 1);
  }

  @Test
  void deadLettersWithWallClockTimestampsDoNotMoveTheWatermark() {
    generator.onEvent(Either.Right("tx"), HISTORICAL, output);
    generator.onEvent(Either.Left("dead letter"), NOW.millis(), output);
    assertThat(lastWatermark()).isEqualTo(HISTORICAL - 5_000 - 1);
  }

  @Test
  void aJumpBeyondTheLimitIsIgnoredButSteadyProgressIsNot() {
    generator.onEvent(Either.Right("tx"), HISTORICAL, output);
    generator.onEvent(
        Either.Right("broken clock"), HISTORICAL + Duration.ofDays(30).toMillis(), output);
    assertThat(lastWatermark()).isEqualTo(HISTORICAL - 5_001);

    generator.onEvent(
        Either.Right("next hour"), HISTORICAL + Duration.ofHours(1).toMillis(), output);
    assertThat(lastWatermark()).isEqualTo(HISTORICAL + Duration.ofHours(1).toMillis() - 5_001);
  }

  @Test
  void theWallClockFutureIsIgnoredEvenAsTheFirstRecord() {
    generator.onEvent(
        Either.Right("year 2100"), Instant.parse("2100-01-01T00:00:00Z").toEpochMilli(), output);
    generator.onEvent(Either.Right("tx"), HISTORICAL, output);
    assertThat(lastWatermark()).isEqualTo(HISTORICAL - 5_001);
  }
}

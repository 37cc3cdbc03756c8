package dev.sluice.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

class RightOnlyWatermarksTest {
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

  @Test
  void deadLettersWithWallClockTimestampsDoNotMoveTheWatermark() {
    RightOnlyWatermarks<String, String> generator =
        new RightOnlyWatermarks<>(new BoundedOutOfOrdernessWatermarks<>(Duration.ofSeconds(5)));
    long historical = 1_522_540_800_000L; // 2018-04-01
    long now = 1_795_770_000_000L; // 2026-11-27

    generator.onEvent(Either.Right("tx"), historical, output);
    generator.onEvent(Either.Left("dead letter"), now, output);
    generator.onPeriodicEmit(output);

    assertThat(emitted).containsExactly(historical - 5_000 - 1);
  }
}

package dev.sluice.operators;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;

/**
 * Generates watermarks from the {@code Right} (decoded) records only. {@code Left} records are dead
 * letters, whose only timestamp is the Kafka one (often wall-clock time): letting them advance the
 * watermark would close windows of historical data too early and drop the rest of it as late.
 */
public final class RightOnlyWatermarks<L, R> implements WatermarkGenerator<Either<L, R>> {
  private final WatermarkGenerator<Either<L, R>> delegate;

  public RightOnlyWatermarks(WatermarkGenerator<Either<L, R>> delegate) {
    this.delegate = delegate;
  }

  @Override
  public void onEvent(Either<L, R> event, long eventTimestamp, WatermarkOutput output) {
    if (event.isRight()) {
      delegate.onEvent(event, eventTimestamp, output);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    delegate.onPeriodicEmit(output);
  }
}

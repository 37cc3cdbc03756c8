package dev.sluice.operators.monitoring;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * For a stream without event time that is connected to one with event time (the registry's log
 * broadcast to a keyed operator): its watermark is always the maximum, so it never holds back the
 * operator's combined watermark and timers of the other input fire.
 */
public final class NoEventTime<T> implements WatermarkGenerator<T> {
  private NoEventTime() {}

  /** The strategy to assign to such a stream. */
  public static <T> WatermarkStrategy<T> strategy() {
    return WatermarkStrategy.forGenerator(context -> new NoEventTime<T>());
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    output.emitWatermark(new Watermark(Long.MAX_VALUE));
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.emitWatermark(new Watermark(Long.MAX_VALUE));
  }
}

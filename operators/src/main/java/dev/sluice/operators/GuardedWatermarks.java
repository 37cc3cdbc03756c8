package dev.sluice.operators;

import java.time.Clock;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;

/**
 * Generates watermarks only from records that can be trusted to carry a sane event time:
 *
 * <ul>
 *   <li>{@code Left} records are dead letters, whose only timestamp is the Kafka one (often
 *       wall-clock time): letting them advance the watermark would close windows of historical data
 *       too early;
 *   <li>a {@code Right} record more than {@code maxJump} ahead of the largest timestamp seen so
 *       far, or in the future by the wall clock (beyond {@code maxClockSkew}), is ignored too: one
 *       producer with a broken clock must not make everybody else's data late. Validation then
 *       rejects such a record.
 * </ul>
 */
public final class GuardedWatermarks<L, R> implements WatermarkGenerator<Either<L, R>> {
  private final WatermarkGenerator<Either<L, R>> delegate;
  private final long maxJumpMillis;
  private final long maxClockSkewMillis;
  private final Clock clock;
  private long maxSeen = Long.MIN_VALUE;

  public GuardedWatermarks(
      WatermarkGenerator<Either<L, R>> delegate, Duration maxJump, Duration maxClockSkew) {
    this(delegate, maxJump, maxClockSkew, Clock.systemUTC());
  }

  GuardedWatermarks(
      WatermarkGenerator<Either<L, R>> delegate,
      Duration maxJump,
      Duration maxClockSkew,
      Clock clock) {
    this.delegate = delegate;
    this.maxJumpMillis = maxJump.toMillis();
    this.maxClockSkewMillis = maxClockSkew.toMillis();
    this.clock = clock;
  }

  @Override
  public void onEvent(Either<L, R> event, long eventTimestamp, WatermarkOutput output) {
    if (event.isLeft() || eventTimestamp > clock.millis() + maxClockSkewMillis) {
      return;
    }
    if (maxSeen != Long.MIN_VALUE && eventTimestamp > maxSeen + maxJumpMillis) {
      return;
    }
    maxSeen = Math.max(maxSeen, eventTimestamp);
    delegate.onEvent(event, eventTimestamp, output);
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    delegate.onPeriodicEmit(output);
  }
}

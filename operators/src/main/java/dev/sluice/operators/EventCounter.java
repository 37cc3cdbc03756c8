package dev.sluice.operators;

import dev.sluice.avro.EventCount;
import java.time.Instant;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Counts events per event-time window without keeping them: the window state is one {@code long}
 * (incremental {@link Count}), turned into an {@link EventCount} when the window fires ({@link
 * Emit}). Window state is dropped by Flink when the window is purged after firing (allowed lateness
 * 0).
 */
public final class EventCounter {
  private EventCounter() {}

  /** Incremental count; the accumulator is the only per-window state. */
  public static final class Count<T> implements AggregateFunction<T, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(T value, Long accumulator) {
      return accumulator + 1;
    }

    @Override
    public Long getResult(Long accumulator) {
      return accumulator;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Attaches the window bounds and source name to the count. */
  public static final class Emit extends ProcessAllWindowFunction<Long, EventCount, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private final String source;

    public Emit(String source) {
      this.source = source;
    }

    @Override
    public void process(Context context, Iterable<Long> counts, Collector<EventCount> out) {
      TimeWindow window = context.window();
      out.collect(
          EventCount.newBuilder()
              .setSource(source)
              .setWindowStart(Instant.ofEpochMilli(window.getStart()))
              .setWindowEnd(Instant.ofEpochMilli(window.getEnd()))
              .setCount(counts.iterator().next())
              .build());
    }
  }
}

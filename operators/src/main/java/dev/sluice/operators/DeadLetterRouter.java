package dev.sluice.operators;

import dev.sluice.avro.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits what a registry-aware Kafka source produced: decoded values continue on the main output,
 * records that could not be decoded go to the {@link #DEAD_LETTERS} side output, bound for the
 * dead-letter topic. Stateless. Metric: {@code deadLetters} (count routed to the side output).
 */
public final class DeadLetterRouter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {
  private static final long serialVersionUID = 1L;

  /** Side output carrying rejected records. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private transient Counter deadLetters;

  @Override
  public void open(OpenContext openContext) {
    deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(Either<DeadLetter, T> value, Context ctx, Collector<T> out) {
    if (value.isRight()) {
      out.collect(value.right());
    } else {
      deadLetters.inc();
      ctx.output(DEAD_LETTERS, value.left());
    }
  }
}

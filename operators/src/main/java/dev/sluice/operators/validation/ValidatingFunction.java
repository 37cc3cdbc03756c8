package dev.sluice.operators.validation;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.schemas.flink.DeadLetters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Validates decoded records, keyed by their id: the declared {@link RuleSet} first, then two checks
 * that need Flink's event time or state, each counted like a rule:
 *
 * <ul>
 *   <li>{@value #LATE}: event time more than the allowed lateness behind the watermark;
 *   <li>{@value #DUPLICATE}: an id already accepted within the de-duplication horizon.
 * </ul>
 *
 * <p>There is deliberately no "too far ahead of the watermark" check: while a job catches up, one
 * partition's records are routinely days ahead of the slowest partition, which holds the watermark.
 * Clocks in the future are caught by a wall-clock rule instead, and jumps within a partition do not
 * move the watermark ({@code GuardedWatermarks}).
 *
 * <p>Valid records go on (without their source bytes); each rejected one goes to {@link
 * #DEAD_LETTERS} as a {@link DeadLetter} with the original bytes, the first failed rule as error
 * class and its reason.
 *
 * <p>State per key (id): {@value #FIRST_SEEN_STATE}, where the accepted record came from (a short
 * string), and one event-time timer at {@code eventTime + dedupHorizon} that clears it. State is
 * therefore bounded by the number of distinct ids accepted per horizon; nothing else is kept. A key
 * whose timer has fired holds no state and no timer. Metrics, in the web UI under {@code
 * rule.<name>}: {@code passed} and {@code failed}.
 */
public final class ValidatingFunction<T>
    extends KeyedProcessFunction<String, Tuple2<SourceRecord, T>, T> {
  private static final long serialVersionUID = 1L;

  public static final String LATE = "late";
  public static final String DUPLICATE = "duplicate-id";
  static final String FIRST_SEEN_STATE = "first-seen";

  /** Side output of rejected records. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("validation-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private final RuleSet<T> rules;
  private final SerializableFunction<T, Instant> eventTime;
  private final Duration allowedLateness;
  private final Duration dedupHorizon;

  private transient ValueState<String> firstSeen;

  /** passed/failed counters per declared rule, in rule order, then for late and duplicate. */
  private transient Counter[][] ruleCounters;

  private transient Counter[] lateCounters;
  private transient Counter[] duplicateCounters;
  private transient Clock clock;

  public ValidatingFunction(
      RuleSet<T> rules,
      SerializableFunction<T, Instant> eventTime,
      Duration allowedLateness,
      Duration dedupHorizon) {
    this.rules = rules;
    this.eventTime = eventTime;
    this.allowedLateness = allowedLateness;
    this.dedupHorizon = dedupHorizon;
  }

  @Override
  public void open(OpenContext openContext) {
    firstSeen =
        getRuntimeContext().getState(new ValueStateDescriptor<>(FIRST_SEEN_STATE, Types.STRING));
    MetricGroup group = getRuntimeContext().getMetricGroup();
    List<Rule<T>> declared = rules.rules();
    ruleCounters = new Counter[declared.size()][];
    for (int i = 0; i < declared.size(); i++) {
      ruleCounters[i] = register(group, declared.get(i).name());
    }
    lateCounters = register(group, LATE);
    duplicateCounters = register(group, DUPLICATE);
    clock = Clock.systemUTC();
  }

  private static Counter[] register(MetricGroup group, String rule) {
    MetricGroup ruleGroup = group.addGroup("rule", rule);
    return new Counter[] {ruleGroup.counter("passed"), ruleGroup.counter("failed")};
  }

  private static void count(Counter[] counters, boolean passed) {
    counters[passed ? 0 : 1].inc();
  }

  @Override
  public void processElement(Tuple2<SourceRecord, T> input, Context ctx, Collector<T> out)
      throws Exception {
    SourceRecord source = input.f0;
    T value = input.f1;
    // Every rule is evaluated, so that each one's counters see every record; the first failure
    // names
    // the dead letter.
    List<Rule<T>> declared = rules.rules();
    String failedRule = null;
    String failedReason = null;
    for (int i = 0; i < declared.size(); i++) {
      Rule<T> rule = declared.get(i);
      String reason = RuleSet.check(rule, value, source);
      count(ruleCounters[i], reason == null);
      if (reason != null && failedRule == null) {
        failedRule = rule.name();
        failedReason = reason;
      }
    }
    if (failedRule != null) {
      reject(ctx, source, failedRule, failedReason);
      return;
    }

    long timestamp = eventTime.apply(value).toEpochMilli();
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE) {
      boolean late = timestamp < watermark - allowedLateness.toMillis();
      count(lateCounters, !late);
      if (late) {
        reject(
            ctx,
            source,
            LATE,
            "event time "
                + Instant.ofEpochMilli(timestamp)
                + " is more than "
                + allowedLateness
                + " behind the watermark "
                + Instant.ofEpochMilli(watermark));
        return;
      }
    }

    String seen = firstSeen.value();
    count(duplicateCounters, seen == null);
    if (seen != null) {
      reject(
          ctx,
          source,
          DUPLICATE,
          "id '" + ctx.getCurrentKey() + "' was already accepted from " + seen);
      return;
    }
    firstSeen.update(source.getTopic() + "/" + source.getPartition() + "@" + source.getOffset());
    ctx.timerService().registerEventTimeTimer(timestamp + dedupHorizon.toMillis());
    out.collect(value);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) {
    firstSeen.clear();
  }

  private void reject(Context ctx, SourceRecord source, String rule, String reason) {
    ctx.output(
        DEAD_LETTERS,
        DeadLetters.of(source, DeadLetters.STAGE_VALIDATE, rule, reason, Instant.now(clock)));
  }
}

package dev.sluice.operators.features;

import dev.sluice.avro.FeatureRow;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins the rows every view of a {@link FeatureSet} computed for one event into that event's {@link
 * FeatureRow} (what scoring consumes), keyed by event id.
 *
 * <p>State per key: the view rows received so far (at most one per view), cleared as soon as the
 * last one arrives. Timer: at {@code eventTime + allowedLateness + 1 ms}, after which no view can
 * still emit a row for the event; if the row is still incomplete then (a view dropped the event as
 * late), the event id goes to {@link #INCOMPLETE} (counter {@code incomplete-rows}) and the state
 * is cleared. In BATCH execution every view's row arrives before the timer, which finds nothing.
 */
public final class RowAssembler extends KeyedProcessFunction<String, ViewRow, FeatureRow> {
  public static final OutputTag<String> INCOMPLETE =
      new OutputTag<>("incomplete-feature-rows", Types.STRING);

  static final String STATE_PARTS = "view-rows";

  private final List<ViewSchema> schemas;
  private final Map<String, String> entityOf;
  private final String featureSetVersion;
  private final long allowedLateness;

  private transient ListState<ViewRow> parts;
  private transient Counter rows;
  private transient Counter incomplete;

  public RowAssembler(FeatureSet<?> featureSet, Duration allowedLateness) {
    this.schemas = featureSet.schemas();
    this.entityOf = new HashMap<>();
    featureSet.views().forEach(v -> entityOf.put(v.name(), v.entity()));
    this.featureSetVersion = featureSet.version();
    this.allowedLateness = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    parts = getRuntimeContext().getListState(new ListStateDescriptor<>(STATE_PARTS, ViewRow.class));
    rows = getRuntimeContext().getMetricGroup().counter("rows");
    incomplete = getRuntimeContext().getMetricGroup().counter("incomplete-rows");
  }

  @Override
  public void processElement(ViewRow part, Context ctx, Collector<FeatureRow> out)
      throws Exception {
    List<ViewRow> received = new ArrayList<>();
    for (ViewRow r : parts.get()) {
      received.add(r);
    }
    if (received.isEmpty()) {
      ctx.timerService().registerEventTimeTimer(timeout(part));
    }
    received.add(part);
    if (received.size() < schemas.size()) {
      parts.add(part);
      return;
    }
    out.collect(assemble(received));
    rows.inc();
    parts.clear();
    ctx.timerService().deleteEventTimeTimer(timeout(part));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out)
      throws Exception {
    if (parts.get().iterator().hasNext()) {
      incomplete.inc();
      ctx.output(INCOMPLETE, ctx.getCurrentKey());
      parts.clear();
    }
  }

  private long timeout(ViewRow part) {
    return part.eventTime + allowedLateness + 1;
  }

  private FeatureRow assemble(List<ViewRow> received) {
    Map<String, Double> features = new HashMap<>();
    Map<String, String> entities = new HashMap<>();
    ViewRow any = received.get(0);
    for (ViewSchema schema : schemas) {
      ViewRow row =
          received.stream()
              .filter(r -> r.view.equals(schema.view()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "event " + any.eventId + " got two rows of one view: " + received));
      for (int i = 0; i < schema.columns().size(); i++) {
        features.put(schema.columns().get(i).name(), row.values[i]);
      }
      String entity = entityOf.get(schema.view());
      if (entity != null) {
        entities.put(entity, row.entityId);
      }
    }
    return FeatureRow.newBuilder()
        .setEventId(any.eventId)
        .setEventTime(Instant.ofEpochMilli(any.eventTime))
        .setEntities(entities)
        .setFeatures(features)
        .setFeatureSetVersion(featureSetVersion)
        .build();
  }
}

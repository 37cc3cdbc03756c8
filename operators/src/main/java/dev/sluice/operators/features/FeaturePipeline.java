package dev.sluice.operators.features;

import dev.sluice.avro.FeatureRow;
import dev.sluice.state.features.ViewRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The dataflow of a {@link FeatureSet}, the same in the streaming job and in the backfill: for each
 * view, its inputs' records become observations, keyed by entity, into a {@link
 * FeatureViewFunction}; the event view is a plain map; all view rows are joined per event by a
 * {@link RowAssembler}.
 *
 * <p>Operator uids: {@code features-<view>-observe-<input>}, {@code features-<view>}, {@code
 * features-<event view>}, {@code features-assembler}.
 */
public final class FeaturePipeline {
  private FeaturePipeline() {}

  /**
   * What the pipeline produces.
   *
   * @param viewRows every view's rows, by view name, event view first (for the offline store)
   * @param stateRows the stateful views' rows (for the online store)
   * @param featureRows one complete row per event (for scoring)
   * @param late records dropped as late, with the view that dropped them
   * @param incomplete ids of events for which some view dropped the record
   */
  public record Output(
      Map<String, DataStream<ViewRow>> viewRows,
      DataStream<ViewRow> stateRows,
      DataStream<FeatureRow> featureRows,
      DataStream<Tuple2<String, FeatureEvent>> late,
      DataStream<String> incomplete) {}

  /**
   * Defines the pipeline.
   *
   * @param inputs timestamped input streams by input name (every input name the views use)
   * @param eventInput which of them carries the events rows are emitted for
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> Output define(
      FeatureSet<T> set,
      Map<String, DataStream<?>> inputs,
      String eventInput,
      Duration allowedLateness) {
    DataStream<T> events = (DataStream<T>) require(inputs, eventInput, set.name());
    Map<String, DataStream<ViewRow>> viewRows = new LinkedHashMap<>();
    EventView<T> eventView = set.eventView();
    String eventVersion = eventView.version();
    viewRows.put(
        eventView.name(),
        events
            .map(new EventRow<>(eventView, eventVersion))
            .returns(TypeInformation.of(ViewRow.class))
            .uid("features-" + eventView.name())
            .name("features-" + eventView.name()));

    List<DataStream<ViewRow>> stateful = new ArrayList<>();
    List<DataStream<Tuple2<String, FeatureEvent>>> late = new ArrayList<>();
    for (FeatureView view : set.views()) {
      DataStream<FeatureEvent> observations = null;
      for (int i = 0; i < view.inputs().size(); i++) {
        ViewInput input = view.inputs().get(i);
        DataStream<?> stream = require(inputs, input.name(), view.name());
        DataStream<FeatureEvent> observed =
            ((DataStream<Object>) stream)
                .map(new Observe(input, i))
                .returns(TypeInformation.of(FeatureEvent.class))
                .uid("features-" + view.name() + "-observe-" + input.name())
                .name("features-" + view.name() + "-observe-" + input.name());
        observations = observations == null ? observed : observations.union(observed);
      }
      // Every input's event time, not only the view's own: a view fed by transactions alone would
      // otherwise stand still while transactions pause and labels go on (its partitions idle), and
      // the row assembler, carried on by the views that read labels, would give up its last rows as
      // incomplete. The clock streams carry watermarks only, no records.
      for (String other : inputs.keySet()) {
        if (view.inputIndex(other) >= 0) {
          continue;
        }
        DataStream<FeatureEvent> clock =
            ((DataStream<Object>) inputs.get(other))
                .flatMap(new WatermarksOnly())
                .returns(TypeInformation.of(FeatureEvent.class))
                .uid("features-" + view.name() + "-clock-" + other)
                .name("features-" + view.name() + "-clock-" + other);
        observations = observations.union(clock);
      }
      SingleOutputStreamOperator<ViewRow> rows =
          observations
              .keyBy(e -> e.entityId)
              .process(new FeatureViewFunction(view, allowedLateness))
              .returns(TypeInformation.of(ViewRow.class))
              .uid("features-" + view.name())
              .name("features-" + view.name());
      viewRows.put(view.name(), rows);
      stateful.add(rows);
      String name = view.name();
      late.add(
          rows.getSideOutput(FeatureViewFunction.LATE)
              .map(e -> Tuple2.of(name, e))
              .returns(
                  new TupleTypeInfo<>(
                      TypeInformation.of(String.class), TypeInformation.of(FeatureEvent.class)))
              .uid("features-" + view.name() + "-late")
              .name("features-" + view.name() + "-late"));
    }

    DataStream<ViewRow> all = viewRows.get(eventView.name());
    for (DataStream<ViewRow> rows : stateful) {
      all = all.union(rows);
    }
    SingleOutputStreamOperator<FeatureRow> featureRows =
        all.keyBy(r -> r.eventId)
            .process(new RowAssembler(set, allowedLateness))
            .returns(new AvroTypeInfo<>(FeatureRow.class))
            .uid("features-assembler")
            .name("features-assembler");
    return new Output(
        viewRows,
        union(stateful),
        featureRows,
        union(late),
        featureRows.getSideOutput(RowAssembler.INCOMPLETE));
  }

  /** Forwards nothing: the stream after it carries only its input's watermarks. */
  static final class WatermarksOnly
      implements org.apache.flink.api.common.functions.FlatMapFunction<Object, FeatureEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Object value, org.apache.flink.util.Collector<FeatureEvent> out) {}
  }

  private static <X> DataStream<X> union(List<DataStream<X>> streams) {
    DataStream<X> all = streams.get(0);
    for (int i = 1; i < streams.size(); i++) {
      all = all.union(streams.get(i));
    }
    return all;
  }

  private static DataStream<?> require(
      Map<String, DataStream<?>> inputs, String name, String user) {
    DataStream<?> stream = inputs.get(name);
    if (stream == null) {
      throw new IllegalArgumentException(
          user + " reads input '" + name + "' but the job provides only " + inputs.keySet());
    }
    return stream;
  }

  private static final class Observe<T> implements MapFunction<T, FeatureEvent> {
    private final ViewInput<T> input;
    private final int index;

    Observe(ViewInput<T> input, int index) {
      this.input = input;
      this.index = index;
    }

    @Override
    public FeatureEvent map(T record) {
      return input.observe(record, index);
    }
  }

  private static final class EventRow<T> implements MapFunction<T, ViewRow> {
    private final EventView<T> view;
    private final String version;

    EventRow(EventView<T> view, String version) {
      this.view = view;
      this.version = version;
    }

    @Override
    public ViewRow map(T event) {
      return view.row(event, version, System.currentTimeMillis());
    }
  }
}

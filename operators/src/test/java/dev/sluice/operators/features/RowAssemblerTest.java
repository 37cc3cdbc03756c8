package dev.sluice.operators.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.FeatureRow;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The assembler driven by hand: a row comes out when every view has sent its part, in any order; a
 * row some view never sends is reported as incomplete once the allowed lateness has passed; state
 * and timers drain either way.
 */
class RowAssemblerTest {
  private static final long T0 = Instant.parse("2018-04-02T10:00:00Z").toEpochMilli();
  private static final Duration LATENESS = Duration.ofHours(1);

  /**
   * The event itself (one feature) plus the "shop_stats" view of {@link FeatureViewFunctionTest}.
   */
  private static final FeatureSet<FeatureViewFunctionTest.Event> SET =
      new FeatureSet<>(
          "test_set",
          new EventView<>(
              "sale",
              FeatureViewFunctionTest.Event.class,
              FeatureViewFunctionTest.Event::id,
              e -> Instant.ofEpochMilli(e.time()),
              List.of(
                  new EventView.EventFeature<FeatureViewFunctionTest.Event>(
                      "CENTS", ValueType.LONG, "the amount in cents", e -> (double) e.cents()))),
          List.of(FeatureViewFunctionTest.VIEW));

  private KeyedOneInputStreamOperatorTestHarness<String, ViewRow, FeatureRow> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new RowAssembler(SET, LATENESS)),
            r -> r.eventId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void part(String view, String entity, String eventId, double... values) throws Exception {
    harness.processElement(
        new StreamRecord<>(
            new ViewRow(view, "v", entity, eventId, T0, System.currentTimeMillis(), values), T0));
  }

  private static double[] shopValues() {
    double[] values = new double[FeatureViewFunctionTest.VIEW.features().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = i + 0.5;
    }
    return values;
  }

  @Test
  void theRowComesOutWhenTheLastViewArrivesInAnyOrder() throws Exception {
    part("shop_stats", "shop-1", "s1", shopValues());
    assertThat(harness.extractOutputValues()).isEmpty();
    part("sale", "s1", "s1", 1999);

    List<FeatureRow> rows = harness.extractOutputValues();
    assertThat(rows).hasSize(1);
    FeatureRow row = rows.get(0);
    assertThat(row.getEventId()).isEqualTo("s1");
    assertThat(row.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(row.getFeatureSetVersion()).isEqualTo(SET.version());
    assertThat(row.getEntities()).isEqualTo(Map.of("shop", "shop-1"));
    assertThat(row.getFeatures())
        .hasSize(1 + FeatureViewFunctionTest.VIEW.features().size())
        .containsEntry("CENTS", 1999.0)
        .containsEntry("COUNT_1D", 0.5)
        .containsEntry("REFUND_RATE_LAGGED", 8.5);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aRowAViewNeverSendsIsReportedIncompleteAfterTheLateness() throws Exception {
    part("sale", "s2", "s2", 500);
    harness.processWatermark(T0 + LATENESS.toMillis());
    assertThat(harness.getSideOutput(RowAssembler.INCOMPLETE)).isNull();

    harness.processWatermark(T0 + LATENESS.toMillis() + 1);
    assertThat(harness.getSideOutput(RowAssembler.INCOMPLETE))
        .extracting(StreamRecord::getValue)
        .containsExactly("s2");
    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }
}

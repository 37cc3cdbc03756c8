package dev.sluice.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A feature view driven by hand in event time: window edges, known-time filtering, out-of-order and
 * late records, every aggregation, and state drain. The view is a made-up "shop" view so that the
 * expected values are worked out here from the definitions, not taken from the code.
 */
class FeatureViewFunctionTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T0 = Instant.parse("2018-04-02T00:00:00Z").toEpochMilli();
  private static final Duration LATENESS = Duration.ofHours(1);

  /**
   * A sale or a refund notice: {@code time} is the sale's time, {@code knownAt} when it is known.
   */
  record Event(String id, String shop, long time, long knownAt, long cents, long customer) {}

  private static final ViewInput<Event> SALES =
      new ViewInput<>(
          "sales",
          Event.class,
          "sales",
          true,
          2,
          Event::shop,
          Event::id,
          e -> Instant.ofEpochMilli(e.time()),
          e -> Instant.ofEpochMilli(e.knownAt()),
          Event::cents,
          Event::customer);
  private static final ViewInput<Event> REFUNDS =
      new ViewInput<>(
          "refunds",
          Event.class,
          "refunds of sales, known later",
          false,
          0,
          Event::shop,
          Event::id,
          e -> Instant.ofEpochMilli(e.time()),
          e -> Instant.ofEpochMilli(e.knownAt()),
          e -> 1L,
          e -> 0L);

  private static final Window DAY_WINDOW = Window.last(Duration.ofDays(1));
  private static final Window LAGGED = Window.delayed(Duration.ofDays(1), Duration.ofDays(1));
  private static final Feature.Aggregate LAGGED_SALES =
      new Feature.Aggregate("LAGGED_SALES", "sales", Aggregation.COUNT, LAGGED);

  static final FeatureView VIEW =
      new FeatureView(
          "shop_stats",
          "shop",
          "test view",
          Duration.ofDays(2),
          List.of(SALES, REFUNDS),
          List.of(
              new Feature.Aggregate("COUNT_1D", "sales", Aggregation.COUNT, DAY_WINDOW),
              new Feature.Aggregate("SUM_1D", "sales", Aggregation.SUM, DAY_WINDOW),
              new Feature.Aggregate("MEAN_1D", "sales", Aggregation.MEAN, DAY_WINDOW),
              new Feature.Aggregate("MIN_1D", "sales", Aggregation.MIN, DAY_WINDOW),
              new Feature.Aggregate("MAX_1D", "sales", Aggregation.MAX, DAY_WINDOW),
              new Feature.Aggregate("LAST_1D", "sales", Aggregation.LAST, DAY_WINDOW),
              new Feature.Aggregate(
                  "CUSTOMERS_1D", "sales", Aggregation.DISTINCT_COUNT, DAY_WINDOW),
              LAGGED_SALES,
              new Feature.Ratio(
                  "REFUND_RATE_LAGGED",
                  new Feature.Aggregate("REFUNDS", "refunds", Aggregation.SUM, LAGGED),
                  LAGGED_SALES)));

  private KeyedOneInputStreamOperatorTestHarness<String, FeatureEvent, ViewRow> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new FeatureViewFunction(VIEW, LATENESS)),
            e -> e.entityId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void sale(String id, long time, long cents, long customer) throws Exception {
    Event e = new Event(id, "shop-1", time, time, cents, customer);
    harness.processElement(new StreamRecord<>(SALES.observe(e, 0), time));
  }

  private void refund(String saleId, long saleTime, long knownAt) throws Exception {
    Event e = new Event(saleId, "shop-1", saleTime, knownAt, 0, 0);
    harness.processElement(new StreamRecord<>(REFUNDS.observe(e, 1), knownAt));
  }

  private List<ViewRow> rows() {
    return harness.extractOutputValues();
  }

  private static double value(ViewRow row, String feature) {
    return row.values[VIEW.schema().indexOf(feature)];
  }

  @Test
  void windowIncludesTheCurrentEventAndExcludesTheLeftEdge() throws Exception {
    sale("s1", T0 - DAY, 1000, 1); // exactly one day before: outside (t - 1d, t]
    sale("s2", T0 - DAY + 1, 250, 2); // one ms inside
    sale("s3", T0, 199, 2); // the current event
    harness.processWatermark(T0);

    ViewRow row = rows().stream().filter(r -> r.eventId.equals("s3")).findFirst().orElseThrow();
    assertThat(row.eventTime).isEqualTo(T0);
    assertThat(row.entityId).isEqualTo("shop-1");
    assertThat(row.version).isEqualTo(VIEW.version());
    assertThat(value(row, "COUNT_1D")).isEqualTo(2);
    assertThat(value(row, "SUM_1D")).isEqualTo(4.49);
    assertThat(value(row, "MEAN_1D")).isEqualTo(4.49 / 2);
    assertThat(value(row, "MIN_1D")).isEqualTo(1.99);
    assertThat(value(row, "MAX_1D")).isEqualTo(2.50);
    assertThat(value(row, "LAST_1D")).isEqualTo(1.99);
    assertThat(value(row, "CUSTOMERS_1D")).isEqualTo(1);
    // s1 is in the lagged window (t - 2d, t - 1d]; s2 is not (it is after t - 1d).
    assertThat(value(row, "LAGGED_SALES")).isEqualTo(1);
    assertThat(value(row, "REFUND_RATE_LAGGED")).isZero();
  }

  @Test
  void aRowWaitsForTheWatermarkAndSeesEarlierEventsThatArriveOutOfOrder() throws Exception {
    sale("late-comer-is-later", T0 + 10, 500, 1);
    sale("s0", T0, 100, 1);
    harness.processWatermark(T0 - 1);
    assertThat(rows()).isEmpty();

    harness.processWatermark(T0 + 10);
    assertThat(rows()).extracting(r -> r.eventId).containsExactly("s0", "late-comer-is-later");
    // s0 does not see the event 10 ms after it, even though it arrived first.
    assertThat(value(rows().get(0), "COUNT_1D")).isEqualTo(1);
    assertThat(value(rows().get(1), "COUNT_1D")).isEqualTo(2);
  }

  @Test
  void aLabelKnownAfterTheRowIsNotCounted() throws Exception {
    sale("old", T0 - DAY - HOUR, 100, 1); // in the lagged window of a row at T0
    refund("old", T0 - DAY - HOUR, T0 - HOUR); // known before T0: counted
    sale("old2", T0 - DAY - 2 * HOUR, 100, 1);
    refund("old2", T0 - DAY - 2 * HOUR, T0 + HOUR); // known after T0: must not leak into T0
    sale("now", T0, 100, 1);
    sale("later", T0 + 2 * HOUR, 100, 1);
    harness.processWatermark(T0 + 2 * HOUR);

    ViewRow now = rows().stream().filter(r -> r.eventId.equals("now")).findFirst().orElseThrow();
    assertThat(value(now, "LAGGED_SALES")).isEqualTo(2);
    assertThat(value(now, "REFUND_RATE_LAGGED")).isEqualTo(0.5);
    ViewRow later =
        rows().stream().filter(r -> r.eventId.equals("later")).findFirst().orElseThrow();
    assertThat(value(later, "REFUND_RATE_LAGGED")).isEqualTo(1.0);
  }

  @Test
  void lateWithinTheAllowedLatenessIsAddedBeyondItIsRoutedAndChangesNothing() throws Exception {
    sale("s1", T0, 100, 1);
    harness.processWatermark(T0 + 2 * HOUR);
    sale("too-late", T0 + 2 * HOUR - LATENESS.toMillis() - 1, 100, 1);
    assertThat(harness.getSideOutput(FeatureViewFunction.LATE))
        .extracting(r -> r.getValue().eventId)
        .containsExactly("too-late");

    sale("late-ok", T0 + HOUR, 300, 1);
    harness.processWatermark(T0 + 2 * HOUR + 1);
    ViewRow lateOk =
        rows().stream().filter(r -> r.eventId.equals("late-ok")).findFirst().orElseThrow();
    assertThat(value(lateOk, "COUNT_1D")).isEqualTo(2); // s1 and itself, not too-late
    assertThat(value(lateOk, "SUM_1D")).isEqualTo(4.00);
  }

  @Test
  void stateAndTimersDrainOnceTheHorizonHasPassed() throws Exception {
    sale("s1", T0, 100, 1);
    refund("s1", T0, T0 + HOUR);
    harness.processWatermark(T0 + HOUR);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isPositive();

    // horizon 2 days + lateness 1 hour, rounded up to the next whole hour
    harness.processWatermark(T0 + 2 * DAY + 2 * HOUR);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void theVersionChangesWithTheDefinition() {
    FeatureView other =
        new FeatureView(
            VIEW.name(),
            VIEW.entity(),
            VIEW.description(),
            VIEW.ttl(),
            VIEW.inputs(),
            VIEW.features().subList(0, 3));
    assertThat(other.version()).isNotEqualTo(VIEW.version()).hasSize(12);
    assertThat(VIEW.version()).isEqualTo(new FeatureViewFunctionTest().viewAgain().version());
  }

  private FeatureView viewAgain() {
    return new FeatureView(
        VIEW.name(), VIEW.entity(), VIEW.description(), VIEW.ttl(), VIEW.inputs(), VIEW.features());
  }

  @Test
  void aFeatureReadingAnUnknownInputIsRefused() {
    assertThatThrownBy(
            () ->
                new FeatureView(
                    "bad",
                    "shop",
                    "d",
                    Duration.ofDays(1),
                    List.of(SALES),
                    List.of(new Feature.Aggregate("X", "refunds", Aggregation.COUNT, DAY_WINDOW))))
        .hasMessageContaining("reads input 'refunds'");
  }
}

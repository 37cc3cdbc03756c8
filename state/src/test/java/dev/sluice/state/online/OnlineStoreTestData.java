package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Named views and rows shared by the online store tests. */
final class OnlineStoreTestData {
  private OnlineStoreTestData() {}

  /** The day the fraud simulation starts. */
  static final Instant T0 = Instant.parse("2018-04-01T00:00:00Z");

  /** A customer view valid for one day. */
  static final ViewSchema SPENDING =
      new ViewSchema(
          "customer_spending",
          "v1",
          "customer",
          Duration.ofDays(1),
          List.of(
              new Column("NB_TX_1DAY", ValueType.LONG),
              new Column("AVG_AMOUNT_1DAY", ValueType.DOUBLE)));

  /**
   * A second customer view (same entity, other TTL) to check that an entity's views share a slot.
   */
  static final ViewSchema RISK =
      new ViewSchema(
          "customer_risk",
          "v1",
          "customer",
          Duration.ofDays(7),
          List.of(
              new Column("NB_FRAUD_7DAY", ValueType.LONG),
              new Column("RISK_SCORE", ValueType.DOUBLE)));

  /** A view of another entity. */
  static final ViewSchema TERMINAL =
      new ViewSchema(
          "terminal_risk",
          "v3",
          "terminal",
          Duration.ofDays(1),
          List.of(
              new Column("NB_TX_TERMINAL_1DAY", ValueType.LONG),
              new Column("RISK_TERMINAL_1DAY", ValueType.DOUBLE)));

  static final List<ViewSchema> ALL = List.of(SPENDING, RISK, TERMINAL);

  /**
   * A row of {@code schema} for one entity at {@code eventTime}, computed by the schema's version.
   */
  static ViewRow row(ViewSchema schema, String entityId, Instant eventTime, double... values) {
    return new ViewRow(
        schema.view(),
        schema.version(),
        entityId,
        "tx-" + entityId + "-" + eventTime.toEpochMilli(),
        eventTime.toEpochMilli(),
        eventTime.toEpochMilli() + 5,
        values);
  }
}

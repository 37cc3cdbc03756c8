package dev.sluice.state.features;

import java.util.Arrays;
import java.util.Objects;

/**
 * The values of one feature view for one entity, as of one event: what the feature operators emit
 * and what the online store (latest row per entity) and the offline store (every row) keep. The
 * meaning of {@link #values} comes from the view's {@link ViewSchema}: {@code values[i]} is the
 * value of {@code schema.columns().get(i)}.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so that it is serialized without Kryo.
 */
public final class ViewRow {
  /** Feature view name, e.g. {@code customer_spending}. */
  public String view;

  /** Version of the view's definition that computed the values. */
  public String version;

  /** Id of the entity the values belong to, e.g. {@code c-00042}. */
  public String entityId;

  /** Id of the event the row was computed for (the transaction id in the fraud demo). */
  public String eventId;

  /** Event time (epoch ms, UTC) the values are valid at. */
  public long eventTime;

  /** Wall-clock time (epoch ms) the row was computed; differs between a run and its replay. */
  public long producedAt;

  /** Feature values, in the order of the view's columns. */
  public double[] values;

  public ViewRow() {}

  public ViewRow(
      String view,
      String version,
      String entityId,
      String eventId,
      long eventTime,
      long producedAt,
      double[] values) {
    this.view = view;
    this.version = version;
    this.entityId = entityId;
    this.eventId = eventId;
    this.eventTime = eventTime;
    this.producedAt = producedAt;
    this.values = values;
  }

  /** Equality on everything but {@link #producedAt}, which no replay can reproduce. */
  public boolean sameValues(ViewRow other) {
    return other != null
        && eventTime == other.eventTime
        && Objects.equals(view, other.view)
        && Objects.equals(version, other.version)
        && Objects.equals(entityId, other.entityId)
        && Objects.equals(eventId, other.eventId)
        && Arrays.equals(values, other.values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ViewRow other && producedAt == other.producedAt && sameValues(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(view, entityId, eventId, eventTime);
  }

  @Override
  public String toString() {
    return view
        + "@"
        + version
        + "["
        + entityId
        + ", event "
        + eventId
        + " at "
        + eventTime
        + "] "
        + Arrays.toString(values);
  }
}

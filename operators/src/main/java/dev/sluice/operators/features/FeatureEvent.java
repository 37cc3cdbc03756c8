package dev.sluice.operators.features;

/**
 * One observation on its way to a feature view's keyed operator (see {@link ViewInput}). A Flink
 * POJO: public fields, no-arg constructor, no Kryo.
 */
public final class FeatureEvent {
  /** Key of the view's operator. */
  public String entityId;

  /** Id of the record (the row's event id when {@link #emitsRow}). */
  public String eventId;

  /** Where the observation falls in windows (epoch ms). */
  public long time;

  /** When it became known (epoch ms); rows at {@code t < knownAt} do not see it. */
  public long knownAt;

  /** Exact value, scaled by the input's {@code 10^scale}. */
  public long value;

  /** Category for distinct counts. */
  public long category;

  /** Index of the input in its view. */
  public byte input;

  /** Whether a row is emitted for this event. */
  public boolean emitsRow;

  public FeatureEvent() {}

  @Override
  public String toString() {
    return "FeatureEvent{"
        + entityId
        + ", "
        + eventId
        + ", input "
        + input
        + ", time "
        + time
        + ", known "
        + knownAt
        + ", value "
        + value
        + "}";
  }
}

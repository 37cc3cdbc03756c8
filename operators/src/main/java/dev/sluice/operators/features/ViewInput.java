package dev.sluice.operators.features;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.apache.flink.util.function.SerializableFunction;

/**
 * How the records of one input stream become observations of a {@link FeatureView}.
 *
 * <p>Each record gives one observation: the entity it belongs to, its <em>time</em> (where it falls
 * in windows), the time it became <em>known</em> (a row at {@code t} only sees observations known
 * at or before {@code t}), an exact value (an integer scaled by {@code 10^scale}, e.g. cents) and
 * an optional category (for distinct counts). For a transaction, time and known time are both its
 * event time. For a label, time is the labelled transaction's time (so it lands in the same window
 * as its transaction) and known time is either when the label arrived ("as known") or the
 * transaction's time ("as in the handbook", which assumes every label is known once the delay has
 * passed).
 *
 * @param name input name, unique in the view (e.g. {@code transactions}); the pipeline connects
 *     streams to inputs by this name
 * @param type record class
 * @param description how time, known time and value are derived, in words; part of the version, so
 *     it must change when an extractor changes
 * @param emitsRows whether the view emits a row for every record of this input (exactly one input
 *     of a view does: the events being scored)
 * @param scale decimal places of {@code value}: values are {@code value / 10^scale}
 */
public record ViewInput<T>(
    String name,
    Class<T> type,
    String description,
    boolean emitsRows,
    int scale,
    SerializableFunction<T, String> entityId,
    SerializableFunction<T, String> eventId,
    SerializableFunction<T, Instant> time,
    SerializableFunction<T, Instant> knownAt,
    SerializableFunction<T, Long> value,
    SerializableFunction<T, Long> category)
    implements Serializable {

  public ViewInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(knownAt, "knownAt");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(category, "category");
    if (scale < 0 || scale > 9) {
      throw new IllegalArgumentException("scale of input " + name + " must be 0..9, got " + scale);
    }
  }

  /** The observation of one record, tagged with the index of this input in its view. */
  FeatureEvent observe(T record, int inputIndex) {
    FeatureEvent e = new FeatureEvent();
    e.entityId = Objects.requireNonNull(entityId.apply(record), () -> name + ": no entity id");
    e.eventId = Objects.requireNonNull(eventId.apply(record), () -> name + ": no event id");
    e.time = time.apply(record).toEpochMilli();
    e.knownAt = knownAt.apply(record).toEpochMilli();
    e.value = value.apply(record);
    e.category = category.apply(record);
    e.input = (byte) inputIndex;
    e.emitsRow = emitsRows;
    return e;
  }

  String describe() {
    return name
        + "<"
        + type.getName()
        + ">"
        + (emitsRows ? "[rows]" : "")
        + "{scale="
        + scale
        + "; "
        + description
        + "}";
  }
}

package dev.sluice.operators.features;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Features of the event itself (amount, weekend, night): no state, no window, one row per event,
 * keyed by the event's id. Kept in the offline store with the other views so that a training set is
 * a join on the event id; not written to the online store (an event is never looked up again).
 *
 * @param name view name, e.g. {@code transaction}
 * @param type record class of the events
 * @param eventId the event's id
 * @param eventTime the event's time
 * @param features the features, in column order
 */
public record EventView<T>(
    String name,
    Class<T> type,
    SerializableFunction<T, String> eventId,
    SerializableFunction<T, Instant> eventTime,
    List<EventFeature<T>> features)
    implements Serializable {

  public EventView {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventTime, "eventTime");
    features = List.copyOf(features);
    new ViewSchema(name, "-", name, Duration.ofDays(1), columns(features));
  }

  /**
   * One feature of the event.
   *
   * @param description the formula in words; part of the version
   */
  public record EventFeature<T>(
      String name,
      ViewSchema.ValueType type,
      String description,
      SerializableFunction<T, Double> value)
      implements Serializable {
    public EventFeature {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(value, "value");
    }
  }

  public ViewSchema schema() {
    // The ttl is irrelevant (never served online) but the schema requires one.
    return new ViewSchema(name, version(), name, Duration.ofDays(1), columns(features));
  }

  public String version() {
    return Versions.of(describe());
  }

  public String describe() {
    return "event view "
        + name
        + "<"
        + type.getName()
        + ">, features "
        + features.stream()
            .map(f -> f.name() + ":" + f.type() + "=" + f.description())
            .collect(Collectors.joining(", "));
  }

  /** The row of one event. */
  public ViewRow row(T event, String version, long producedAt) {
    double[] values = new double[features.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = features.get(i).value().apply(event);
    }
    String id = eventId.apply(event);
    return new ViewRow(
        name, version, id, id, eventTime.apply(event).toEpochMilli(), producedAt, values);
  }

  private static <T> List<ViewSchema.Column> columns(List<EventFeature<T>> features) {
    return features.stream().map(f -> new ViewSchema.Column(f.name(), f.type())).toList();
  }
}

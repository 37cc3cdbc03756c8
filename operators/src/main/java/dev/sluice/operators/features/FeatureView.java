package dev.sluice.operators.features;

import dev.sluice.state.features.ViewSchema;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A feature view: features of one entity, computed from one or more input streams over event-time
 * windows, as of every event of its row-emitting input. The declaration is data: its canonical text
 * ({@link #describe()}) is hashed into {@link #version()}, so any change to the definition changes
 * the version that every stored value carries.
 *
 * @param name view name (lower-case, digits, underscores), e.g. {@code customer_spending}
 * @param entity entity name, e.g. {@code customer}
 * @param description what the view means, in words (shown by the CLI; part of the version)
 * @param ttl how long after its event time a value is valid for serving from the online store
 * @param inputs where observations come from; exactly one of them emits rows
 * @param features the features, in column order
 */
public record FeatureView(
    String name,
    String entity,
    String description,
    Duration ttl,
    List<ViewInput<?>> inputs,
    List<Feature> features)
    implements Serializable {

  public FeatureView {
    Objects.requireNonNull(description, "description");
    inputs = List.copyOf(inputs);
    features = List.copyOf(features);
    if (inputs.stream().filter(ViewInput::emitsRows).count() != 1) {
      throw new IllegalArgumentException(
          "feature view " + name + ": exactly one input must emit rows, got " + inputs);
    }
    if (inputs.size() > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("feature view " + name + ": too many inputs");
    }
    Set<String> inputNames = new HashSet<>();
    for (ViewInput<?> input : inputs) {
      if (!inputNames.add(input.name())) {
        throw new IllegalArgumentException(
            "feature view " + name + ": two inputs named " + input.name());
      }
    }
    for (Feature f : features) {
      for (Feature.Aggregate a : aggregates(f)) {
        if (!inputNames.contains(a.input())) {
          throw new IllegalArgumentException(
              "feature "
                  + f.name()
                  + " of view "
                  + name
                  + " reads input '"
                  + a.input()
                  + "', which the view does not have (inputs: "
                  + inputNames
                  + ")");
        }
      }
    }
    // Validates the name, entity, ttl and feature names.
    new ViewSchema(name, "-", entity, ttl, columns(features));
  }

  /** The store-facing description of this view. */
  public ViewSchema schema() {
    return new ViewSchema(name, version(), entity, ttl, columns(features));
  }

  /** Short hash of {@link #describe()}. */
  public String version() {
    return Versions.of(describe());
  }

  /** The canonical text of the definition. */
  public String describe() {
    return "view "
        + name
        + " of "
        + entity
        + " ("
        + description
        + "), ttl "
        + Window.text(ttl)
        + ", inputs "
        + inputs.stream().map(ViewInput::describe).collect(Collectors.joining(", "))
        + ", features "
        + features.stream().map(Feature::describe).collect(Collectors.joining(", "));
  }

  /** How far back any feature looks: an observation older than this is never read again. */
  public Duration horizon() {
    return features.stream().map(Feature::reach).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /** The input that emits rows. */
  public ViewInput<?> rowInput() {
    return inputs.stream().filter(ViewInput::emitsRows).findFirst().orElseThrow();
  }

  /** Index of an input by name, or -1. */
  public int inputIndex(String input) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).name().equals(input)) {
        return i;
      }
    }
    return -1;
  }

  static List<Feature.Aggregate> aggregates(Feature f) {
    if (f instanceof Feature.Ratio r) {
      return List.of(r.numerator(), r.denominator());
    }
    return List.of((Feature.Aggregate) f);
  }

  private static List<ViewSchema.Column> columns(List<Feature> features) {
    List<ViewSchema.Column> columns = new ArrayList<>();
    for (Feature f : features) {
      columns.add(new ViewSchema.Column(f.name(), f.type()));
    }
    return columns;
  }
}

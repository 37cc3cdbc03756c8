package dev.sluice.operators.features;

import dev.sluice.state.features.ViewSchema.ValueType;
import java.io.Serializable;
import java.util.Objects;

/** One feature of a {@link FeatureView}: a windowed aggregate of one input, or a ratio of two. */
public sealed interface Feature extends Serializable permits Feature.Aggregate, Feature.Ratio {
  String name();

  ValueType type();

  /** How far back in event time the feature looks. */
  java.time.Duration reach();

  /** The canonical text of the definition; part of the view's version. */
  String describe();

  /**
   * {@code aggregation} of the observations of {@code input} in {@code window}.
   *
   * @param input name of one of the view's inputs
   */
  record Aggregate(String name, String input, Aggregation aggregation, Window window)
      implements Feature {
    public Aggregate {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(aggregation, "aggregation");
      Objects.requireNonNull(window, "window");
    }

    @Override
    public ValueType type() {
      return aggregation == Aggregation.COUNT || aggregation == Aggregation.DISTINCT_COUNT
          ? ValueType.LONG
          : ValueType.DOUBLE;
    }

    @Override
    public java.time.Duration reach() {
      return window.reach();
    }

    @Override
    public String describe() {
      return name + "=" + aggregation + "(" + input + " in " + window + ")";
    }
  }

  /**
   * {@code numerator / denominator}, 0 when the denominator is 0 (the handbook's terminal risk:
   * frauds / transactions).
   */
  record Ratio(String name, Aggregate numerator, Aggregate denominator) implements Feature {
    public Ratio {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(numerator, "numerator");
      Objects.requireNonNull(denominator, "denominator");
    }

    @Override
    public ValueType type() {
      return ValueType.DOUBLE;
    }

    @Override
    public java.time.Duration reach() {
      return numerator.reach().compareTo(denominator.reach()) >= 0
          ? numerator.reach()
          : denominator.reach();
    }

    @Override
    public String describe() {
      return name + "=" + numerator.describe() + " / " + denominator.describe() + " (0 if empty)";
    }
  }
}

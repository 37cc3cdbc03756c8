package dev.sluice.operators.features;

import dev.sluice.state.features.ViewSchema;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything a model sees for one event: the event's own features and the stateful feature views,
 * each computed as of the event. Its version hashes every view's definition.
 *
 * @param name feature-set name
 * @param eventView the event's own features
 * @param views the stateful views; each emits one row per event of {@code eventView}'s type
 */
public record FeatureSet<T>(String name, EventView<T> eventView, List<FeatureView> views)
    implements Serializable {

  public FeatureSet {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(eventView, "eventView");
    views = List.copyOf(views);
    Set<String> names = new HashSet<>();
    names.add(eventView.name());
    Set<String> features = new HashSet<>();
    eventView.features().forEach(f -> features.add(f.name()));
    for (FeatureView view : views) {
      if (!names.add(view.name())) {
        throw new IllegalArgumentException("feature set " + name + ": two views " + view.name());
      }
      if (!view.rowInput().type().equals(eventView.type())) {
        throw new IllegalArgumentException(
            "view "
                + view.name()
                + " emits rows for "
                + view.rowInput().type().getName()
                + " but the feature set scores "
                + eventView.type().getName());
      }
      for (Feature f : view.features()) {
        if (!features.add(f.name())) {
          throw new IllegalArgumentException(
              "feature set " + name + ": feature name " + f.name() + " used twice");
        }
      }
    }
  }

  /** Short hash of every view's definition. */
  public String version() {
    return Versions.of(describe());
  }

  public String describe() {
    return "feature set "
        + name
        + ": "
        + eventView.describe()
        + "; "
        + views.stream().map(FeatureView::describe).collect(Collectors.joining("; "));
  }

  /** The schemas of all views, the event view first. */
  public List<ViewSchema> schemas() {
    List<ViewSchema> schemas = new ArrayList<>();
    schemas.add(eventView.schema());
    views.forEach(v -> schemas.add(v.schema()));
    return schemas;
  }

  /** The schemas of the stateful views (what the online store keeps). */
  public List<ViewSchema> onlineSchemas() {
    return views.stream().map(FeatureView::schema).toList();
  }

  /** Feature names in model-input order: the event view's, then each view's. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    eventView.features().forEach(f -> names.add(f.name()));
    views.forEach(v -> v.features().forEach(f -> names.add(f.name())));
    return names;
  }

  /** The view with this name (event view included). */
  public ViewSchema schema(String view) {
    return schemas().stream()
        .filter(s -> s.view().equals(view))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no feature view '"
                        + view
                        + "' in feature set "
                        + name
                        + " (views: "
                        + schemas().stream().map(ViewSchema::view).toList()
                        + ")"));
  }
}

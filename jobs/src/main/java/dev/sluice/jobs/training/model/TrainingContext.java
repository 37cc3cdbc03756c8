package dev.sluice.jobs.training.model;

import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewSchema;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a trained model records about where its inputs came from, besides the training set itself.
 *
 * @param featureNames the feature set's columns, which the training set must have
 * @param featureSetVersion {@code FeatureRow.featureSetVersion} of the rows it was trained on
 * @param viewVersions version of each feature view, by view name
 * @param codeVersion sluice version and git commit
 * @param trainingSource where the training set came from (offline store, simulation)
 * @param trigger why training ran, e.g. {@code manual}
 */
public record TrainingContext(
    List<String> featureNames,
    String featureSetVersion,
    Map<String, String> viewVersions,
    String codeVersion,
    String trainingSource,
    String trigger) {

  public TrainingContext {
    featureNames = List.copyOf(featureNames);
    Objects.requireNonNull(featureSetVersion, "featureSetVersion");
    viewVersions = Collections.unmodifiableMap(new LinkedHashMap<>(viewVersions));
    Objects.requireNonNull(codeVersion, "codeVersion");
    Objects.requireNonNull(trainingSource, "trainingSource");
    Objects.requireNonNull(trigger, "trigger");
  }

  /** The feature set's columns and versions, with the run's code version, source and trigger. */
  public static TrainingContext of(
      FeatureSet<?> set, String codeVersion, String trainingSource, String trigger) {
    Map<String, String> views = new LinkedHashMap<>();
    for (ViewSchema schema : set.schemas()) {
      views.put(schema.view(), schema.version());
    }
    return new TrainingContext(
        set.featureNames(), set.version(), views, codeVersion, trainingSource, trigger);
  }
}

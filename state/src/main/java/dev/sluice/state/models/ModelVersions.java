package dev.sluice.state.models;

import static dev.sluice.state.models.ModelRegistryException.Problem.UNKNOWN_ALIAS;

import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.DistributionProfile;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.avro.models.ReferenceProfile;
import dev.sluice.avro.models.TrainingLineage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finding a version by {@code NAME[:VERSION|@ALIAS]} and rendering versions, lists and alias
 * history as text for people (the CLI, logs).
 */
public final class ModelVersions {
  /** Metrics shown as columns of a version list, when a version has them. */
  public static final List<String> KEY_METRICS =
      List.of("auc_roc", "average_precision", "card_precision_at_100");

  private ModelVersions() {}

  /**
   * Finds a version: {@code fraud:3} by number, {@code fraud@challenger} by alias, {@code fraud}
   * the champion if there is one, else the latest version.
   *
   * @throws ModelRegistryException naming the unknown model, version or alias
   */
  public static ModelVersion resolve(RegistryState state, String selector) {
    int colon = selector.indexOf(':');
    int at = selector.indexOf('@');
    if (colon >= 0 && at >= 0) {
      throw new IllegalArgumentException(
          "'" + selector + "' has both :VERSION and @ALIAS: use NAME, NAME:VERSION or NAME@ALIAS");
    }
    int split = Math.max(colon, at);
    String name = split < 0 ? selector : selector.substring(0, split);
    ModelRegistryLog.requireName("model name", name);
    KafkaModelRegistry.requireModel(state, name);
    if (colon >= 0) {
      String number = selector.substring(colon + 1);
      int version;
      try {
        version = Integer.parseInt(number);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + number + "' in '" + selector + "' is not a version number, e.g. " + name + ":1");
      }
      return KafkaModelRegistry.requireVersion(state, name, version);
    }
    if (at >= 0) {
      String alias = selector.substring(at + 1);
      return state
          .resolve(name, alias)
          .orElseThrow(
              () ->
                  new ModelRegistryException(
                      UNKNOWN_ALIAS,
                      "alias '"
                          + alias
                          + "' of "
                          + name
                          + " is not set (aliases: "
                          + (state.aliases(name).isEmpty() ? "none" : state.aliases(name))
                          + ")"));
    }
    List<ModelVersion> versions = state.versions(name);
    return state.resolve(name, RegistryState.CHAMPION).orElse(versions.get(versions.size() - 1));
  }

  /** Aliases pointing at a version, sorted. */
  public static List<String> aliasesOf(RegistryState state, ModelVersion version) {
    List<String> aliases = new ArrayList<>();
    state
        .aliases(version.getName())
        .forEach(
            (alias, target) -> {
              if (target == version.getVersion()) {
                aliases.add(alias);
              }
            });
    return aliases;
  }

  /** Everything about one version, several lines. */
  public static String show(RegistryState state, ModelVersion v) {
    StringBuilder out = new StringBuilder();
    List<String> aliases = aliasesOf(state, v);
    line(out, "model", v.getName() + ":" + v.getVersion());
    line(out, "aliases", aliases.isEmpty() ? "-" : String.join(", ", aliases));
    line(out, "sha256", v.getSha256());
    line(out, "size", bytes(v.getOnnx().remaining()));
    line(out, "registered", time(v.getRegisteredAt()) + " by " + v.getRegisteredBy());
    if (!v.getDescription().isEmpty()) {
      line(out, "description", v.getDescription());
    }
    ModelSignature signature = v.getSignature();
    line(
        out,
        "input",
        signature.getInputName()
            + " ("
            + signature.getFeatures().size()
            + " features"
            + (signature.getFeatureSetVersion() == null
                ? ""
                : ", feature set " + signature.getFeatureSetVersion())
            + ")");
    line(
        out,
        "output",
        signature.getOutput()
            + ", probabilities in '"
            + signature.getProbabilityOutput()
            + "', positive class "
            + signature.getPositiveClass()
            + (signature.getPositiveIndex() >= 0
                ? " (column " + signature.getPositiveIndex() + ")"
                : ""));
    if (!signature.getViewVersions().isEmpty()) {
      line(out, "views", new TreeMap<>(signature.getViewVersions()).toString());
    }
    line(out, "threshold", Double.toString(v.getThreshold()));
    Preprocessing pre = v.getPreprocessing();
    line(
        out,
        "preprocessing",
        pre.getKind() == PreprocessingKind.NONE
            ? "none"
            : pre.getKind().name().toLowerCase(Locale.ROOT));
    out.append("features:\n");
    List<String> features = signature.getFeatures();
    for (int i = 0; i < features.size(); i++) {
      out.append(String.format(Locale.ROOT, "  %2d %-40s", i, features.get(i)));
      if (pre.getKind() != PreprocessingKind.NONE
          && i < pre.getShift().size()
          && i < pre.getScale().size()) {
        out.append(
            String.format(
                Locale.ROOT,
                " shift %.6g scale %.6g",
                pre.getShift().get(i),
                pre.getScale().get(i)));
      }
      out.append('\n');
    }
    TrainingLineage lineage = v.getLineage();
    if (lineage == null) {
      line(out, "lineage", "none recorded");
    } else {
      out.append("lineage:\n");
      line(out, "  trainer", lineage.getTrainer());
      if (!lineage.getParameters().isEmpty()) {
        line(out, "  parameters", new TreeMap<>(lineage.getParameters()).toString());
      }
      line(out, "  seed", Long.toString(lineage.getSeed()));
      line(out, "  code", lineage.getCodeVersion());
      line(out, "  source", lineage.getTrainingSource());
      line(
          out,
          "  train",
          String.format(
              Locale.ROOT,
              "%s .. %s, %d rows, %d positive",
              lineage.getTrainStart(),
              lineage.getTrainEnd(),
              lineage.getTrainRows(),
              lineage.getTrainPositives()));
      line(
          out,
          "  test",
          String.format(
              Locale.ROOT,
              "%s .. %s, %d rows, %d positive",
              lineage.getTestStart(),
              lineage.getTestEnd(),
              lineage.getTestRows(),
              lineage.getTestPositives()));
      line(out, "  trigger", lineage.getTrigger());
    }
    if (v.getMetrics().isEmpty()) {
      line(out, "metrics", "none recorded");
    } else {
      out.append("metrics:\n");
      new TreeMap<>(v.getMetrics())
          .forEach((k, m) -> line(out, "  " + k, String.format(Locale.ROOT, "%.4f", m)));
    }
    ReferenceProfile profile = v.getProfile();
    if (profile == null) {
      line(out, "profile", "none recorded");
    } else {
      line(
          out,
          "profile",
          String.format(
              Locale.ROOT,
              "%s, %d rows, %d features%s%s",
              profile.getSource(),
              profile.getRows(),
              profile.getFeatures().size(),
              profile.getPrediction() == null ? "" : ", score " + summary(profile.getPrediction()),
              profile.getLabel() == null ? "" : ", label " + profile.getLabel().getCategories()));
    }
    return out.toString();
  }

  /** One row per version of a model, oldest first, with its aliases and key metrics. */
  public static String table(RegistryState state, String name) {
    KafkaModelRegistry.requireModel(state, name);
    List<ModelVersion> versions = state.versions(name);
    List<String> metrics =
        KEY_METRICS.stream()
            .filter(m -> versions.stream().anyMatch(v -> v.getMetrics().containsKey(m)))
            .toList();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-8s %-22s %-20s %-24s %-30s",
            "VERSION",
            "ALIASES",
            "REGISTERED",
            "BY",
            "TRAINER"));
    metrics.forEach(
        m -> out.append(String.format(Locale.ROOT, " %-21s", m.toUpperCase(Locale.ROOT))));
    out.append('\n');
    for (ModelVersion v : versions) {
      List<String> aliases = aliasesOf(state, v);
      out.append(
          String.format(
              Locale.ROOT,
              "%-8d %-22s %-20s %-24s %-30s",
              v.getVersion(),
              aliases.isEmpty() ? "-" : String.join(",", aliases),
              time(v.getRegisteredAt()),
              v.getRegisteredBy(),
              v.getLineage() == null ? "-" : v.getLineage().getTrainer()));
      for (String m : metrics) {
        Double value = v.getMetrics().get(m);
        out.append(
            String.format(
                Locale.ROOT,
                " %-21s",
                value == null ? "-" : String.format(Locale.ROOT, "%.4f", value)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** One row per model: versions, latest, and where champion and challenger point. */
  public static String models(RegistryState state) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-20s %-9s %-20s %-30s%n",
            "MODEL",
            "VERSIONS",
            "LATEST REGISTERED",
            "ALIASES"));
    for (String name : state.models()) {
      List<ModelVersion> versions = state.versions(name);
      Map<String, Integer> aliases = state.aliases(name);
      List<String> pointers = new ArrayList<>();
      aliases.forEach((alias, version) -> pointers.add(alias + "=" + version));
      out.append(
          String.format(
              Locale.ROOT,
              "%-20s %-9d %-20s %-30s%n",
              name,
              versions.size(),
              time(versions.get(versions.size() - 1).getRegisteredAt()),
              pointers.isEmpty() ? "-" : String.join(", ", pointers)));
    }
    return out.toString();
  }

  /** One row per applied alias change of a model, oldest first. */
  public static String history(RegistryState state, String name) {
    KafkaModelRegistry.requireModel(state, name);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-4s %-20s %-9s %-12s %-9s %-24s %s%n",
            "SEQ",
            "AT",
            "ACTION",
            "ALIAS",
            "VERSION",
            "BY",
            "REASON"));
    for (AliasChange c : state.history(name)) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-4d %-20s %-9s %-12s %-9s %-24s %s%n",
              c.getSequence(),
              time(c.getAt()),
              c.getAction().name().toLowerCase(Locale.ROOT),
              c.getAlias(),
              version(c.getPreviousVersion()) + "->" + version(c.getVersion()),
              c.getActor(),
              c.getReason().isEmpty() ? "-" : c.getReason()));
    }
    return out.toString();
  }

  /** One line describing an alias change, e.g. {@code champion of fraud: 2 -> 3 (promote)}. */
  public static String describe(AliasChange c) {
    return String.format(
        Locale.ROOT,
        "%s of %s: %s -> %s (%s, change %d)",
        c.getAlias(),
        c.getName(),
        version(c.getPreviousVersion()),
        version(c.getVersion()),
        c.getAction().name().toLowerCase(Locale.ROOT),
        c.getSequence());
  }

  private static String version(Integer version) {
    return version == null ? "-" : Integer.toString(version);
  }

  private static String summary(DistributionProfile p) {
    return String.format(
        Locale.ROOT,
        "mean %.4g, std %.4g, [%.4g, %.4g]",
        p.getMean(),
        p.getStd(),
        p.getMin(),
        p.getMax());
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(String.format(Locale.ROOT, "%-16s %s%n", key + ":", value));
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB (%d bytes)", n / 1024.0, n);
    }
    return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", n / (1024.0 * 1024), n);
  }
}

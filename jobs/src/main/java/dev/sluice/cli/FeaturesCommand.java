package dev.sluice.cli;

import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.training.OfflineTrainingData;
import dev.sluice.jobs.training.TrainingSetWriter;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.features.FeatureView;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.online.FeatureVector;
import dev.sluice.state.online.OnlineFeatureStore;
import dev.sluice.state.online.OnlineStoreException;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.online.RedisSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice features ...}: the feature definitions and the online store. */
@Command(
    name = "features",
    description = "The feature set's definitions, the online store, training sets.",
    mixinStandardHelpOptions = true,
    subcommands = {
      FeaturesCommand.ListViews.class,
      FeaturesCommand.Get.class,
      FeaturesCommand.TrainingSetCommand.class
    })
final class FeaturesCommand {

  static FeatureSet<?> featureSet(String terminalRisk) {
    return FraudFeatures.featureSet(FraudFeatures.TerminalRisk.parse(terminalRisk));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print the feature views: entity, TTL, version, features and their definitions.")
  static final class ListViews implements Callable<Integer> {
    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description = "as-known or handbook (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Override
    public Integer call() {
      FeatureSet<?> set = featureSet(terminalRisk);
      System.out.printf("feature set %s, version %s%n", set.name(), set.version());
      System.out.printf(
          "%nview %s (the event itself, offline only), version %s%n",
          set.eventView().name(), set.eventView().version());
      set.eventView()
          .features()
          .forEach(
              f -> System.out.printf("  %-36s %-6s %s%n", f.name(), f.type(), f.description()));
      for (FeatureView view : set.views()) {
        System.out.printf(
            "%nview %s, entity %s, ttl %s, version %s%n  %s%n",
            view.name(),
            view.entity(),
            DurationConverter.format(view.ttl()),
            view.version(),
            view.description());
        view.inputs()
            .forEach(i -> System.out.printf("  input %s: %s%n", i.name(), i.description()));
        view.features()
            .forEach(f -> System.out.printf("  %-36s %-6s %s%n", f.name(), f.type(), f.describe()));
      }
      return 0;
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = {
        "Read an entity's feature vector from the online store, with its status (PRESENT, MISSING,",
        "EXPIRED, VERSION_MISMATCH), the event time it is valid at and its age. Missing entities and",
        "expired values are reported as such, never as zeros. Exit code 4 when any vector is not PRESENT."
      })
  static final class Get implements Callable<Integer> {
    @Mixin RedisOptions redis;

    @Option(
        names = "--entity",
        required = true,
        paramLabel = "ENTITY=ID",
        description = "e.g. customer=c-00042 or terminal=t-00917; repeatable.")
    List<String> entities;

    @Option(names = "--view", description = "Only this view (default: every view of the entity).")
    String view;

    @Option(
        names = "--as-of",
        description =
            "Judge expiry as of this instant, e.g. 2018-05-01T00:00:00Z (default: now). Simulated history is from 2018.")
    String asOf;

    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description =
            "Definition the job runs with, for the version check (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Override
    public Integer call() {
      Instant at;
      try {
        at = asOf == null ? Instant.now() : Instant.parse(asOf);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--as-of must be an ISO-8601 instant like 2018-05-01T00:00:00Z, got '" + asOf + "'");
      }
      FeatureSet<?> set = featureSet(terminalRisk);
      List<OnlineFeatureStore.Lookup> lookups = new ArrayList<>();
      for (String entity : entities) {
        int eq = entity.indexOf('=');
        if (eq <= 0 || eq == entity.length() - 1) {
          throw new IllegalArgumentException(
              "--entity must be ENTITY=ID, e.g. customer=c-00042, got '" + entity + "'");
        }
        Map.Entry<String, String> e = Map.entry(entity.substring(0, eq), entity.substring(eq + 1));
        List<ViewSchema> views =
            set.onlineSchemas().stream()
                .filter(s -> s.entity().equals(e.getKey()))
                .filter(s -> view == null || s.view().equals(view))
                .toList();
        if (views.isEmpty()) {
          throw new IllegalArgumentException(
              "no online view for entity '"
                  + e.getKey()
                  + "'"
                  + (view == null ? "" : " named '" + view + "'")
                  + " (views: "
                  + set.onlineSchemas().stream().map(s -> s.view() + " of " + s.entity()).toList()
                  + ")");
        }
        views.forEach(s -> lookups.add(new OnlineFeatureStore.Lookup(s, e.getValue())));
      }
      boolean allPresent = true;
      RedisSettings settings = redis.settings();
      List<FeatureVector> vectors;
      try (OnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
        vectors = store.readAll(lookups, at);
      } catch (OnlineStoreException e) {
        throw new IllegalStateException(
            "cannot read the online store at "
                + settings.describe()
                + " (start it with 'bin/sluice infra up redis', or pass --redis HOST:PORT): "
                + e.getMessage(),
            e);
      }
      for (FeatureVector v : vectors) {
        allPresent &= v.status() == FeatureVector.Status.PRESENT;
        print(v);
      }
      return allPresent ? 0 : 4;
    }

    private static void print(FeatureVector v) {
      System.out.printf("%s %s: %s", v.view(), v.entityId(), v.status());
      v.eventTime().ifPresent(t -> System.out.printf(", valid at %s", t));
      v.age().ifPresent(a -> System.out.printf(", age %s", DurationConverter.format(a)));
      v.storedVersion().ifPresent(s -> System.out.printf(", stored version %s", s));
      System.out.printf(" (schema version %s)%n", v.schema().version());
      if (v.status() == FeatureVector.Status.MISSING) {
        return;
      }
      List<ViewSchema.Column> columns = v.schema().columns();
      for (int i = 0; i < columns.size(); i++) {
        String name = columns.get(i).name();
        System.out.printf(
            "  %-36s %s%n",
            name,
            v.isPresent(i)
                ? format(v.value(i), columns.get(i).type())
                : "(missing from the stored hash)");
      }
    }

    private static String format(double value, ViewSchema.ValueType type) {
      return type == ViewSchema.ValueType.LONG
          ? Long.toString((long) value)
          : Double.toString(value);
    }
  }

  @Command(
      name = "training-set",
      mixinStandardHelpOptions = true,
      description = {
        "Build a point-in-time correct training set from the offline store: for each labelled",
        "transaction of the train and test periods, the features as of that transaction and its label,",
        "with the handbook's test-set cleaning (cards known to be compromised are removed). Writes",
        "Parquet (.parquet) or CSV (.csv) and prints what was kept and removed."
      })
  static final class TrainingSetCommand implements Callable<Integer> {
    @Option(
        names = "--offline-store",
        description = "Base URI or directory of the offline store (default: var/data/offline).")
    String offlineStore;

    @Option(
        names = "--split",
        defaultValue = "2018-07-25/7/7/7",
        description =
            "TRAIN_START/TRAIN_DAYS/DELAY_DAYS/TEST_DAYS in UTC days (default: ${DEFAULT-VALUE}, the handbook's).")
    String split;

    @Option(
        names = "--terminal-risk",
        defaultValue = "as-known",
        description =
            "Which definition's rows to use: as-known or handbook (default: ${DEFAULT-VALUE}).")
    String terminalRisk;

    @Option(names = "--out", required = true, description = "Output file: .parquet or .csv.")
    Path out;

    @Option(names = "--overwrite", description = "Replace the output file if it exists.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
      TrainingSplit periods = TrainingSplit.parse(split);
      TrainingSetWriter.Format format = TrainingSetWriter.Format.ofFileName(out);
      if (Files.exists(out) && !overwrite) {
        throw new IllegalArgumentException(out + " already exists: pass --overwrite to replace it");
      }
      OfflineStoreLayout layout =
          existingOfflineStore(
              offlineStore,
              "run 'bin/sluice job features' or 'bin/sluice job backfill' into it first");
      OfflineTrainingData.Result result =
          OfflineTrainingData.build(layout, featureSet(terminalRisk), periods);
      if (result.trainingSet().rows().isEmpty()) {
        throw new IllegalStateException(
            "no labelled transaction with features in "
                + periods.format()
                + " under "
                + layout.baseUri()
                + " (run the feature job or a backfill over that period first)");
      }
      TrainingSetWriter.write(result.trainingSet(), out, format, overwrite);
      System.out.print(result.format());
      System.out.printf("written: %s (%s)%n", out.toAbsolutePath(), format);
      return 0;
    }
  }

  /**
   * The offline store at {@code offlineStore} (a path or URI; null: the project's), which must have
   * been written already.
   *
   * @param whatToDo the advice of the error message when it has no features yet
   */
  static OfflineStoreLayout existingOfflineStore(String offlineStore, String whatToDo)
      throws IOException {
    String base =
        offlineStore != null
            ? JobCommand.Backfill.uri(offlineStore)
            : JobCommand.defaultOfflineStore();
    OfflineStoreLayout layout = new OfflineStoreLayout(base);
    if (!layout.featuresDir().getFileSystem().exists(layout.featuresDir())) {
      throw new IllegalArgumentException(
          "no offline store at " + base + " (no features/ folder): " + whatToDo);
    }
    return layout;
  }
}

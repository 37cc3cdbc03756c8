package dev.sluice.cli;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.RegistryState;
import java.util.ArrayList;
import java.util.List;

/**
 * The models the demo and the monitoring benchmark score with when the registry has none: trained
 * on another simulated population than the traffic they score, and registered as champion (the
 * logistic regression) and challenger (the factorization machine).
 */
final class FirstModels {
  private FirstModels() {}

  /**
   * The first models' training data: another population of the same size (seed 1) over the split's
   * weeks, so the demo's traffic (seed 0) was never seen in training, while its reference profile
   * describes the same kind of traffic (a smaller population has fewer customers near each
   * terminal, and the terminal features of the demo then "drift" from the start).
   */
  static List<String> training(int customers, int terminals) {
    return List.of(
        "--simulate",
        "--customers",
        Integer.toString(customers),
        "--terminals",
        Integer.toString(terminals),
        "--simulation-seed",
        "1",
        "--split",
        "2018-05-08/7/7/7",
        "--model",
        "all",
        "--register",
        "--promote",
        "champion,challenger");
  }

  /**
   * Makes sure {@code model} has a champion: returns it if the registry has one, otherwise trains
   * the first versions (on a population of the handbook's size) and registers them.
   *
   * @param trigger the lineage's trigger of versions trained here, e.g. {@code demo}
   * @return the champion's version
   */
  static int ensure(ConnectionOptions connection, String model, String trigger) throws Exception {
    return ensure(connection, model, trigger, 5000, 10000);
  }

  /** {@link #ensure(ConnectionOptions, String, String)} for a population of another size. */
  static int ensure(
      ConnectionOptions connection, String model, String trigger, int customers, int terminals)
      throws Exception {
    ModelRegistryLog log = ModelRegistryLog.of(connection.kafka(), connection.registry());
    try (KafkaModelRegistry models = KafkaModelRegistry.open(log, ModelCommand.NO_REGISTRATION)) {
      var champion = models.read().resolve(model, RegistryState.CHAMPION);
      if (champion.isPresent()) {
        System.out.printf(
            "sluice %s: scoring with %s v%d (the registry's champion)%n",
            trigger, model, champion.get().getVersion());
        return champion.get().getVersion();
      }
    }
    System.out.printf(
        "sluice %s: %s has no champion yet: training the first models on a simulated history"
            + " (about a minute)%n",
        trigger, model);
    List<String> args = new ArrayList<>(List.of("model", "train"));
    args.addAll(training(customers, terminals));
    args.addAll(List.of("--name", model, "--trigger", trigger));
    args.addAll(connection.args());
    int exit = SluiceCli.commandLine().execute(args.toArray(String[]::new));
    if (exit != 0) {
      throw new IllegalStateException(
          "training the first model failed (exit " + exit + "); see the messages above");
    }
    try (KafkaModelRegistry models = KafkaModelRegistry.open(log, ModelCommand.NO_REGISTRATION)) {
      return models
          .read()
          .resolve(model, RegistryState.CHAMPION)
          .map(ModelVersion::getVersion)
          .orElseThrow(() -> new IllegalStateException("training registered no champion"));
    }
  }
}

package dev.sluice.cli;

import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.scoring.ScoringSettings;
import dev.sluice.state.models.ModelRegistryLog;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Which registered model a job scores with, and how ({@link ScoringSettings}). */
public final class ScoringOptions {
  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = {
        "Score every feature row with this registered model's champion (its challenger in shadow)",
        "and write predictions; without it the job does not score."
      })
  String model;

  @Option(
      names = "--predictions-topic",
      defaultValue = "predictions",
      description = "Default: ${DEFAULT-VALUE}.")
  String predictionsTopic;

  @Option(
      names = "--registry-topic",
      defaultValue = ModelRegistryLog.DEFAULT_TOPIC,
      description = "The model registry's log topic (default: ${DEFAULT-VALUE}).")
  String registryTopic;

  @Option(
      names = "--max-batch",
      defaultValue = "64",
      description = "Rows per ONNX Runtime call, at most (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(
      names = "--max-batch-wait",
      converter = DurationConverter.class,
      defaultValue = "5ms",
      description =
          "Longest a row waits for its micro-batch to fill; adds to latency (default: ${DEFAULT-VALUE}).")
  Duration maxBatchWait;

  @Option(names = "--no-shadow", description = "Do not score the challenger in shadow.")
  boolean noShadow;

  @Option(
      names = "--canary-share",
      defaultValue = "0",
      description =
          "Share 0..1 of customers (stable hash) whose decision the challenger makes (default: ${DEFAULT-VALUE}).")
  double canaryShare;

  @Option(
      names = "--prediction-features",
      defaultValue = "hash",
      description =
          "What predictions keep of the model's inputs: hash (SHA-256 prefix) or copy (hash and values) (default: ${DEFAULT-VALUE}).")
  String predictionFeatures;

  @Option(
      names = "--max-parked-rows",
      defaultValue = "100000",
      description =
          "Rows held while the model has no champion; beyond, they are dead-lettered as no-model (default: ${DEFAULT-VALUE}).")
  int maxParkedRows;

  /** Whether scoring was asked for. */
  boolean enabled() {
    return model != null;
  }

  ScoringSettings settings() {
    ScoringSettings.FeatureCopy copy;
    try {
      copy = ScoringSettings.FeatureCopy.valueOf(predictionFeatures.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--prediction-features must be hash or copy, got '" + predictionFeatures + "'");
    }
    try {
      return new ScoringSettings(
          model,
          maxBatch,
          maxBatchWait,
          !noShadow,
          canaryShare,
          copy,
          maxParkedRows,
          "customer",
          -1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(optionOf(e.getMessage()) + ": " + e.getMessage(), e);
    }
  }

  /** Which option a ScoringSettings message is about (its messages use the settings' words). */
  private static String optionOf(String message) {
    String m = String.valueOf(message);
    if (m.startsWith("model name")) {
      return "--model";
    }
    if (m.startsWith("max batch wait")) {
      return "--max-batch-wait";
    }
    if (m.startsWith("max batch")) {
      return "--max-batch";
    }
    if (m.startsWith("canary share")) {
      return "--canary-share";
    }
    if (m.startsWith("max parked rows")) {
      return "--max-parked-rows";
    }
    return "scoring options (--model, --max-batch, --max-batch-wait, --canary-share, --max-parked-rows)";
  }

  /** The topics scoring reads and writes, by option, for the preflight check. */
  java.util.Map<String, String> topics() {
    return java.util.Map.of(
        "--registry-topic", registryTopic, "--predictions-topic", predictionsTopic);
  }

  ScoringWorkflow.Config config(
      ConnectionOptions connection, String deadLetterTopic, String prefix) {
    return new ScoringWorkflow.Config(
        connection.bootstrapServers(),
        connection.registry(),
        registryTopic,
        predictionsTopic,
        deadLetterTopic,
        prefix,
        settings(),
        connection.kafka());
  }
}

package dev.sluice.operators.scoring;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a scoring task serves a model (see {@code sluice job features --help} for the options).
 *
 * @param modelName the registered model to serve: its {@code champion} decides, its {@code
 *     challenger} scores in shadow
 * @param maxBatch rows scored in one ONNX Runtime call, at most
 * @param maxWait how long a row may wait for its micro-batch to fill; the batch is also flushed on
 *     every watermark, checkpoint barrier and model swap
 * @param shadow score the challenger on every row (flagged {@code shadow}, never the decision)
 * @param canaryShare share of primary entities, by a stable hash of their id, whose decision the
 *     challenger makes (0 = none); the champion then scores them in shadow
 * @param featureCopy what each prediction keeps of the model's input vector
 * @param maxParkedRows rows held while the model has no champion yet (scored when one is promoted);
 *     beyond this they go to the dead-letter output as {@code no-model}
 * @param primaryEntity the entity name whose id is the prediction's {@code entityId} (the card)
 * @param schemaId registry id of the Prediction schema the sink writes with, copied into every
 *     record (-1 when unknown)
 */
public record ScoringSettings(
    String modelName,
    int maxBatch,
    Duration maxWait,
    boolean shadow,
    double canaryShare,
    FeatureCopy featureCopy,
    int maxParkedRows,
    String primaryEntity,
    int schemaId)
    implements Serializable {

  private static final Pattern MODEL_NAME = Pattern.compile("[a-z][a-z0-9_-]*");

  /** Whether predictions carry the input values, or only their hash. */
  public enum FeatureCopy {
    /** A SHA-256 prefix of the input vector (default: small, enough to match rows later). */
    HASH,
    /** The hash and the raw input values by feature name. */
    COPY
  }

  public ScoringSettings {
    Objects.requireNonNull(modelName, "modelName");
    if (!MODEL_NAME.matcher(modelName).matches()) {
      throw new IllegalArgumentException(
          "model name must match " + MODEL_NAME + " (e.g. fraud): " + modelName);
    }
    if (maxBatch < 1 || maxBatch > 65_536) {
      throw new IllegalArgumentException("max batch must be within 1..65536: " + maxBatch);
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException(
          "max batch wait must be within 0..10s (it adds to every prediction's latency): "
              + maxWait);
    }
    if (!(canaryShare >= 0 && canaryShare <= 1)) {
      throw new IllegalArgumentException("canary share must be within 0..1: " + canaryShare);
    }
    Objects.requireNonNull(featureCopy, "featureCopy");
    if (maxParkedRows < 0) {
      throw new IllegalArgumentException("max parked rows must be >= 0: " + maxParkedRows);
    }
    Objects.requireNonNull(primaryEntity, "primaryEntity");
  }

  /** Defaults: batches of 64 rows or 5 ms, shadow on, no canary, hash, 100,000 parked rows. */
  public static ScoringSettings defaults(String modelName) {
    return new ScoringSettings(
        modelName, 64, Duration.ofMillis(5), true, 0.0, FeatureCopy.HASH, 100_000, "customer", -1);
  }

  public ScoringSettings withSchemaId(int id) {
    return new ScoringSettings(
        modelName,
        maxBatch,
        maxWait,
        shadow,
        canaryShare,
        featureCopy,
        maxParkedRows,
        primaryEntity,
        id);
  }

  /**
   * Whether the challenger decides for this entity: a stable hash of the id (the same in every
   * task, run and JVM) falls in the first {@code canaryShare} of 10,000 buckets.
   */
  public boolean inCanary(String entityId) {
    if (canaryShare <= 0) {
      return false;
    }
    return bucket(entityId) < Math.round(canaryShare * BUCKETS);
  }

  static final int BUCKETS = 10_000;

  /** 0..9999: the entity id's String hash through the murmur3 finaliser. */
  static int bucket(String entityId) {
    int h = entityId.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, BUCKETS);
  }
}

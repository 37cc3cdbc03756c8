package dev.sluice.state.models;

import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.avro.models.TrainingLineage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Model versions and alias changes for registry tests. The "ONNX" bytes are arbitrary: the
 * registry's bookkeeping does not look inside them (tests use {@link ModelValidator#ACCEPT_ALL}).
 */
public final class ModelFixtures {
  public static final String FRAUD = "fraud";
  public static final Instant REGISTERED_AT = Instant.parse("2026-01-15T10:00:00Z");
  public static final List<String> FEATURES =
      List.of("tx_amount", "customer_nb_tx_1day", "terminal_risk_7day");

  private ModelFixtures() {}

  /** Deterministic pseudo-random bytes standing in for an ONNX file. */
  public static ByteBuffer bytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return ByteBuffer.wrap(bytes);
  }

  /** A candidate as a trainer would hand it to {@code register}: no number, no digest yet. */
  public static ModelVersion candidate(String name, String content) {
    return candidate(name, ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
  }

  public static ModelVersion candidate(String name, ByteBuffer onnx) {
    return ModelVersion.newBuilder()
        .setName(name)
        .setVersion(0)
        .setOnnx(onnx)
        .setSha256("")
        .setSignature(
            ModelSignature.newBuilder()
                .setInputName("features")
                .setFeatures(FEATURES)
                .setFeatureSetVersion("fs-1")
                .setViewVersions(Map.of("customer_spending", "v1"))
                .setOutput(OutputConvention.LABEL_AND_PROBABILITY_TENSOR)
                .setProbabilityOutput("probabilities")
                .setPositiveClass("1")
                .setPositiveIndex(1)
                .build())
        .setPreprocessing(
            Preprocessing.newBuilder()
                .setKind(PreprocessingKind.STANDARDIZE)
                .setShift(List.of(50.0, 2.0, 0.01))
                .setScale(List.of(40.0, 1.5, 0.02))
                .build())
        .setThreshold(0.5)
        .setLineage(
            TrainingLineage.newBuilder()
                .setTrainer("tribuo LogisticRegression")
                .setParameters(Map.of("epochs", "10"))
                .setSeed(42)
                .setCodeVersion("test")
                .setTrainingSource("fixture")
                .setTrainStart("2018-07-25")
                .setTrainEnd("2018-07-31")
                .setTestStart("2018-08-08")
                .setTestEnd("2018-08-14")
                .setTrainRows(1000)
                .setTrainPositives(10)
                .setTestRows(500)
                .setTestPositives(5)
                .build())
        .setMetrics(Map.of("auc_roc", 0.87, "average_precision", 0.61))
        .setRegisteredAt(REGISTERED_AT)
        .setRegisteredBy("tester@test")
        .build();
  }

  /** A version record as the registry writes it: numbered, with the digest of its bytes. */
  public static RegistryEvent version(String name, int number, String content) {
    ModelVersion v = candidate(name, content);
    v.setVersion(number);
    v.setSha256(RegistryState.sha256(v.getOnnx()));
    return RegistryEvent.newBuilder().setEvent(v).build();
  }

  public static RegistryEvent alias(
      String name,
      String alias,
      Integer version,
      Integer previous,
      long sequence,
      AliasAction action) {
    return RegistryEvent.newBuilder()
        .setEvent(
            AliasChange.newBuilder()
                .setName(name)
                .setAlias(alias)
                .setVersion(version)
                .setPreviousVersion(previous)
                .setSequence(sequence)
                .setAction(action)
                .setAt(REGISTERED_AT)
                .setActor("tester@test")
                .setReason("test")
                .build())
        .build();
  }
}

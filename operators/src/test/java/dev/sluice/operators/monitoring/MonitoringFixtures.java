package dev.sluice.operators.monitoring;

import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.operators.evaluation.ProfileBuilder;
import dev.sluice.state.models.RegistryState;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/** A registered champion with a reference profile, for the monitoring tests (also the jobs'). */
public final class MonitoringFixtures {
  private MonitoringFixtures() {}

  /**
   * Model {@code fraud} v1 profiled on 5,000 rows of {@code f0} ~ N(0, 1) and {@code f1} with 20%
   * ones, uniform scores and 1% positive labels, and its promotion to champion: the registry log
   * entries, in order.
   */
  public static List<RegistryEvent> champion(SplittableRandom random) {
    int n = 5_000;
    double[] f0 = new double[n];
    double[] f1 = new double[n];
    double[] scores = new double[n];
    boolean[] labels = new boolean[n];
    for (int i = 0; i < n; i++) {
      f0[i] = random.nextGaussian();
      f1[i] = random.nextDouble() < 0.2 ? 1 : 0;
      scores[i] = random.nextDouble();
      labels[i] = random.nextDouble() < 0.01;
    }
    ByteBuffer onnx = ByteBuffer.wrap(new byte[] {1, 2, 3});
    ModelVersion version =
        ModelVersion.newBuilder()
            .setName("fraud")
            .setVersion(1)
            .setOnnx(onnx)
            .setSha256(RegistryState.sha256(onnx))
            .setSignature(
                ModelSignature.newBuilder()
                    .setInputName("input")
                    .setFeatures(List.of("f0", "f1"))
                    .setOutput(OutputConvention.PROBABILITY_TENSOR)
                    .setProbabilityOutput("output")
                    .setPositiveClass("1")
                    .setPositiveIndex(1)
                    .build())
            .setPreprocessing(Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
            .setThreshold(0.5)
            .setProfile(
                ProfileBuilder.reference(
                    "test", List.of("f0", "f1"), List.of(f0, f1), scores, labels))
            .setRegisteredAt(Instant.EPOCH)
            .setRegisteredBy("test")
            .build();
    AliasChange promote =
        AliasChange.newBuilder()
            .setName("fraud")
            .setAlias(RegistryState.CHAMPION)
            .setVersion(1)
            .setPreviousVersion(null)
            .setSequence(1)
            .setAction(AliasAction.PROMOTE)
            .setAt(Instant.EPOCH)
            .setActor("test")
            .build();
    return List.of(new RegistryEvent(version), new RegistryEvent(promote));
  }
}

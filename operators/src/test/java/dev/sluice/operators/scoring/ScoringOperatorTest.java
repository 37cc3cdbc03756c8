package dev.sluice.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.state.models.RegistryState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scoring operator's serving logic with a pure-Java stand-in for ONNX Runtime ({@link
 * LinearScorer}: score = value of feature {@code a} times the version number / 10), so each
 * prediction's score says which version produced it.
 */
class ScoringOperatorTest {
  private static final String MODEL = "fraud";
  private static final long T0 = Instant.parse("2018-04-01T10:00:00Z").toEpochMilli();

  private TwoInputStreamOperatorTestHarness<FeatureRow, RegistryEvent, Prediction> harness;
  private long aliasSequence;

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private TwoInputStreamOperatorTestHarness<FeatureRow, RegistryEvent, Prediction> open(
      ScoringSettings settings) throws Exception {
    return open(settings, null);
  }

  private TwoInputStreamOperatorTestHarness<FeatureRow, RegistryEvent, Prediction> open(
      ScoringSettings settings, OperatorSubtaskState restore) throws Exception {
    harness =
        new TwoInputStreamOperatorTestHarness<>(new ScoringOperator(settings, LinearScorer::open));
    if (restore != null) {
      harness.initializeState(restore);
    }
    harness.open();
    return harness;
  }

  private static ScoringSettings settings(int maxBatch) {
    return new ScoringSettings(
        MODEL,
        maxBatch,
        Duration.ofMillis(5),
        true,
        0.0,
        ScoringSettings.FeatureCopy.HASH,
        1_000,
        "customer",
        42);
  }

  @Test
  void rowsWaitForAChampionWithTheWatermarkHeldThenAreScored() throws Exception {
    open(settings(64));
    harness.processElement1(row("tx-1", 0, 5.0), T0);
    harness.processBothWatermarks(new Watermark(T0 + 1));
    assertThat(predictions()).isEmpty();
    assertThat(watermarks()).isEmpty();

    register(1);
    promote(1, RegistryState.CHAMPION);

    List<Prediction> out = predictions();
    assertThat(out)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getEventId()).isEqualTo("tx-1");
              assertThat(p.getModelVersion()).isEqualTo(1);
              assertThat(p.getScore()).isEqualTo(0.5);
              assertThat(p.getShadow()).isFalse();
              assertThat(p.getRole()).isEqualTo(ModelRole.CHAMPION);
            });
    assertThat(watermarks()).containsExactly(T0 + 1);
  }

  @Test
  void aPromotionSwitchesVersionsBetweenRowsWithoutLosingOrDuplicatingAny() throws Exception {
    open(settings(64));
    register(1);
    register(2);
    promote(1, RegistryState.CHAMPION);
    for (int i = 0; i < 10; i++) {
      harness.processElement1(row("tx-" + i, i, 1.0), T0 + i);
    }
    promote(2, RegistryState.CHAMPION);
    for (int i = 10; i < 20; i++) {
      harness.processElement1(row("tx-" + i, i, 1.0), T0 + i);
    }
    harness.processBothWatermarks(new Watermark(T0 + 100));

    List<Prediction> out = predictions();
    assertThat(out).extracting(Prediction::getEventId).doesNotHaveDuplicates().hasSize(20);
    for (Prediction p : out) {
      int index = Integer.parseInt(p.getEventId().substring(3));
      assertThat(p.getModelVersion()).as(p.getEventId()).isEqualTo(index < 10 ? 1 : 2);
      assertThat(p.getScore())
          .isEqualTo(index < 10 ? 0.1 : 0.2, org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(LinearScorer.OPEN).as("v1 closed after the swap").containsExactly(2);
  }

  @Test
  void theChallengerScoresInShadowAndNeverDecides() throws Exception {
    open(settings(8));
    register(1);
    register(2);
    promote(1, RegistryState.CHAMPION);
    promote(2, RegistryState.CHALLENGER);
    for (int i = 0; i < 5; i++) {
      harness.processElement1(row("tx-" + i, i, 3.0), T0 + i);
    }
    harness.processBothWatermarks(new Watermark(T0 + 100));

    List<Prediction> out = predictions();
    assertThat(out).hasSize(10);
    assertThat(out.stream().filter(p -> !p.getShadow()))
        .hasSize(5)
        .allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(1));
    assertThat(out.stream().filter(Prediction::getShadow))
        .hasSize(5)
        .allSatisfy(
            p -> {
              assertThat(p.getModelVersion()).isEqualTo(2);
              assertThat(p.getRole()).isEqualTo(ModelRole.CHALLENGER);
              assertThat(p.getCanary()).isFalse();
            });
  }

  @Test
  void aChallengerPromotedToChampionIsNotAlsoScoredInShadow() throws Exception {
    open(settings(8));
    register(1);
    register(2);
    promote(1, RegistryState.CHAMPION);
    promote(2, RegistryState.CHALLENGER);
    promote(2, RegistryState.CHAMPION);
    harness.processElement1(row("tx-0", 0, 3.0), T0);
    harness.processBothWatermarks(new Watermark(T0 + 100));

    assertThat(predictions())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getModelVersion()).isEqualTo(2);
              assertThat(p.getShadow()).isFalse();
            });
    assertThat(LinearScorer.OPEN).as("v1 is served by no alias").containsExactly(2);
  }

  @Test
  void aCanaryShareOfEntitiesIsDecidedByTheChallenger() throws Exception {
    ScoringSettings half =
        new ScoringSettings(
            MODEL,
            64,
            Duration.ofMillis(5),
            true,
            0.5,
            ScoringSettings.FeatureCopy.HASH,
            10,
            "customer",
            -1);
    open(half);
    register(1);
    register(2);
    promote(1, RegistryState.CHAMPION);
    promote(2, RegistryState.CHALLENGER);
    int rows = 400;
    for (int i = 0; i < rows; i++) {
      harness.processElement1(row("tx-" + i, i, 1.0), T0 + i);
    }
    harness.processBothWatermarks(new Watermark(T0 + 1_000));

    List<Prediction> decisions = predictions().stream().filter(p -> !p.getShadow()).toList();
    assertThat(decisions).hasSize(rows);
    long canary = decisions.stream().filter(Prediction::getCanary).count();
    assertThat(canary).isBetween(150L, 250L);
    for (Prediction p : decisions) {
      boolean expected = half.inCanary(p.getEntityId());
      assertThat(p.getCanary()).as(p.getEntityId()).isEqualTo(expected);
      assertThat(p.getModelVersion()).isEqualTo(expected ? 2 : 1);
    }
    assertThat(predictions().stream().filter(Prediction::getShadow)).hasSize(rows);
  }

  @Test
  void rowsThatCannotBeScoredGoToDeadLettersWithTheReason() throws Exception {
    open(settings(64));
    register(1);
    promote(1, RegistryState.CHAMPION);
    FeatureRow missing = row("tx-missing", 0, 1.0);
    missing.getFeatures().remove("b");
    FeatureRow nan = row("tx-nan", 1, Double.NaN);
    FeatureRow otherVersion = row("tx-version", 2, 1.0);
    otherVersion.setFeatureSetVersion("fs-other");
    FeatureRow fails = row("tx-fails", 3, -1.0);
    harness.processElement1(missing, T0);
    harness.processElement1(nan, T0);
    harness.processElement1(otherVersion, T0);
    harness.processElement1(fails, T0);
    harness.processElement1(row("tx-ok", 4, 2.0), T0);
    harness.processBothWatermarks(new Watermark(T0 + 100));

    assertThat(predictions()).extracting(Prediction::getEventId).containsExactly("tx-ok");
    Map<String, DeadLetter> letters = new HashMap<>();
    for (StreamRecord<DeadLetter> r : harness.getSideOutput(ScoringOperator.DEAD_LETTERS)) {
      letters.put(new String(r.getValue().getKey().array(), StandardCharsets.UTF_8), r.getValue());
    }
    assertThat(letters).containsOnlyKeys("tx-missing", "tx-nan", "tx-version", "tx-fails");
    assertThat(letters.get("tx-missing").getErrorClass()).isEqualTo("missing-feature");
    assertThat(letters.get("tx-missing").getReason()).contains("model input b");
    assertThat(letters.get("tx-nan").getErrorClass()).isEqualTo("non-finite-feature");
    assertThat(letters.get("tx-version").getErrorClass()).isEqualTo("feature-set-version");
    assertThat(letters.get("tx-version").getReason()).contains("fs-other", "fs-1");
    assertThat(letters.get("tx-fails").getErrorClass()).isEqualTo("scoring-failed");
    assertThat(letters.get("tx-fails").getReason()).contains("negative input");
    assertThat(letters.values()).allSatisfy(l -> assertThat(l.getStage()).isEqualTo("scoring"));
    // The row itself is kept, so it can be replayed after a fix.
    assertThat(letters.get("tx-missing").getValue().remaining()).isPositive();
  }

  @Test
  void batchesAreBoundedBySizeAndByWait() throws Exception {
    open(settings(4));
    register(1);
    promote(1, RegistryState.CHAMPION);
    harness.setProcessingTime(1_000);
    for (int i = 0; i < 4; i++) {
      harness.processElement1(row("tx-" + i, i, 1.0), T0);
    }
    assertThat(predictions()).as("a full batch is scored at once").hasSize(4);
    assertThat(LinearScorer.BATCH_SIZES).containsExactly(4);

    harness.processElement1(row("tx-4", 4, 1.0), T0);
    assertThat(predictions()).hasSize(4);
    harness.setProcessingTime(1_004);
    assertThat(predictions()).as("not yet due").hasSize(4);
    harness.setProcessingTime(1_005);
    assertThat(predictions()).as("the wait bound flushed it").hasSize(5);
    assertThat(LinearScorer.BATCH_SIZES).containsExactly(4, 1);
  }

  @Test
  void aCheckpointFlushesTheBatchAndRestoresTheServedModelAndParkedRows() throws Exception {
    open(settings(64));
    register(1);
    promote(1, RegistryState.CHAMPION);
    harness.processElement1(row("tx-before", 0, 1.0), T0);
    harness.prepareSnapshotPreBarrier(1);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    assertThat(predictions())
        .as("scored before the barrier, so the checkpoint holds no unscored row")
        .extracting(Prediction::getEventId)
        .containsExactly("tx-before");
    harness.close();

    open(settings(64), snapshot);
    harness.processElement1(row("tx-after", 1, 1.0), T0 + 1);
    harness.processBothWatermarks(new Watermark(T0 + 10));
    assertThat(predictions())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getEventId()).isEqualTo("tx-after");
              assertThat(p.getModelVersion()).as("the restored registry log").isEqualTo(1);
            });

    // A demoted champion parks rows; they survive a restore and are scored on the next promotion.
    demote(RegistryState.CHAMPION);
    harness.processElement1(row("tx-parked", 2, 1.0), T0 + 2);
    OperatorSubtaskState parked = harness.snapshot(2, 2);
    harness.close();
    open(settings(64), parked);
    assertThat(predictions()).isEmpty();
    promote(1, RegistryState.CHAMPION);
    assertThat(predictions()).extracting(Prediction::getEventId).containsExactly("tx-parked");
  }

  @Test
  void predictionsCarryLineageAndTheFeatureHash() throws Exception {
    ScoringSettings copy =
        new ScoringSettings(
            MODEL,
            64,
            Duration.ofMillis(5),
            true,
            0,
            ScoringSettings.FeatureCopy.COPY,
            10,
            "customer",
            7);
    open(copy);
    register(1);
    promote(1, RegistryState.CHAMPION);
    harness.processElement1(row("tx-a", 0, 4.0), T0);
    harness.processElement1(row("tx-b", 1, 4.0), T0);
    harness.processElement1(row("tx-c", 2, 6.0), T0);
    harness.processBothWatermarks(new Watermark(T0 + 1));
    List<Prediction> out = predictions();
    Prediction a = out.get(0);
    assertThat(a.getEntityId()).isEqualTo("c-0");
    assertThat(a.getEntities()).containsEntry("terminal", "t-0");
    assertThat(a.getFeatureSetVersion()).isEqualTo("fs-1");
    assertThat(a.getViewVersions()).containsEntry("customer_spending", "v-cs");
    assertThat(a.getSchemaId()).isEqualTo(7);
    assertThat(a.getModelSha256()).isEqualTo(RegistryState.sha256(version(1).getOnnx()));
    assertThat(a.getFeatures()).containsEntry("a", 4.0).containsEntry("b", 1.0);
    assertThat(a.getPositive()).isEqualTo(a.getScore() >= 0.5);
    assertThat(a.getFeatureHash()).hasSize(32);
    assertThat(out.get(1).getFeatureHash()).as("same inputs").isEqualTo(a.getFeatureHash());
    assertThat(out.get(2).getFeatureHash()).isNotEqualTo(a.getFeatureHash());
    assertThat(a.getScoringLatencyMicros()).isNotNegative();
  }

  // --- fixtures ---

  private List<Prediction> predictions() {
    List<Prediction> out = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((Prediction) r.getValue());
      }
    }
    return out;
  }

  private List<Long> watermarks() {
    List<Long> out = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof Watermark w) {
        out.add(w.getTimestamp());
      }
    }
    return out;
  }

  private void register(int version) throws Exception {
    harness.processElement2(new RegistryEvent(version(version)), 0);
  }

  private void promote(int version, String alias) throws Exception {
    harness.processElement2(new RegistryEvent(change(alias, version, AliasAction.PROMOTE)), 0);
  }

  private void demote(String alias) throws Exception {
    harness.processElement2(new RegistryEvent(change(alias, null, AliasAction.DEMOTE)), 0);
  }

  private final Map<String, Integer> aliases = new HashMap<>();

  private AliasChange change(String alias, Integer version, AliasAction action) {
    Integer previous = aliases.get(alias);
    aliases.put(alias, version);
    return AliasChange.newBuilder()
        .setName(MODEL)
        .setAlias(alias)
        .setVersion(version)
        .setPreviousVersion(previous)
        .setSequence(++aliasSequence)
        .setAction(action)
        .setAt(Instant.EPOCH)
        .setActor("test")
        .setReason("")
        .build();
  }

  static ModelVersion version(int version) {
    ByteBuffer bytes = ByteBuffer.wrap(("model " + version).getBytes(StandardCharsets.UTF_8));
    return ModelVersion.newBuilder()
        .setName(MODEL)
        .setVersion(version)
        .setOnnx(bytes)
        .setSha256(RegistryState.sha256(bytes))
        .setSignature(
            ModelSignature.newBuilder()
                .setInputName("input")
                .setFeatures(List.of("a", "b"))
                .setFeatureSetVersion("fs-1")
                .setViewVersions(Map.of("customer_spending", "v-cs"))
                .setOutput(OutputConvention.PROBABILITY_TENSOR)
                .setProbabilityOutput("output")
                .setPositiveClass("1")
                .setPositiveIndex(1)
                .build())
        .setPreprocessing(
            // Shift and scale default to empty.
            Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
        .setThreshold(0.5)
        .setRegisteredAt(Instant.EPOCH)
        .setRegisteredBy("test")
        .build();
  }

  static FeatureRow row(String id, int entity, double a) {
    Map<String, Double> features = new HashMap<>();
    features.put("a", a);
    features.put("b", 1.0);
    return FeatureRow.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(T0))
        .setEntities(Map.of("customer", "c-" + entity, "terminal", "t-" + entity))
        .setFeatures(features)
        .setFeatureSetVersion("fs-1")
        .build();
  }

  /**
   * score = a * version / 10, clamped to [0, 1]; throws on a negative {@code a} (a model that fails
   * at run time for some inputs). Records open versions and batch sizes.
   */
  static final class LinearScorer implements Scorer {
    static final ConcurrentLinkedQueue<Integer> OPEN = new ConcurrentLinkedQueue<>();
    static final List<Integer> BATCH_SIZES = new ArrayList<>();

    private final ModelVersion version;

    private LinearScorer(ModelVersion version) {
      this.version = version;
      OPEN.add(version.getVersion());
    }

    static Scorer open(ModelVersion version) {
      return new LinearScorer(version);
    }

    @Override
    public ModelVersion version() {
      return version;
    }

    @Override
    public int featureCount() {
      return 2;
    }

    @Override
    public void score(float[] values, int rows, double[] scores) throws ScoringException {
      BATCH_SIZES.add(rows);
      for (int r = 0; r < rows; r++) {
        float a = values[r * 2];
        if (a < 0) {
          throw new ScoringException("negative input in row " + r);
        }
        scores[r] = Math.min(1.0, a * version.getVersion() / 10.0);
      }
    }

    @Override
    public void close() {
      OPEN.remove(version.getVersion());
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void reset() {
    LinearScorer.OPEN.clear();
    LinearScorer.BATCH_SIZES.clear();
    aliasSequence = 0;
    aliases.clear();
  }
}

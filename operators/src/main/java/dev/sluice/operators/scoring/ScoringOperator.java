package dev.sluice.operators.scoring;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.state.models.RegistryEventCodec;
import dev.sluice.state.models.RegistryState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature rows with the registered model's champion, in micro-batches, and follows the
 * registry's log to swap versions without restarting.
 *
 * <p>Input 1: {@link FeatureRow}s. Input 2: the registry's log ({@link RegistryEvent}s), broadcast
 * to every task; each task applies it to {@link RegistryState#forModel} and opens a scorer per
 * served version ({@link ServedModels}).
 *
 * <p>Micro-batches: rows are buffered and scored together, at most {@code maxBatch} rows and at
 * most {@code maxWait} after the first row arrived (a processing-time timer). The buffer is also
 * flushed before every watermark is forwarded (so no prediction is late downstream), before every
 * checkpoint barrier ({@link #prepareSnapshotPreBarrier}, so a checkpoint never holds unscored
 * rows), before a registry event is applied (so every row is scored by the version that was serving
 * when it arrived) and at the end of input.
 *
 * <p>Output: one {@link Prediction} with {@code shadow = false} per scored row (the champion's, or
 * the challenger's for entities in the canary share), plus one shadow prediction per row from the
 * other served version when shadow scoring is on. Rows that cannot be scored go to {@link
 * #DEAD_LETTERS} with the reason (missing or non-finite feature, another feature-set version, the
 * runtime failing on that row); a runtime failure on a batch is retried row by row so that only the
 * offending rows are dead-lettered. A shadow score that fails is counted, never dead-lettered: the
 * decision was made.
 *
 * <p>Until the model has a champion, rows are parked (kept in operator state across checkpoints)
 * and the watermark is held back; they are scored as soon as a champion is promoted. Beyond {@code
 * maxParkedRows} they go to the dead letters as {@code no-model}.
 *
 * <p>State: the applied registry log (broadcast state: every task restores the same log) and the
 * parked rows (list state). Watermarks come from the rows' input only: the registry input has no
 * event time. (Flink combines the inputs' idle status in a final method: an idle rows input is
 * therefore not forwarded as idle while the registry input counts as active.)
 */
public final class ScoringOperator extends AbstractStreamOperator<Prediction>
    implements TwoInputStreamOperator<FeatureRow, RegistryEvent, Prediction>,
        BoundedMultiInput,
        ProcessingTimeCallback {

  /** Rows that could not be scored. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("scoring-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  /** Dead letters written by scoring come from this stage. */
  public static final String STAGE = "scoring";

  /** Header naming the encoding of a dead-lettered row's value. */
  public static final String VALUE_FORMAT_HEADER = "sluice.value.format";

  static final String VALUE_FORMAT = "avro-binary:dev.sluice.avro.FeatureRow";

  private static final long serialVersionUID = 1L;

  private final ScoringSettings settings;
  private final ScorerFactory factory;

  private transient ServedModels models;
  private transient BroadcastState<Long, byte[]> registryLog;
  private transient long logSize;
  private transient ListState<FeatureRow> parkedState;
  private transient ArrayDeque<Pending> parked;
  private transient Pending[] batch;
  private transient int batchSize;
  private transient long batchDeadline;
  private transient boolean timerRegistered;
  private transient float[] values;
  private transient double[] scores;
  private transient int[] rowIndex;
  private transient Watermark heldWatermark;
  private transient MessageDigest sha256;
  private transient SpecificDatumWriter<FeatureRow> rowWriter;
  private transient Counter predictions;
  private transient Counter shadowPredictions;
  private transient Counter deadLetters;
  private transient Counter shadowFailures;
  private transient Counter modelSwaps;
  private transient Counter batches;
  private transient long lastLatencyMicros;

  public ScoringOperator(ScoringSettings settings, ScorerFactory factory) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /** A row waiting to be scored. */
  private record Pending(FeatureRow row, long timestamp, boolean hasTimestamp, long arrivedNanos) {}

  static MapStateDescriptor<Long, byte[]> registryLogDescriptor() {
    return new MapStateDescriptor<>(
        "scoring-registry-log", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    models = new ServedModels(settings.modelName(), factory);
    registryLog = context.getOperatorStateStore().getBroadcastState(registryLogDescriptor());
    TreeMap<Long, byte[]> log = new TreeMap<>();
    for (Map.Entry<Long, byte[]> entry : registryLog.entries()) {
      log.put(entry.getKey(), entry.getValue());
    }
    for (byte[] bytes : log.values()) {
      models.apply(RegistryEventCodec.decode(bytes));
    }
    logSize = log.isEmpty() ? 0 : log.lastKey() + 1;
    parkedState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "scoring-parked-rows", new AvroTypeInfo<>(FeatureRow.class)));
    parked = new ArrayDeque<>();
    for (FeatureRow row : parkedState.get()) {
      parked.add(new Pending(row, row.getEventTime().toEpochMilli(), true, System.nanoTime()));
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    batch = new Pending[settings.maxBatch()];
    values = new float[0];
    scores = new double[settings.maxBatch()];
    rowIndex = new int[settings.maxBatch()];
    sha256 = ModelInputs.sha256();
    rowWriter = new SpecificDatumWriter<>(FeatureRow.class);
    var group = getMetricGroup();
    predictions = group.counter("predictions");
    shadowPredictions = group.counter("shadowPredictions");
    deadLetters = group.counter("deadLetters");
    shadowFailures = group.counter("shadowFailures");
    modelSwaps = group.counter("modelSwaps");
    batches = group.counter("batches");
    group.gauge("championVersion", () -> version(models.champion()));
    group.gauge("challengerVersion", () -> version(models.challenger()));
    group.gauge("parkedRows", () -> parked.size());
    group.gauge("modelLoadFailures", () -> models.loadFailures());
    group.gauge("lastScoringLatencyMicros", () -> lastLatencyMicros);
    for (String change : models.sync()) {
      LOG.info("scoring {} (restored): {}", settings.modelName(), change);
    }
    if (models.champion() != null && !parked.isEmpty()) {
      unpark();
    }
  }

  private static int version(Scorer scorer) {
    return scorer == null ? 0 : scorer.version().getVersion();
  }

  @Override
  public void processElement1(StreamRecord<FeatureRow> element) throws Exception {
    Pending pending =
        new Pending(
            element.getValue(), element.getTimestamp(), element.hasTimestamp(), System.nanoTime());
    if (models.champion() == null) {
      park(pending);
      return;
    }
    add(pending);
  }

  private void add(Pending pending) throws Exception {
    batch[batchSize++] = pending;
    if (batchSize == batch.length) {
      flush();
    } else if (batchSize == 1 && !timerRegistered) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      batchDeadline = now + settings.maxWait().toMillis();
      timerRegistered = true;
      getProcessingTimeService().registerTimer(batchDeadline, this);
    }
  }

  @Override
  public void onProcessingTime(long time) throws Exception {
    timerRegistered = false;
    if (batchSize > 0) {
      flush();
    }
  }

  private void park(Pending pending) {
    if (parked.size() >= settings.maxParkedRows()) {
      deadLetter(
          pending.row(),
          "no-model",
          "model "
              + settings.modelName()
              + " has no champion and "
              + settings.maxParkedRows()
              + " rows are already waiting for one (promote a version: sluice model promote "
              + settings.modelName()
              + " VERSION)");
      return;
    }
    parked.add(pending);
  }

  private void unpark() throws Exception {
    while (!parked.isEmpty() && models.champion() != null) {
      add(parked.poll());
    }
    flush();
    if (parked.isEmpty() && heldWatermark != null) {
      Watermark mark = heldWatermark;
      heldWatermark = null;
      output.emitWatermark(mark);
    }
  }

  @Override
  public void processElement2(StreamRecord<RegistryEvent> element) throws Exception {
    // Rows that arrived before the change are scored by the versions serving when they arrived.
    flush();
    RegistryEvent event = element.getValue();
    RegistryState.Outcome outcome = models.apply(event);
    if (!outcome.applied()) {
      if (!"another model".equals(outcome.reason())) {
        LOG.warn("scoring {}: registry event ignored: {}", settings.modelName(), outcome.reason());
      }
      return;
    }
    registryLog.put(logSize++, RegistryEventCodec.encode(event));
    for (String change : models.sync()) {
      modelSwaps.inc();
      LOG.info("scoring {}: {}", settings.modelName(), change);
    }
    if (models.champion() != null && !parked.isEmpty()) {
      unpark();
    }
  }

  @Override
  public void processWatermark1(Watermark mark) throws Exception {
    flush();
    if (!parked.isEmpty()) {
      heldWatermark = mark;
      return;
    }
    output.emitWatermark(mark);
  }

  @Override
  public void processWatermark2(Watermark mark) {
    // The registry's log has no event time; only the rows drive the watermark.
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<FeatureRow> rows = new ArrayList<>(parked.size());
    for (Pending pending : parked) {
      rows.add(pending.row());
    }
    parkedState.update(rows);
  }

  @Override
  public void endInput(int inputId) throws Exception {
    flush();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    if (models != null) {
      models.close();
    }
    super.close();
  }

  /** Scores the buffered rows and emits their predictions. */
  private void flush() throws Exception {
    if (batchSize == 0) {
      return;
    }
    int n = batchSize;
    batchSize = 0;
    batches.inc();
    Scorer champion = models.champion();
    // A challenger that is the champion's version has nothing to add: no shadow, no canary.
    Scorer challenger = models.challenger() == champion ? null : models.challenger();
    // Which rows each version decides for, and which it scores in shadow.
    boolean[] canary = new boolean[n];
    if (challenger != null && settings.canaryShare() > 0) {
      for (int i = 0; i < n; i++) {
        canary[i] = settings.inCanary(primaryEntity(batch[i].row()));
      }
    }
    score(champion, ModelRole.CHAMPION, n, canary, false);
    if (challenger != null) {
      score(challenger, ModelRole.CHALLENGER, n, canary, true);
    }
    java.util.Arrays.fill(batch, 0, n, null);
  }

  /**
   * Scores the rows a version serves: its decisions, plus (when shadow scoring is on) its shadow
   * scores.
   *
   * @param canarySide true for the challenger, which decides for canary rows
   */
  private void score(Scorer scorer, ModelRole role, int n, boolean[] canary, boolean canarySide)
      throws Exception {
    ModelSignature signature = scorer.version().getSignature();
    int width = scorer.featureCount();
    if (values.length < n * width) {
      values = new float[n * width];
    }
    int rows = 0;
    for (int i = 0; i < n; i++) {
      boolean decides = canary[i] == canarySide;
      if (!decides && !settings.shadow()) {
        continue;
      }
      ModelInputs.Problem problem =
          ModelInputs.extract(batch[i].row(), signature, values, rows * width);
      if (problem != null) {
        if (decides) {
          deadLetter(batch[i].row(), problem.errorClass(), problem.reason());
        } else {
          shadowFailures.inc();
        }
        continue;
      }
      rowIndex[rows++] = i;
    }
    if (rows == 0) {
      return;
    }
    try {
      scorer.score(values, rows, scores);
      for (int r = 0; r < rows; r++) {
        emit(scorer, role, rowIndex[r], r, width, scores[r], canary, canarySide);
      }
    } catch (ScoringException batchFailure) {
      // Find the rows the runtime fails on; the others are scored one by one.
      float[] one = new float[width];
      double[] single = new double[1];
      for (int r = 0; r < rows; r++) {
        int i = rowIndex[r];
        System.arraycopy(values, r * width, one, 0, width);
        try {
          scorer.score(one, 1, single);
          emit(scorer, role, i, r, width, single[0], canary, canarySide);
        } catch (ScoringException e) {
          if (canary[i] == canarySide) {
            deadLetter(
                batch[i].row(),
                "scoring-failed",
                settings.modelName()
                    + " v"
                    + scorer.version().getVersion()
                    + " failed on "
                    + batch[i].row().getEventId()
                    + ": "
                    + e.getMessage());
          } else {
            shadowFailures.inc();
          }
        }
      }
    }
  }

  private void emit(
      Scorer scorer,
      ModelRole role,
      int i,
      int r,
      int width,
      double score,
      boolean[] canary,
      boolean canarySide) {
    Pending pending = batch[i];
    FeatureRow row = pending.row();
    ModelVersion version = scorer.version();
    boolean shadow = canary[i] != canarySide;
    long latencyMicros = (System.nanoTime() - pending.arrivedNanos()) / 1_000;
    lastLatencyMicros = latencyMicros;
    Map<String, Double> copy = null;
    if (settings.featureCopy() == ScoringSettings.FeatureCopy.COPY) {
      copy = new HashMap<>();
      List<String> names = version.getSignature().getFeatures();
      for (int c = 0; c < width; c++) {
        copy.put(names.get(c), (double) values[r * width + c]);
      }
    }
    Prediction prediction =
        Prediction.newBuilder()
            .setEventId(row.getEventId())
            .setEventTime(row.getEventTime())
            .setEntityId(primaryEntity(row))
            .setEntities(row.getEntities())
            .setModelName(version.getName())
            .setModelVersion(version.getVersion())
            .setModelSha256(version.getSha256())
            .setRole(role)
            .setShadow(shadow)
            .setCanary(!shadow && role == ModelRole.CHALLENGER)
            .setScore(score)
            .setThreshold(version.getThreshold())
            .setPositive(score >= version.getThreshold())
            .setFeatureSetVersion(row.getFeatureSetVersion())
            .setViewVersions(version.getSignature().getViewVersions())
            .setFeatureHash(ModelInputs.hash(sha256, values, r * width, width))
            .setFeatures(copy)
            .setScoredAt(Instant.now())
            .setScoringLatencyMicros(latencyMicros)
            .setSchemaId(settings.schemaId())
            .build();
    if (shadow) {
      shadowPredictions.inc();
    } else {
      predictions.inc();
    }
    if (pending.hasTimestamp()) {
      output.collect(new StreamRecord<>(prediction, pending.timestamp()));
    } else {
      output.collect(new StreamRecord<>(prediction));
    }
  }

  private String primaryEntity(FeatureRow row) {
    String id = row.getEntities().get(settings.primaryEntity());
    return id != null ? id : row.getEventId();
  }

  private void deadLetter(FeatureRow row, String errorClass, String reason) {
    deadLetters.inc();
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setTopic("feature-rows")
            .setPartition(-1)
            .setOffset(-1)
            .setRecordTimestamp(row.getEventTime())
            .setKey(ByteBuffer.wrap(row.getEventId().getBytes(StandardCharsets.UTF_8)))
            .setValue(ByteBuffer.wrap(encodeRow(row)))
            .setHeaders(
                Map.of(
                    VALUE_FORMAT_HEADER,
                    ByteBuffer.wrap(VALUE_FORMAT.getBytes(StandardCharsets.UTF_8))))
            .setStage(STAGE)
            .setErrorClass(errorClass)
            .setReason(reason)
            .setFailedAt(Instant.now())
            .build();
    output.collect(DEAD_LETTERS, new StreamRecord<>(letter, row.getEventTime().toEpochMilli()));
  }

  private byte[] encodeRow(FeatureRow row) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      rowWriter.write(row, encoder);
      encoder.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the feature row of " + row.getEventId(), e);
    }
  }
}

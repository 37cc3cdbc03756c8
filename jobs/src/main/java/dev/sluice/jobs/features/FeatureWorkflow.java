package dev.sluice.jobs.features;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.operators.features.FeatureEvent;
import dev.sluice.operators.features.FeaturePipeline;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The feature dataflow shared by the streaming feature job and the backfill: transactions and
 * labels (timestamped: transactions by event time, labels by the time they became known) through
 * {@link FeaturePipeline} into whichever sinks the job has. Sinks that are null are left out.
 */
public final class FeatureWorkflow {
  /** Dead letters written by the feature job come from this stage. */
  public static final String STAGE_FEATURES = "features";

  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  private FeatureWorkflow() {}

  /**
   * Where the results go; any of them may be null.
   *
   * @param featureRows one complete row per transaction (scoring's input)
   * @param onlineStore latest values per entity (the stateful views)
   * @param offlineStore one sink per view (event view included), for every row
   * @param archiveTransactions the raw transactions, so history can be replayed
   * @param archiveLabels the raw labels
   * @param deadLetters records the feature views dropped as late
   */
  public record Sinks(
      Sink<FeatureRow> featureRows,
      Sink<ViewRow> onlineStore,
      SinkFactory offlineStore,
      Sink<Transaction> archiveTransactions,
      Sink<Label> archiveLabels,
      Sink<DeadLetter> deadLetters) {}

  /** Builds the offline-store sink of one view. */
  @FunctionalInterface
  public interface SinkFactory extends Function<ViewSchema, Sink<ViewRow>>, Serializable {}

  public static FeaturePipeline.Output define(
      DataStream<Transaction> transactions,
      DataStream<Label> labels,
      FeatureSet<Transaction> featureSet,
      Duration allowedLateness,
      Sinks sinks) {
    return define(transactions, labels, featureSet, allowedLateness, sinks, null);
  }

  /**
   * As above; {@code upstreamDeadLetters} (e.g. records the job's sources could not decode), if not
   * null, go to the same dead-letter sink as the late records.
   */
  public static FeaturePipeline.Output define(
      DataStream<Transaction> transactions,
      DataStream<Label> labels,
      FeatureSet<Transaction> featureSet,
      Duration allowedLateness,
      Sinks sinks,
      DataStream<DeadLetter> upstreamDeadLetters) {
    FeaturePipeline.Output out =
        FeaturePipeline.define(
            featureSet,
            Map.of(FraudFeatures.TRANSACTIONS, transactions, FraudFeatures.LABELS, labels),
            FraudFeatures.TRANSACTIONS,
            allowedLateness);
    if (sinks.featureRows() != null) {
      out.featureRows()
          .sinkTo(sinks.featureRows())
          .uid("feature-rows-sink")
          .name("feature-rows-sink");
    }
    if (sinks.onlineStore() != null) {
      out.stateRows()
          .sinkTo(sinks.onlineStore())
          .uid("online-store-sink")
          .name("online-store-sink");
    }
    if (sinks.offlineStore() != null) {
      boolean batch =
          transactions
                  .getExecutionEnvironment()
                  .getConfiguration()
                  .get(ExecutionOptions.RUNTIME_MODE)
              == RuntimeExecutionMode.BATCH;
      for (ViewSchema schema : featureSet.schemas()) {
        DataStream<ViewRow> rows = out.viewRows().get(schema.view());
        if (batch && !schema.view().equals(featureSet.eventView().name())) {
          // A stateful view emits its rows entity by entity, each spanning every date: without
          // sorting by date, the file sink would hold a Parquet writer per date until the end.
          rows =
              rows.keyBy(r -> Math.floorDiv(r.eventTime, DAY_MS))
                  .map(r -> r)
                  .returns(TypeInformation.of(ViewRow.class))
                  .uid("offline-store-" + schema.view() + "-by-date")
                  .name("offline-store-" + schema.view() + "-by-date");
        }
        rows.sinkTo(sinks.offlineStore().apply(schema))
            .uid("offline-store-" + schema.view() + "-sink")
            .name("offline-store-" + schema.view() + "-sink");
      }
    }
    if (sinks.archiveTransactions() != null) {
      transactions
          .sinkTo(sinks.archiveTransactions())
          .uid("archive-transactions-sink")
          .name("archive-transactions-sink");
    }
    if (sinks.archiveLabels() != null) {
      labels.sinkTo(sinks.archiveLabels()).uid("archive-labels-sink").name("archive-labels-sink");
    }
    if (sinks.deadLetters() != null) {
      DataStream<DeadLetter> late =
          out.late()
              .map(FeatureWorkflow::lateDeadLetter)
              .returns(new AvroTypeInfo<>(DeadLetter.class))
              .uid("features-late-dead-letters")
              .name("features-late-dead-letters");
      DataStream<DeadLetter> incomplete =
          out.incomplete()
              .map(FeatureWorkflow::incompleteDeadLetter)
              .returns(new AvroTypeInfo<>(DeadLetter.class))
              .uid("features-incomplete-dead-letters")
              .name("features-incomplete-dead-letters");
      late = late.union(incomplete);
      (upstreamDeadLetters == null ? late : late.union(upstreamDeadLetters))
          .sinkTo(sinks.deadLetters())
          .uid("features-dead-letter-sink")
          .name("features-dead-letter-sink");
    }
    return out;
  }

  /**
   * An event without a complete feature row: some view dropped it as late, so nothing was scored
   * for it (its dead letters from the views say which).
   */
  static DeadLetter incompleteDeadLetter(String eventId) {
    return DeadLetter.newBuilder()
        .setTopic("feature-rows")
        .setPartition(-1)
        .setOffset(-1)
        .setRecordTimestamp(null)
        .setKey(ByteBuffer.wrap(eventId.getBytes(StandardCharsets.UTF_8)))
        .setValue(null)
        .setStage(STAGE_FEATURES)
        .setErrorClass("incomplete-row")
        .setReason(
            "no feature row for "
                + eventId
                + ": not every feature view computed it within the allowed lateness")
        .setFailedAt(Instant.now())
        .build();
  }

  /**
   * A record a view dropped as late. The record itself is still in its input topic and the archive;
   * the dead letter names it (key = event id) and says which view dropped it and why.
   */
  static DeadLetter lateDeadLetter(Tuple2<String, FeatureEvent> late) {
    FeatureEvent e = late.f1;
    return DeadLetter.newBuilder()
        .setTopic(late.f0 + "/input-" + e.input)
        .setPartition(-1)
        .setOffset(-1)
        .setRecordTimestamp(Instant.ofEpochMilli(e.knownAt))
        .setKey(ByteBuffer.wrap(e.eventId.getBytes(StandardCharsets.UTF_8)))
        .setValue(null)
        .setStage(STAGE_FEATURES)
        .setErrorClass("late")
        .setReason(
            "feature view "
                + late.f0
                + " dropped "
                + e.eventId
                + " (entity "
                + e.entityId
                + ", time "
                + Instant.ofEpochMilli(e.time)
                + "): more than the allowed lateness behind the watermark")
        .setFailedAt(Instant.now())
        .build();
  }
}

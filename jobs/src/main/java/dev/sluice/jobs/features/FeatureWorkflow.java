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
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
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
      for (ViewSchema schema : featureSet.schemas()) {
        out.viewRows()
            .get(schema.view())
            .sinkTo(sinks.offlineStore().apply(schema))
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
      out.late()
          .map(FeatureWorkflow::lateDeadLetter)
          .returns(new AvroTypeInfo<>(DeadLetter.class))
          .uid("features-late-dead-letters")
          .name("features-late-dead-letters")
          .sinkTo(sinks.deadLetters())
          .uid("features-dead-letter-sink")
          .name("features-dead-letter-sink");
    }
    return out;
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

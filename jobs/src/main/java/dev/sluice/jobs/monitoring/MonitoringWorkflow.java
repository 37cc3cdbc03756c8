package dev.sluice.jobs.monitoring;

import dev.sluice.avro.Label;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.Prediction;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.operators.monitoring.evaluation.EvaluationSettings;
import dev.sluice.operators.monitoring.evaluation.JoinInput;
import dev.sluice.operators.monitoring.evaluation.LabelJoinFunction;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction;
import dev.sluice.operators.monitoring.evaluation.WindowEvaluator;
import dev.sluice.schemas.registry.RegistryConfig;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Monitoring inside a job: the live evaluation of every served model version (decisions and shadow
 * scores alike) once the delayed labels arrive, estimated before they do.
 *
 * <p>Topology: predictions and labels -> keyBy(transaction id) -> {@code evaluation-label-join}
 * ({@link LabelJoinFunction}: each prediction waits for its label up to the maximum label delay) ->
 * with the raw predictions (for the estimates before labels arrive) keyBy(model version and role)
 * -> {@code evaluation-windows} ({@link WindowEvaluator}: per event-time window, PROVISIONAL then
 * FINAL {@link ModelMetrics}) -> the metrics topic.
 */
public final class MonitoringWorkflow {
  private MonitoringWorkflow() {}

  /**
   * Where monitoring writes.
   *
   * @param metricsTopic the {@link ModelMetrics} records
   * @param transactionalIdPrefix prefix of the sinks' Kafka transactional ids (unique per job)
   * @param evaluation windows, label delay, provisional interval, k
   */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String metricsTopic,
      String transactionalIdPrefix,
      EvaluationSettings evaluation)
      implements Serializable {
    public Config {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(metricsTopic, "metricsTopic");
      Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
      Objects.requireNonNull(evaluation, "evaluation");
    }
  }

  /**
   * Adds the online evaluation and returns the metrics (already wired to the metrics topic).
   *
   * @param predictions timestamped by event time, with watermarks (as scoring emits them)
   * @param labels timestamped by the time each label became known, with watermarks
   */
  public static DataStream<ModelMetrics> evaluate(
      DataStream<Prediction> predictions, DataStream<Label> labels, Config c) {
    DataStream<ModelMetrics> metrics = metrics(predictions, labels, c.evaluation());
    metrics
        .sinkTo(
            KafkaConnectors.<ModelMetrics>registrySink(
                c.bootstrapServers(),
                c.registry(),
                c.metricsTopic(),
                c.transactionalIdPrefix() + "-model-metrics",
                m -> m.getModelName() + "/" + m.getModelVersion(),
                m -> m.getWindowEnd()))
        .uid("model-metrics-sink")
        .name("model-metrics-sink");
    return metrics;
  }

  /** The evaluation's operators without a sink (for {@link #evaluate} and tests). */
  public static DataStream<ModelMetrics> metrics(
      DataStream<Prediction> predictions, DataStream<Label> labels, EvaluationSettings settings) {
    TypeInformation<JoinInput> joinType = TypeInformation.of(JoinInput.class);
    TypeInformation<LabelledPrediction> rowType = TypeInformation.of(LabelledPrediction.class);
    DataStream<JoinInput> inputs =
        predictions
            .map(JoinInput::of, joinType)
            .uid("evaluation-predictions")
            .name("evaluation-predictions")
            .union(
                labels
                    .map(JoinInput::of, joinType)
                    .uid("evaluation-labels")
                    .name("evaluation-labels"));
    SingleOutputStreamOperator<LabelledPrediction> joined =
        inputs
            .keyBy(JoinInput::eventId)
            .process(new LabelJoinFunction(settings.maxLabelDelay()), rowType)
            .uid("evaluation-label-join")
            .name("evaluation-label-join");
    DataStream<LabelledPrediction> pending =
        predictions
            .map(LabelledPrediction::pending, rowType)
            .uid("evaluation-pending")
            .name("evaluation-pending");
    SingleOutputStreamOperator<ModelMetrics> metrics =
        joined
            .union(pending)
            .keyBy(LabelledPrediction::modelKey)
            .process(new WindowEvaluator(settings), new AvroTypeInfo<>(ModelMetrics.class))
            .uid("evaluation-windows")
            .name("evaluation-windows");
    return metrics;
  }
}

package dev.sluice.jobs.monitoring;

import dev.sluice.avro.Alert;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.operators.monitoring.DriftMonitorFunction;
import dev.sluice.operators.monitoring.DriftSettings;
import dev.sluice.operators.monitoring.MonitoredBatch;
import dev.sluice.operators.monitoring.MonitoredValue;
import dev.sluice.operators.monitoring.MonitoredValueBundler;
import dev.sluice.operators.monitoring.NoEventTime;
import dev.sluice.operators.monitoring.alarms.AlarmFunction;
import dev.sluice.operators.monitoring.alarms.AlarmRules;
import dev.sluice.operators.monitoring.alarms.Observation;
import dev.sluice.operators.monitoring.detectors.ErrorStreamFunction;
import dev.sluice.operators.monitoring.detectors.ErrorStreamSettings;
import dev.sluice.operators.monitoring.evaluation.EvaluationSettings;
import dev.sluice.operators.monitoring.evaluation.JoinInput;
import dev.sluice.operators.monitoring.evaluation.LabelJoinFunction;
import dev.sluice.operators.monitoring.evaluation.LabelledPrediction;
import dev.sluice.operators.monitoring.evaluation.WindowEvaluator;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.KafkaClientSettings;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Monitoring inside a job: the live evaluation of every served model version (decisions and shadow
 * scores alike) once the delayed labels arrive, estimated before they do; the drift of every model
 * input, of the score and of the label rate against the champion's reference profile; and alarms
 * from declared rules.
 *
 * <p>Topology: predictions and labels -> keyBy(transaction id) -> {@code evaluation-label-join}
 * ({@link LabelJoinFunction}: each prediction waits for its label up to the maximum label delay) ->
 * with the raw predictions (for the estimates before labels arrive) keyBy(model version, role and
 * window) -> {@code evaluation-windows} ({@link WindowEvaluator}: per event-time window,
 * PROVISIONAL then FINAL {@link ModelMetrics}) -> the metrics topic. The label join's LABELLED rows
 * also go, keyed by model version and role, through {@code error-stream-detectors} ({@link
 * ErrorStreamFunction}: DDM, Page-Hinkley and ADWIN on the 0/1 errors), whose per-window {@link
 * DriftResult}s join the drift results on the drift topic and in the alarms.
 */
public final class MonitoringWorkflow {
  private MonitoringWorkflow() {}

  /**
   * Where monitoring writes.
   *
   * @param metricsTopic the {@link ModelMetrics} records
   * @param transactionalIdPrefix prefix of the sinks' Kafka transactional ids (unique per job)
   * @param evaluation windows, label delay, provisional interval, k
   * @param errorStream the error-stream detectors' window and parameters (e.g. {@link
   *     ErrorStreamSettings#DEFAULTS})
   */
  public record Config(
      String bootstrapServers,
      RegistryConfig registry,
      String metricsTopic,
      String driftTopic,
      String alertTopic,
      String transactionalIdPrefix,
      EvaluationSettings evaluation,
      DriftSettings drift,
      ErrorStreamSettings errorStream,
      AlarmRules rules,
      KafkaClientSettings kafka)
      implements Serializable {
    public Config {
      kafka = KafkaClientSettings.orDefault(bootstrapServers, kafka);
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(metricsTopic, "metricsTopic");
      Objects.requireNonNull(driftTopic, "driftTopic");
      Objects.requireNonNull(alertTopic, "alertTopic");
      Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
      Objects.requireNonNull(evaluation, "evaluation");
      Objects.requireNonNull(drift, "drift");
      Objects.requireNonNull(errorStream, "errorStream");
      Objects.requireNonNull(rules, "rules");
    }

    /** Without extra Kafka client properties (plaintext, client defaults). */
    public Config(
        String bootstrapServers,
        RegistryConfig registry,
        String metricsTopic,
        String driftTopic,
        String alertTopic,
        String transactionalIdPrefix,
        EvaluationSettings evaluation,
        DriftSettings drift,
        ErrorStreamSettings errorStream,
        AlarmRules rules) {
      this(
          bootstrapServers,
          registry,
          metricsTopic,
          driftTopic,
          alertTopic,
          transactionalIdPrefix,
          evaluation,
          drift,
          errorStream,
          rules,
          null);
    }
  }

  /**
   * Adds everything: the online evaluation, drift (of the inputs, and of the error stream) and
   * alarms, each written to its topic exactly once.
   */
  public static void monitor(
      DataStream<FeatureRow> rows,
      DataStream<Prediction> predictions,
      DataStream<Label> labels,
      DataStream<RegistryEvent> registryEvents,
      Config c) {
    SingleOutputStreamOperator<LabelledPrediction> joined =
        labelJoin(predictions, labels, c.evaluation());
    DataStream<ModelMetrics> metrics = windows(joined, predictions, c.evaluation());
    sinkMetrics(metrics, c);
    DataStream<DriftResult> drift =
        drift(rows, predictions, labels, registryEvents, c.drift())
            .union(errorStream(joined, c.errorStream()));
    drift
        .sinkTo(
            KafkaConnectors.<DriftResult>registrySink(
                c.kafka(),
                c.registry(),
                c.driftTopic(),
                c.transactionalIdPrefix() + "-drift",
                r -> r.getSubject(),
                r -> r.getWindowEnd(),
                DriftResult.class))
        .uid("drift-sink")
        .name("drift-sink");
    alarms(drift, metrics, c.rules(), c.drift().lateness(), c.drift().monitorFrom())
        .sinkTo(
            KafkaConnectors.<Alert>registrySink(
                c.kafka(),
                c.registry(),
                c.alertTopic(),
                c.transactionalIdPrefix() + "-alerts",
                Alert::getAlertId,
                a -> a.getWindowEnd(),
                Alert.class))
        .uid("alerts-sink")
        .name("alerts-sink");
  }

  /**
   * The alarm rules of {@link #alarms} unless the user gives others: Evidently's drift defaults
   * decide each feature's {@code drifted} flag; one alarm when more than a fifth of the features
   * drift two days in a row (not one alarm per feature; Evidently's share, a half, missed a
   * spending shift that moved 4 of the 14 fraud features, while stationary days flag none), on a
   * moved score distribution, on a moved label rate, when the realized AUC of a day falls below
   * 0.75, and when the Page-Hinkley detector sees the live model's error rate rise.
   */
  public static final String DEFAULT_RULES =
      String.join(
          "\n",
          "# name source statistic op threshold options",
          "features-drifted drift drifted_share > 0.2 fire_after=2 severity=WARNING retrain=true runbook=\"Many model inputs"
              + " moved together: check upstream producers, then retrain on recent data\"",
          "score-drift drift psi > 0.2 subject=score severity=WARNING runbook=\"The score"
              + " distribution moved: compare the drifted features; expect the realized AUC to"
              + " follow once labels arrive\"",
          "label-rate-drift drift psi > 0.2 subject=label severity=INFO runbook=\"The fraud rate"
              + " moved: a new pattern or a labelling change\"",
          "auc-drop metrics auc_roc < 0.75 resolve_after=3 severity=CRITICAL retrain=true runbook=\"The champion's realized AUC"
              + " fell: retrain, or roll back if a recent promotion caused it\"",
          "error-rate-rise drift detections > 0 subject=errors/page_hinkley resolve_after=3"
              + " severity=WARNING retrain=true runbook=\"The live model's error rate rose (Page-Hinkley on its"
              + " labelled decisions): look at the drifted features and the daily AUC; retrain\"");

  /**
   * Adds drift monitoring: every feature of the rows, the decisions' scores and the labels, per
   * event-time window, against the champion's reference profile ({@link DriftMonitorFunction}).
   *
   * <p>Each of the three value streams is bundled ({@link MonitoredValueBundler}: per variable and
   * window, flushed at each watermark and checkpoint) in the operator chain that produces it, so
   * that the values cross the network and reach the monitor's keyed state in batches, not one by
   * one (about 15 feature values per transaction). One bundler per stream rather than one after
   * their union: an operator with several inputs is not chained, and the values would again be
   * serialized one by one on the way to it.
   *
   * @param registryEvents the registry's log (e.g. {@link
   *     dev.sluice.jobs.scoring.ScoringWorkflow.Scored#registryEvents()})
   */
  public static SingleOutputStreamOperator<DriftResult> drift(
      DataStream<FeatureRow> rows,
      DataStream<Prediction> predictions,
      DataStream<Label> labels,
      DataStream<RegistryEvent> registryEvents,
      DriftSettings settings) {
    TypeInformation<MonitoredValue> type = TypeInformation.of(MonitoredValue.class);
    Set<String> ignored = settings.ignored();
    DataStream<MonitoredBatch> features =
        bundled(
            rows.flatMap(
                    (FeatureRow row, Collector<MonitoredValue> out) -> {
                      for (MonitoredValue v : MonitoredValue.of(row)) {
                        if (!ignored.contains(v.subject)) {
                          out.collect(v);
                        }
                      }
                    },
                    type)
                .uid("drift-feature-values")
                .name("drift-feature-values"),
            "drift-feature-bundles",
            settings);
    DataStream<MonitoredBatch> scores =
        bundled(
            predictions
                .filter(p -> !p.getShadow())
                .uid("drift-decisions")
                .name("drift-decisions")
                .map(MonitoredValue::score, type)
                .uid("drift-score-values")
                .name("drift-score-values"),
            "drift-score-bundles",
            settings);
    DataStream<MonitoredBatch> labelValues =
        bundled(
            labels
                .map(MonitoredValue::label, type)
                .uid("drift-label-values")
                .name("drift-label-values"),
            "drift-label-bundles",
            settings);
    return features
        .union(scores, labelValues)
        .keyBy(b -> b.subject)
        .connect(
            registryEvents
                // The log has no event time: it must not hold back the windows' watermark.
                .assignTimestampsAndWatermarks(NoEventTime.strategy())
                .setParallelism(1)
                .uid("drift-registry-watermarks")
                .name("drift-registry-watermarks")
                .broadcast(DriftMonitorFunction.REGISTRY_LOG))
        .process(new DriftMonitorFunction(settings), new AvroTypeInfo<>(DriftResult.class))
        .uid("drift-windows")
        .name("drift-windows");
  }

  /**
   * Large enough that the monitor's state access is amortized (a sketch read and write costs about
   * 100 sketch updates), small enough that a batch (4 KB of doubles) is a modest record.
   */
  private static final int DRIFT_BATCH = 512;

  /** {@code values} through a {@link MonitoredValueBundler} chained to them, as {@code uid}. */
  private static DataStream<MonitoredBatch> bundled(
      DataStream<MonitoredValue> values, String uid, DriftSettings settings) {
    return values
        .transform(
            uid,
            TypeInformation.of(MonitoredBatch.class),
            new MonitoredValueBundler(settings.window(), DRIFT_BATCH))
        .uid(uid);
  }

  /**
   * Adds alarms: drift results and model metrics through the rules ({@link AlarmFunction}: one
   * FIRING when a condition starts, one RESOLVED when it ends).
   *
   * @param metrics the online evaluation's records, or null for drift rules only
   * @param grace how long after a window's end its drift results may still come (the drift
   *     lateness)
   * @param judgeFrom windows ending before this event time raise no alarm, like drift's {@link
   *     DriftSettings#monitorFrom()} (a cold-started feature pipeline's first weeks score badly by
   *     construction); null for none
   */
  public static SingleOutputStreamOperator<Alert> alarms(
      DataStream<DriftResult> drift,
      DataStream<ModelMetrics> metrics,
      AlarmRules rules,
      Duration grace,
      Instant judgeFrom) {
    TypeInformation<Observation> type = TypeInformation.of(Observation.class);
    long from = judgeFrom == null ? Long.MIN_VALUE : judgeFrom.toEpochMilli();
    DataStream<Observation> observations =
        drift
            .flatMap(
                (DriftResult r, Collector<Observation> out) ->
                    rules.observations(r).forEach(out::collect),
                type)
            .uid("alarm-drift-observations")
            .name("alarm-drift-observations");
    if (metrics != null) {
      observations =
          observations.union(
              metrics
                  .flatMap(
                      (ModelMetrics m, Collector<Observation> out) ->
                          rules.observations(m).forEach(out::collect),
                      type)
                  .uid("alarm-metrics-observations")
                  .name("alarm-metrics-observations"));
    }
    return observations
        .filter(o -> o.windowEnd >= from)
        .uid("alarm-judged-windows")
        .name("alarm-judged-windows")
        .keyBy(AlarmFunction.KEY)
        .process(new AlarmFunction(rules, grace), new AvroTypeInfo<>(Alert.class))
        .uid("alarms")
        .name("alarms");
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
    sinkMetrics(metrics, c);
    return metrics;
  }

  private static void sinkMetrics(DataStream<ModelMetrics> metrics, Config c) {
    metrics
        .sinkTo(
            KafkaConnectors.<ModelMetrics>registrySink(
                c.kafka(),
                c.registry(),
                c.metricsTopic(),
                c.transactionalIdPrefix() + "-model-metrics",
                m -> m.getModelName() + "/" + m.getModelVersion(),
                m -> m.getWindowEnd(),
                ModelMetrics.class))
        .uid("model-metrics-sink")
        .name("model-metrics-sink");
  }

  /** The evaluation's operators without a sink (for {@link #evaluate} and tests). */
  public static DataStream<ModelMetrics> metrics(
      DataStream<Prediction> predictions, DataStream<Label> labels, EvaluationSettings settings) {
    return windows(labelJoin(predictions, labels, settings), predictions, settings);
  }

  /**
   * The label join ({@code evaluation-label-join}): one {@link LabelledPrediction} per prediction,
   * LABELLED or UNLABELLED, stamped with the time its label became known (or its deadline).
   */
  public static SingleOutputStreamOperator<LabelledPrediction> labelJoin(
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
    return joined;
  }

  /** The evaluation windows over the label join's rows and the raw predictions. */
  private static DataStream<ModelMetrics> windows(
      DataStream<LabelledPrediction> joined,
      DataStream<Prediction> predictions,
      EvaluationSettings settings) {
    TypeInformation<LabelledPrediction> rowType = TypeInformation.of(LabelledPrediction.class);
    DataStream<LabelledPrediction> pending =
        predictions
            .map(LabelledPrediction::pending, rowType)
            .uid("evaluation-pending")
            .name("evaluation-pending");
    SingleOutputStreamOperator<ModelMetrics> metrics =
        joined
            .union(pending)
            .keyBy(WindowEvaluator.key(settings))
            .process(new WindowEvaluator(settings), new AvroTypeInfo<>(ModelMetrics.class))
            .uid("evaluation-windows")
            .name("evaluation-windows");
    return metrics;
  }

  /**
   * Adds the error-stream detectors ({@link ErrorStreamFunction}) on the LABELLED rows of the label
   * join, per model version and role: three {@link DriftResult}s of kind ERROR_STREAM per window.
   *
   * @param joined the output of {@link #labelJoin}
   */
  public static SingleOutputStreamOperator<DriftResult> errorStream(
      DataStream<LabelledPrediction> joined, ErrorStreamSettings settings) {
    return joined
        .filter(r -> r.status == LabelledPrediction.LabelStatus.LABELLED)
        .uid("error-stream-labelled")
        .name("error-stream-labelled")
        .keyBy(LabelledPrediction::modelKey)
        .process(new ErrorStreamFunction(settings), new AvroTypeInfo<>(DriftResult.class))
        .uid("error-stream-detectors")
        .name("error-stream-detectors");
  }
}

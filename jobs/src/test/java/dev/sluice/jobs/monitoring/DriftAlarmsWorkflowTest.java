package dev.sluice.jobs.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.jobs.testing.CollectingSink;
import dev.sluice.jobs.testing.TestStreams;
import dev.sluice.operators.monitoring.DriftSettings;
import dev.sluice.operators.monitoring.MonitoringFixtures;
import dev.sluice.operators.monitoring.alarms.AlarmRules;
import dev.sluice.state.testing.FlinkTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drift monitoring and alarms wired as the jobs wire them, on a MiniCluster: six days of feature
 * rows, scores and labels against a champion's reference; from day 3 both features move (f0 by one
 * standard deviation, f1 from 20% to 60% ones). Every feature's windows before day 3 are not
 * drifted and after are; the default rules raise exactly one alarm, the dataset-level one, for day
 * 4 (its second drifted day), not one per feature and not one per day.
 */
class DriftAlarmsWorkflowTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T0 = Instant.parse("2018-05-01T00:00:00Z").toEpochMilli();
  private static final int DRIFT_DAY = 3;

  private final SplittableRandom random = new SplittableRandom(5);

  /** Drift monitoring of {@code days} of the history described above. */
  private DataStream<DriftResult> drift(
      StreamExecutionEnvironment env, int days, DriftSettings settings) {
    List<FeatureRow> rows = new ArrayList<>();
    List<Prediction> predictions = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    int perDay = 2_000;
    for (int day = 0; day < days; day++) {
      boolean drift = day >= DRIFT_DAY;
      for (int i = 0; i < perDay; i++) {
        long time = T0 + day * DAY + i * (DAY / perDay);
        String id = "tx-" + day + "-" + i;
        double f0 = (drift ? 1 : 0) + random.nextGaussian();
        double f1 = random.nextDouble() < (drift ? 0.6 : 0.2) ? 1 : 0;
        rows.add(
            FeatureRow.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setEntities(Map.of("customer", "c-1"))
                .setFeatures(Map.of("f0", f0, "f1", f1))
                .setFeatureSetVersion("fs")
                .build());
        predictions.add(prediction(id, time, random.nextDouble()));
        labels.add(label(id, time, random.nextDouble() < 0.01));
      }
    }

    DataStream<RegistryEvent> registry =
        env.fromData(MonitoringFixtures.champion(random), new AvroTypeInfo<>(RegistryEvent.class))
            .setParallelism(1);
    DataStream<FeatureRow> rowStream =
        TestStreams.inEventTime(env, rows, FeatureRow.class, FeatureRow::getEventTime);
    DataStream<Prediction> predictionStream =
        TestStreams.inEventTime(env, predictions, Prediction.class, Prediction::getEventTime);
    DataStream<Label> labelStream =
        TestStreams.inEventTime(env, labels, Label.class, Label::getEventTime);
    return MonitoringWorkflow.drift(rowStream, predictionStream, labelStream, registry, settings);
  }

  @Test
  void windowsBeforeTheWarmUpEndsRaiseNoAlarm() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DriftSettings settings = DriftSettings.defaults("fraud");
    CollectingSink<Alert> alertSink = new CollectingSink<>();
    // The drift's alarm would fire for day 4; judged only from the end of day 5, nothing fires.
    MonitoringWorkflow.alarms(
            drift(env, 6, settings),
            null,
            AlarmRules.parse(MonitoringWorkflow.DEFAULT_RULES),
            settings.lateness(),
            Instant.ofEpochMilli(T0 + 6 * DAY))
        .sinkTo(alertSink);
    env.execute("alarms after a warm-up");

    assertThat(alertSink.values()).isEmpty();
  }

  @Test
  void ignoredFeaturesAreNotMonitored() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    CollectingSink<DriftResult> sink = new CollectingSink<>();
    drift(env, 1, DriftSettings.defaults("fraud").withIgnored(Set.of("f1"))).sinkTo(sink);
    env.execute("drift with an ignored feature");

    assertThat(sink.values())
        .extracting(DriftResult::getSubject)
        .containsExactlyInAnyOrder("f0", "score", "label");
  }

  @Test
  void oneAlarmWhenTheFeaturesDriftTogether() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DriftSettings settings = DriftSettings.defaults("fraud");
    DataStream<DriftResult> drift = drift(env, 6, settings);

    CollectingSink<DriftResult> driftSink = new CollectingSink<>();
    CollectingSink<Alert> alertSink = new CollectingSink<>();
    drift.sinkTo(driftSink);
    MonitoringWorkflow.alarms(
            drift,
            null,
            AlarmRules.parse(MonitoringWorkflow.DEFAULT_RULES),
            settings.lateness(),
            settings.monitorFrom())
        .sinkTo(alertSink);
    env.execute("drift and alarms");

    List<DriftResult> results = driftSink.values();
    assertThat(results).as("f0, f1, score and label for 6 days").hasSize(24);
    for (DriftResult r : results) {
      int day = (int) ((r.getWindowStart().toEpochMilli() - T0) / DAY);
      boolean feature = r.getSubject().startsWith("f");
      assertThat(r.getDrifted())
          .as(r.getSubject() + " day " + day + " " + r.getStatistics())
          .isEqualTo(feature && day >= DRIFT_DAY);
    }
    assertThat(alertSink.values())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getRule()).isEqualTo("features-drifted");
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
              // fire_after=2: the second drifted day raises it.
              assertThat(a.getWindowStart().toEpochMilli()).isEqualTo(T0 + (DRIFT_DAY + 1) * DAY);
              assertThat(a.getConsecutiveWindows()).isEqualTo(2);
              assertThat(a.getModelVersion()).isEqualTo(1);
            });
  }

  private static Prediction prediction(String id, long time, double score) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setEntityId("c-1")
        .setModelName("fraud")
        .setModelVersion(1)
        .setRole(ModelRole.CHAMPION)
        .setScore(score)
        .setThreshold(0.5)
        .setPositive(score >= 0.5)
        .setScoredAt(Instant.ofEpochMilli(time))
        .build();
  }

  private static Label label(String id, long time, boolean fraud) {
    return Label.newBuilder()
        .setTransactionId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setTransactionTime(Instant.ofEpochMilli(time))
        .setCustomerId("c-1")
        .setTerminalId("t-1")
        .setFraud(fraud)
        .setFraudScenario(fraud ? 1 : 0)
        .build();
  }
}

package dev.sluice.jobs.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.DriftKind;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.Label;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.ModelRole;
import dev.sluice.avro.Prediction;
import dev.sluice.jobs.testing.CollectingSink;
import dev.sluice.jobs.testing.TestStreams;
import dev.sluice.operators.evaluation.BinaryMetrics;
import dev.sluice.operators.monitoring.detectors.ErrorStreamSettings;
import dev.sluice.operators.monitoring.evaluation.EvaluationSettings;
import dev.sluice.state.testing.FlinkTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The evaluation's operators wired as the jobs wire them, on a MiniCluster: predictions of a
 * champion and a shadow challenger over two days, labels arriving 1 to 9 days later (some past the
 * 7-day limit, some never). Each FINAL record must count exactly the labels that arrived in time
 * and give the AUC of exactly those (score, label) pairs.
 */
class MonitoringWorkflowTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T0 = Instant.parse("2018-05-01T00:00:00Z").toEpochMilli();

  @Test
  void finalMetricsPerVersionAndDayCountOnlyTheLabelsThatArrivedInTime() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    List<Prediction> predictions = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    // Expected, per (version, day): labelled scores and labels, and the prediction count.
    List<List<double[]>> expected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expected.add(new ArrayList<>());
    }
    int perDay = 300;
    for (int day = 0; day < 2; day++) {
      for (int i = 0; i < perDay; i++) {
        String id = "tx-" + day + "-" + i;
        long time = T0 + day * DAY + random.nextLong(DAY);
        boolean fraud = random.nextDouble() < 0.2;
        double champion = clamp((fraud ? 0.6 : 0.3) + random.nextGaussian() * 0.2);
        double challenger = clamp((fraud ? 0.7 : 0.2) + random.nextGaussian() * 0.15);
        predictions.add(prediction(id, time, 1, false, champion));
        predictions.add(prediction(id, time, 2, true, challenger));
        int delayDays = random.nextInt(10); // 0..9: 8 and 9 are past the 7-day limit
        boolean lost = random.nextDouble() < 0.05;
        long knownAt = time + delayDays * DAY + random.nextLong(DAY / 2);
        boolean inTime = !lost && knownAt - time <= 7 * DAY;
        if (!lost) {
          labels.add(label(id, time, knownAt, fraud));
        }
        if (inTime) {
          expected.get(day).add(new double[] {champion, fraud ? 1 : 0});
          expected.get(2 + day).add(new double[] {challenger, fraud ? 1 : 0});
        }
      }
    }

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<Prediction> predictionStream =
        TestStreams.inEventTime(env, predictions, Prediction.class, Prediction::getEventTime);
    DataStream<Label> labelStream =
        TestStreams.inEventTime(env, labels, Label.class, Label::getEventTime);
    CollectingSink<ModelMetrics> sink = new CollectingSink<>();
    MonitoringWorkflow.metrics(predictionStream, labelStream, EvaluationSettings.DEFAULTS)
        .sinkTo(sink);
    env.execute("monitoring workflow test");

    List<ModelMetrics> finals =
        sink.values().stream().filter(m -> m.getStatus() == MetricsStatus.FINAL).toList();
    assertThat(finals).as("one FINAL per version, role and day").hasSize(4);
    for (ModelMetrics m : finals) {
      int day = (int) ((m.getWindowStart().toEpochMilli() - T0) / DAY);
      int index = (m.getModelVersion() == 1 ? 0 : 2) + day;
      List<double[]> rows = expected.get(index);
      double[] scores = rows.stream().mapToDouble(r -> r[0]).toArray();
      boolean[] truth = new boolean[rows.size()];
      for (int i = 0; i < truth.length; i++) {
        truth[i] = rows.get(i)[1] == 1;
      }
      assertThat(m.getShadow()).isEqualTo(m.getModelVersion() == 2);
      assertThat(m.getPredictions()).isEqualTo(perDay);
      assertThat(m.getLabelled()).as("labels in time, day " + day).isEqualTo(rows.size());
      assertThat(m.getLabelCoverage()).isCloseTo(rows.size() / (double) perDay, within(1e-12));
      assertThat(m.getRealized().get("auc_roc"))
          .isCloseTo(BinaryMetrics.rocAuc(scores, truth), within(1e-12));
      assertThat(m.getEstimated()).containsKey("auc_roc");
    }
    assertThat(
            sink.values().stream().filter(m -> m.getStatus() == MetricsStatus.PROVISIONAL).count())
        .as("provisional metrics while labels were arriving")
        .isPositive();
  }

  @Test
  void errorStreamResultsComeOutPerVersionRoleAndLabelDay() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    List<Prediction> predictions = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    int perDay = 200;
    for (int day = 0; day < 2; day++) {
      for (int i = 0; i < perDay; i++) {
        String id = "tx-" + day + "-" + i;
        long time = T0 + day * DAY + random.nextLong(DAY / 2);
        boolean fraud = random.nextDouble() < 0.1;
        predictions.add(prediction(id, time, 1, false, fraud ? 0.8 : 0.2));
        predictions.add(prediction(id, time, 2, true, random.nextDouble()));
        labels.add(label(id, time, time + DAY / 4, fraud));
      }
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<Prediction> predictionStream =
        TestStreams.inEventTime(env, predictions, Prediction.class, Prediction::getEventTime);
    DataStream<Label> labelStream =
        TestStreams.inEventTime(env, labels, Label.class, Label::getEventTime);
    CollectingSink<DriftResult> sink = new CollectingSink<>();
    MonitoringWorkflow.errorStream(
            MonitoringWorkflow.labelJoin(
                predictionStream, labelStream, EvaluationSettings.DEFAULTS),
            ErrorStreamSettings.DEFAULTS)
        .sinkTo(sink);
    env.execute("error stream workflow test");

    List<DriftResult> results = sink.values();
    // 2 label days x (decision, shadow) x 3 detectors.
    assertThat(results).hasSize(12).allMatch(r -> r.getKind() == DriftKind.ERROR_STREAM);
    assertThat(results.stream().filter(r -> r.getSubject().equals("errors/ddm")))
        .allMatch(r -> r.getModelVersion() == 1)
        .allMatch(r -> r.getStatistics().get("errors") == 0.0) // the champion is always right
        .extracting(DriftResult::getCount)
        .containsExactlyInAnyOrder((long) perDay, (long) perDay);
    assertThat(results.stream().filter(r -> r.getSubject().equals("errors/adwin/shadow")))
        .allMatch(r -> r.getModelVersion() == 2)
        .allMatch(r -> r.getStatistics().get("error_rate") > 0.2); // a random score
  }

  private static double clamp(double p) {
    return Math.min(0.999, Math.max(0.001, p));
  }

  private static Prediction prediction(
      String id, long time, int version, boolean shadow, double score) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setEntityId("c-" + Math.floorMod(id.hashCode(), 50))
        .setEntities(Map.of())
        .setModelName("fraud")
        .setModelVersion(version)
        .setRole(shadow ? ModelRole.CHALLENGER : ModelRole.CHAMPION)
        .setShadow(shadow)
        .setScore(score)
        .setThreshold(0.5)
        .setPositive(score >= 0.5)
        .setScoredAt(Instant.ofEpochMilli(time))
        .build();
  }

  private static Label label(String id, long time, long knownAt, boolean fraud) {
    return Label.newBuilder()
        .setTransactionId(id)
        .setEventTime(Instant.ofEpochMilli(knownAt))
        .setTransactionTime(Instant.ofEpochMilli(time))
        .setCustomerId("c-" + Math.floorMod(id.hashCode(), 50))
        .setTerminalId("t-1")
        .setFraud(fraud)
        .setFraudScenario(fraud ? 1 : 0)
        .build();
  }
}

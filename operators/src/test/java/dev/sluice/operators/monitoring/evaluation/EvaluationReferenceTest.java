package dev.sluice.operators.monitoring.evaluation;

import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.DAY;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.decision;
import static dev.sluice.operators.monitoring.evaluation.EvaluationFixtures.label;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.Prediction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One day of a model's predictions and their delayed labels ({@code monitoring/evaluation_day.csv})
 * through the label join and the window evaluator, chained by hand in event time as a job would
 * chain them, with the raw predictions also fed to the evaluator. The FINAL record must match what
 * {@code monitoring/generate_expected.py} computed with scikit-learn (realized, over the labels
 * known within 7 days) and a numpy CBPE (estimated, over all scores).
 */
class EvaluationReferenceTest {
  private static final double TOLERANCE = 1e-9;
  private static final Duration MAX_DELAY = Duration.ofDays(7);

  /** One row of the CSV: a prediction and, unless the lag is -1, its label event. */
  record Row(String id, long time, String card, double score, long lag, boolean fraud) {}

  /** An input record of the join, in event-time order. */
  record Input(long timestamp, int order, JoinInput value) {}

  private final Properties expected = properties("expected_evaluation.properties");
  private KeyedOneInputStreamOperatorTestHarness<String, JoinInput, LabelledPrediction> join;
  private KeyedOneInputStreamOperatorTestHarness<String, LabelledPrediction, ModelMetrics>
      evaluator;

  @BeforeEach
  void open() throws Exception {
    join =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LabelJoinFunction(MAX_DELAY)),
            JoinInput::eventId,
            Types.STRING);
    join.open();
    EvaluationSettings settings =
        new EvaluationSettings(
            Duration.ofDays(1), MAX_DELAY, Duration.ofDays(1), (int) number("k"));
    evaluator =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new WindowEvaluator(settings)),
            LabelledPrediction::modelKey,
            Types.STRING);
    evaluator.open();
  }

  @AfterEach
  void close() throws Exception {
    join.close();
    evaluator.close();
  }

  @Test
  void finalMetricsMatchScikitLearnAndTheNumpyEstimates() throws Exception {
    List<Row> rows = rows();
    List<Input> inputs = new ArrayList<>();
    for (Row r : rows) {
      Prediction p = decision(r.id(), r.time(), r.card(), r.score());
      p.setThreshold(number("threshold"));
      inputs.add(new Input(r.time(), 0, JoinInput.of(p)));
      if (r.lag() >= 0) {
        inputs.add(
            new Input(
                r.time() + r.lag(),
                1,
                JoinInput.of(label(r.id(), r.time(), r.time() + r.lag(), r.fraud()))));
      }
    }
    inputs.sort(Comparator.comparingLong(Input::timestamp).thenComparingInt(Input::order));

    for (Input in : inputs) {
      join.processWatermark(in.timestamp() - 1);
      forward();
      join.processElement(new StreamRecord<>(in.value(), in.timestamp()));
      if (in.value().prediction != null) {
        // The raw prediction stream, so that estimates exist before labels arrive.
        evaluator.processElement(
            new StreamRecord<>(LabelledPrediction.pending(in.value().prediction), in.timestamp()));
      }
      forward();
    }
    join.processWatermark(Long.MAX_VALUE);
    forward();

    List<ModelMetrics> out = evaluator.extractOutputValues();
    List<ModelMetrics> finals =
        out.stream().filter(m -> m.getStatus() == MetricsStatus.FINAL).toList();
    assertThat(finals).hasSize(1);
    ModelMetrics fin = finals.get(0);
    assertThat(fin.getPredictions()).isEqualTo((long) number("predictions"));
    assertThat(fin.getLabelled()).isEqualTo((long) number("labelled"));
    assertThat(fin.getPositives()).isEqualTo((long) number("positives"));
    assertThat(fin.getK()).isEqualTo((int) number("k"));
    assertThat(fin.getThreshold()).isEqualTo(number("threshold"));
    assertThat(fin.getLabelCoverage()).isCloseTo(number("label_coverage"), within(TOLERANCE));
    assertThat(fin.getMeanLabelLagMillis())
        .isCloseTo(number("mean_label_lag_ms"), within(TOLERANCE * number("mean_label_lag_ms")));
    for (String key : WindowMetrics.REALIZED_KEYS) {
      assertThat(fin.getRealized().get(key))
          .as("realized " + key)
          .isCloseTo(number("realized." + key), within(TOLERANCE));
    }
    for (String key : WindowMetrics.ESTIMATED_KEYS) {
      assertThat(fin.getEstimated().get(key))
          .as("estimated " + key)
          .isCloseTo(number("estimated." + key), within(TOLERANCE));
    }

    // The estimate is there at the first day boundary, before most labels: same value as final.
    ModelMetrics first = out.get(0);
    assertThat(first.getStatus()).isEqualTo(MetricsStatus.PROVISIONAL);
    assertThat(first.getPredictions()).isEqualTo(fin.getPredictions());
    assertThat(first.getLabelled()).isLessThan(fin.getLabelled());
    assertThat(first.getEstimated()).isEqualTo(fin.getEstimated());
    // Coverage only grows, one provisional per day boundary of the label period.
    assertThat(out).isSortedAccordingTo(Comparator.comparingLong(ModelMetrics::getLabelled));
    assertThat(out).hasSizeLessThanOrEqualTo(9);

    long tooLate = rows.stream().filter(r -> r.lag() > MAX_DELAY.toMillis()).count();
    assertThat(tooLate).isPositive();
    assertThat(join.getSideOutput(LabelJoinFunction.UNMATCHED_LABELS))
        .hasSize((int) tooLate)
        .allSatisfy(r -> assertThat(r.getValue().reason).isEqualTo(UnmatchedLabel.Reason.TOO_LATE));
    assertThat(join.numKeyedStateEntries()).isZero();
    assertThat(join.numEventTimeTimers()).isZero();
    assertThat(evaluator.numKeyedStateEntries()).isZero();
    assertThat(evaluator.numEventTimeTimers()).isZero();
    assertThat(rows.get(rows.size() - 1).time()).isLessThan(rows.get(0).time() + DAY);
  }

  /** Moves what the join emitted (records and watermarks) into the evaluator, in order. */
  private void forward() throws Exception {
    Object next;
    while ((next = join.getOutput().poll()) != null) {
      if (next instanceof StreamRecord<?> record) {
        evaluator.processElement(
            new StreamRecord<>((LabelledPrediction) record.getValue(), record.getTimestamp()));
      } else if (next instanceof Watermark watermark) {
        evaluator.processWatermark(watermark);
      }
    }
  }

  private double number(String key) {
    String value = expected.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("no " + key + " in expected_evaluation.properties");
    }
    return Double.parseDouble(value);
  }

  private static List<Row> rows() throws IOException {
    try (BufferedReader in = reader("evaluation_day.csv")) {
      String header = in.readLine();
      assertThat(header).isEqualTo("event_id,event_time,card,score,label_lag_ms,fraud");
      List<Row> rows = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(",");
        rows.add(
            new Row(
                f[0],
                Long.parseLong(f[1]),
                f[2],
                Double.parseDouble(f[3]),
                Long.parseLong(f[4]),
                f[5].equals("1")));
      }
      return rows;
    }
  }

  private static Properties properties(String name) {
    Properties p = new Properties();
    try (BufferedReader in = reader(name)) {
      p.load(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  private static BufferedReader reader(String name) {
    InputStream stream = EvaluationReferenceTest.class.getResourceAsStream("/monitoring/" + name);
    if (stream == null) {
      throw new IllegalStateException(
          "monitoring/"
              + name
              + " is missing: run src/test/resources/monitoring/generate_expected.py");
    }
    return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
  }
}

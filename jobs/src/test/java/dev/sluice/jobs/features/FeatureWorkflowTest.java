package dev.sluice.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.jobs.testing.CollectingSink;
import dev.sluice.jobs.testing.FlinkTestCluster;
import dev.sluice.operators.features.FeaturePipeline;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.features.ViewRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handbook feature set on a MiniCluster over a small simulation: every feature of every
 * transaction equals the obvious quadratic computation of DOMAIN.md's definitions ({@link
 * HandbookReference}), and STREAMING and BATCH execution produce identical rows.
 */
class FeatureWorkflowTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final List<Transaction> TRANSACTIONS = new ArrayList<>();
  private static final List<Label> LABELS = new ArrayList<>();

  @BeforeAll
  static void simulate() throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder().customers(60).terminals(300).radius(10).days(45).seed(7).build();
    SimulationRunner.runAll(
        new Simulation(config),
        new dev.sluice.simulator.EventSink() {
          @Override
          public void write(SimulatedEvent event) {
            if (event instanceof SimulatedEvent.TransactionEvent tx) {
              TRANSACTIONS.add(tx.transaction());
            } else if (event instanceof SimulatedEvent.LabelEvent label) {
              LABELS.add(label.label());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  /** No Kryo anywhere in the pipeline: building the job fails if a type falls back to it. */
  static Configuration noKryo() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    return conf;
  }

  record Result(List<FeatureRow> featureRows, List<ViewRow> viewRows) {}

  static Result run(RuntimeExecutionMode mode, TerminalRisk risk) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noKryo());
    env.setParallelism(2);
    env.setRuntimeMode(mode);
    DataStream<Transaction> transactions =
        env.fromData(TRANSACTIONS, new AvroTypeInfo<>(Transaction.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Transaction>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                    .withTimestampAssigner((tx, ts) -> tx.getEventTime().toEpochMilli()));
    DataStream<Label> labels =
        env.fromData(LABELS, new AvroTypeInfo<>(Label.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Label>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                    .withTimestampAssigner((label, ts) -> label.getEventTime().toEpochMilli()));
    CollectingSink<FeatureRow> featureRows = new CollectingSink<>();
    CollectingSink<ViewRow> viewRows = new CollectingSink<>();
    FeaturePipeline.Output out =
        FeatureWorkflow.define(
            transactions,
            labels,
            FraudFeatures.featureSet(risk),
            Duration.ofHours(1),
            new FeatureWorkflow.Sinks(featureRows, null, null, null, null, null));
    out.viewRows().values().forEach(rows -> rows.sinkTo(viewRows));
    env.execute("features " + mode);
    return new Result(featureRows.values(), viewRows.values());
  }

  @Test
  void everyFeatureOfEveryTransactionMatchesTheDefinitionsAsKnown() throws Exception {
    Result streaming = run(RuntimeExecutionMode.STREAMING, TerminalRisk.AS_KNOWN);
    assertMatchesReference(streaming, TerminalRisk.AS_KNOWN);

    Result batch = run(RuntimeExecutionMode.BATCH, TerminalRisk.AS_KNOWN);
    assertThat(sorted(batch.featureRows())).isEqualTo(sorted(streaming.featureRows()));
    assertSameViewRows(batch.viewRows(), streaming.viewRows());
  }

  @Test
  void theBackfillReproducesTheHandbookSemantics() throws Exception {
    Result batch = run(RuntimeExecutionMode.BATCH, TerminalRisk.HANDBOOK);
    assertMatchesReference(batch, TerminalRisk.HANDBOOK);
    // Some labels arrive more than 7 days after their transaction: the two semantics differ.
    HandbookReference asKnown = new HandbookReference(TRANSACTIONS, LABELS, TerminalRisk.AS_KNOWN);
    HandbookReference handbook = new HandbookReference(TRANSACTIONS, LABELS, TerminalRisk.HANDBOOK);
    assertThat(
            TRANSACTIONS.stream().filter(tx -> !asKnown.features(tx).equals(handbook.features(tx))))
        .isNotEmpty();
  }

  private static void assertMatchesReference(Result result, TerminalRisk risk) {
    HandbookReference reference = new HandbookReference(TRANSACTIONS, LABELS, risk);
    Map<String, FeatureRow> byId =
        result.featureRows().stream()
            .collect(Collectors.toMap(r -> r.getEventId(), Function.identity()));
    assertThat(byId).hasSize(TRANSACTIONS.size());
    FeatureSet<Transaction> set = FraudFeatures.featureSet(risk);
    for (Transaction tx : TRANSACTIONS) {
      FeatureRow row = byId.get(tx.getTransactionId());
      assertThat(row.getFeatures())
          .as("features of %s", tx)
          .containsExactlyInAnyOrderEntriesOf(reference.features(tx));
      assertThat(row.getEntities())
          .isEqualTo(Map.of("customer", tx.getCustomerId(), "terminal", tx.getTerminalId()));
      assertThat(row.getEventTime()).isEqualTo(tx.getEventTime());
      assertThat(row.getFeatureSetVersion()).isEqualTo(set.version());
    }
    assertThat(set.featureNames()).hasSize(15);
  }

  private static List<FeatureRow> sorted(List<FeatureRow> rows) {
    return rows.stream().sorted(Comparator.comparing(r -> r.getEventId())).toList();
  }

  static void assertSameViewRows(List<ViewRow> actual, List<ViewRow> expected) {
    Comparator<ViewRow> order =
        Comparator.<ViewRow, String>comparing(r -> r.view).thenComparing(r -> r.eventId);
    List<ViewRow> a = actual.stream().sorted(order).toList();
    List<ViewRow> e = expected.stream().sorted(order).toList();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).sameValues(e.get(i))).as("%s vs %s", a.get(i), e.get(i)).isTrue();
    }
  }
}

package dev.sluice.jobs.features;

import static dev.sluice.jobs.testing.ViewRowAssertions.assertSameViewRows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.jobs.testing.CollectingSink;
import dev.sluice.operators.features.FeaturePipeline;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.testing.FlinkTestCluster;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
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
    return run(mode, risk, TRANSACTIONS, LABELS);
  }

  static Result run(
      RuntimeExecutionMode mode, TerminalRisk risk, List<Transaction> txs, List<Label> lbs)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noKryo());
    env.setParallelism(2);
    env.setRuntimeMode(mode);
    DataStream<Transaction> transactions =
        env.fromData(txs, new AvroTypeInfo<>(Transaction.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Transaction>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                    .withTimestampAssigner((tx, ts) -> tx.getEventTime().toEpochMilli()));
    DataStream<Label> labels =
        env.fromData(lbs, new AvroTypeInfo<>(Label.class))
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

  @Test
  void noRowReadsAnythingFromAfterItsTime() throws Exception {
    Instant cut = TRANSACTIONS.get(TRANSACTIONS.size() / 2).getEventTime();
    List<Transaction> transactions = new ArrayList<>(TRANSACTIONS);
    List<Label> labels = new ArrayList<>(LABELS);
    // The future: for 20 transactions before the cut, a huge transaction of the same customer at
    // the same terminal one minute after the cut, and a fraud label for the earlier transaction
    // that only becomes known one minute after the cut.
    for (int i = 0; i < 20; i++) {
      Transaction past = TRANSACTIONS.get(TRANSACTIONS.size() / 2 - 1 - i * 7);
      transactions.add(
          Transaction.newBuilder(past)
              .setTransactionId("future-" + i)
              .setEventTime(cut.plusSeconds(60))
              .setAmount(new BigDecimal("9999.99"))
              .build());
      labels.add(
          Label.newBuilder()
              .setTransactionId(past.getTransactionId())
              .setEventTime(cut.plusSeconds(60))
              .setTransactionTime(past.getEventTime())
              .setCustomerId(past.getCustomerId())
              .setTerminalId(past.getTerminalId())
              .setFraud(true)
              .setFraudScenario(2)
              .build());
    }
    Map<String, FeatureRow> before = byId(run(RuntimeExecutionMode.BATCH, TerminalRisk.AS_KNOWN));
    Map<String, FeatureRow> after =
        byId(run(RuntimeExecutionMode.BATCH, TerminalRisk.AS_KNOWN, transactions, labels));

    int compared = 0;
    int changedLater = 0;
    for (Transaction tx : TRANSACTIONS) {
      FeatureRow a = before.get(tx.getTransactionId());
      FeatureRow b = after.get(tx.getTransactionId());
      if (tx.getEventTime().isBefore(cut.plusSeconds(60))) {
        assertThat(b.getFeatures()).as("row of %s", tx).isEqualTo(a.getFeatures());
        compared++;
      } else if (!b.getFeatures().equals(a.getFeatures())) {
        changedLater++;
      }
    }
    assertThat(compared).isGreaterThan(TRANSACTIONS.size() / 3);
    // The injected events are real input: rows after them do change.
    assertThat(changedLater).isPositive();
  }

  private static Map<String, FeatureRow> byId(Result result) {
    return result.featureRows().stream()
        .collect(Collectors.toMap(r -> r.getEventId(), Function.identity()));
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
}
